"""The refusal every domain rule raises: which rule (R-number in DOMAIN.md), why, and the figures behind it."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A rule refused an action. `rule` is the DOMAIN.md R-number, `figures` the numbers a supervisor sees."""

    def __init__(self, rule: str, message: str, figures: dict[str, Any] | None = None) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.figures = dict(figures or {})
