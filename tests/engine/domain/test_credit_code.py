"""统一社会信用代码 validation (GB 32100-2015) and the check character used by the demo generator."""

from __future__ import annotations

import pytest

from engine.models.credit_code import CHARSET, InvalidCreditCode, check_character, is_valid, normalize

# Published codes of well-known companies; each satisfies the check-character algorithm.
PUBLISHED = [
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert is_valid(code)
    assert check_character(code[:17]) == code[17]


def test_lower_case_and_spaces_are_normalised():
    assert normalize("  9144030071526726xg ") == "9144030071526726XG"


def test_constructed_code_round_trips():
    first17 = "91331125MA2A00001"
    code = first17 + check_character(first17)
    assert is_valid(code)


def test_check_character_of_zero_sum_is_zero():
    # (31 - 0 % 31) % 31 == 0: the all-zero body is the edge case of the modulo.
    assert check_character("0" * 17) == "0"


def test_wrong_check_character_names_position_18_and_the_expected_one():
    code = PUBLISHED[0]
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(InvalidCreditCode) as info:
        normalize(wrong)
    assert info.value.position == 18
    assert "'B'" in str(info.value)


def test_a_single_changed_character_is_detected():
    code = PUBLISHED[2]
    for position in range(17):
        for replacement in CHARSET:
            if replacement == code[position] or (2 <= position <= 7 and not replacement.isdigit()):
                continue
            assert not is_valid(code[:position] + replacement + code[position + 1:])


@pytest.mark.parametrize(
    ("code", "position", "words"),
    [
        ("91330100799655O58B", 15, "'O'"),  # letter O is excluded from the charset
        ("9I330100799655058B", 2, "'I'"),
        ("913301007996550585", 18, "check character"),
        ("91A30100799655058B", 3, "digit"),
        ("91330100799655058S", 18, "'S'"),
    ],
)
def test_errors_name_the_position(code, position, words):
    with pytest.raises(InvalidCreditCode) as info:
        normalize(code)
    assert info.value.position == position
    assert f"position {position}" in str(info.value)
    assert words in str(info.value)


@pytest.mark.parametrize("code", ["", "91330100799655058", "91330100799655058BX"])
def test_wrong_length_is_refused(code):
    with pytest.raises(InvalidCreditCode, match="must be 18 characters"):
        normalize(code)


def test_check_character_needs_17_characters():
    with pytest.raises(InvalidCreditCode, match="first 17"):
        check_character("9133")
