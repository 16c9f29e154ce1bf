"""统一社会信用代码 (unified social credit code, GB 32100-2015): validation and check character.

The 18 characters are: 1 registration authority, 2 entity category, 3–8 administrative division code
(digits), 9–17 organisation code, 18 check character. Every character comes from a 31-character set
without I, O, S, V, Z; the check character is (31 − Σ cᵢ·wᵢ mod 31) mod 31 over the first 17,
mapped back through the same set. Pure functions, no storage.
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {char: value for value, char in enumerate(CHARSET)}


class InvalidCreditCode(ValueError):
    """The code is malformed; `position` is 1-based (None when the length is wrong)."""

    def __init__(self, code: str, message: str, position: int | None = None) -> None:
        super().__init__(f"unified social credit code {code!r}: {message}")
        self.code = code
        self.position = position


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (used to build demo and test codes)."""
    text = first17.strip().upper()
    if len(text) != LENGTH - 1:
        raise InvalidCreditCode(text, f"need the first 17 characters to compute the check character, got {len(text)}")
    _check_body(text, text)
    total = sum(_VALUE[char] * weight for char, weight in zip(text, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    """The code upper-cased without surrounding spaces, or InvalidCreditCode naming the wrong position."""
    if not isinstance(code, str):
        raise InvalidCreditCode(repr(code), "not a text")
    text = code.strip().upper()
    if len(text) != LENGTH:
        raise InvalidCreditCode(text, f"must be {LENGTH} characters, got {len(text)}")
    _check_body(text[:-1], text)
    last = text[-1]
    if last not in _VALUE:
        raise InvalidCreditCode(text, f"position 18: {last!r} is not allowed (no I, O, S, V, Z)", 18)
    expected = check_character(text[:-1])
    if last != expected:
        raise InvalidCreditCode(
            text, f"position 18: check character is {last!r}, the first 17 characters give {expected!r}", 18
        )
    return text


def is_valid(code: str) -> bool:
    try:
        normalize(code)
    except InvalidCreditCode:
        return False
    return True


def _check_body(body: str, whole: str) -> None:
    for position, char in enumerate(body, start=1):
        if char not in _VALUE:
            raise InvalidCreditCode(whole, f"position {position}: {char!r} is not allowed (no I, O, S, V, Z)", position)
        if 3 <= position <= 8 and not char.isdigit():
            raise InvalidCreditCode(
                whole, f"position {position}: {char!r} must be a digit (positions 3–8 are the division code)", position
            )
