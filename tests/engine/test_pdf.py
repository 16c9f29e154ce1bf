"""The printable documents' PDF markup (engine.platform.pdf): a `||` line puts its parts at either margin on one
line, a `|| ` line is flush right, a line ending in `___` is a ruled blank (its label printed, no underscores)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from engine.platform.pdf import text_pdf

A4_WIDTH = 595.28  # pt


def placed(text: str) -> list[tuple[str, float, float]]:
    """Each piece of text on the first page with where it starts (x, y in pt)."""
    page = PdfReader(io.BytesIO(text_pdf("试样", text))).pages[0]
    found: list[tuple[str, float, float]] = []
    page.extract_text(visitor_text=lambda piece, _cm, tm, _font, _size: piece.strip()
                      and found.append((piece.strip(), tm[4], tm[5])))
    return found


def test_a_justified_line_puts_the_document_number_left_and_the_code_right_on_one_line():
    parts = {piece: (x, y) for piece, x, y in placed(
        "# 行政检查通知书\n检通〔2026〕1 号 || 行政行为码：YHSCJG-23456789ABCDEFGHJKMN\n"
        "|| 云和县市场监督管理局（印章）\n样品名称：___")}
    number, code = parts["检通〔2026〕1 号"], parts["行政行为码：YHSCJG-23456789ABCDEFGHJKMN"]
    assert number[1] == code[1]  # one line
    assert number[0] < 70 < A4_WIDTH / 2 < code[0]
    assert parts["云和县市场监督管理局（印章）"][0] > A4_WIDTH / 2
    assert "样品名称：" in parts and not any("_" in piece for piece in parts)


def test_parts_too_wide_for_one_line_take_two_and_keep_the_right_part_flush_right():
    left = "很长的左边文字" * 6
    *wrapped, (right, x, y) = [part for part in placed(f"{left} || 右边") if not part[0].startswith("第 ")]
    assert "".join(piece for piece, _x, _y in wrapped) == left and right == "右边"
    assert x > A4_WIDTH / 2 and y < min(line for _piece, _x, line in wrapped)  # below the left part, flush right
