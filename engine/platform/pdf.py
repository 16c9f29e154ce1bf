"""Text documents as A4 PDF with embedded Chinese glyphs (fpdf2: pure Python, subsets the font it embeds, so a
document is tens of kilobytes and opens readably on any viewer).

The font is a CJK TrueType file on the machine (engine.platform.cjk_font).

Markup, one line each:
- `# 标题` the title (centred), `## 小标题` a section heading;
- `左 || 右` one line with the left part at the left margin and the right part flush right (文号 and 行政行为码);
  `|| 右` alone is flush right (signature, seal and date lines); parts too wide for one line take two;
- a line ending in three or more `_` is a blank to fill by hand: its text, then a ruled line to the right
  margin (a line of `_` only is a ruled line across the page);
- anything else a paragraph; blank lines are kept as a little space."""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import TTFFont

from engine.platform.cjk_font import font_path

FAMILY = "cjk"
SIZE, LEADING, RULED = 11, 6.5, 8  # body text pt, a paragraph's line height and a handwritten blank's, in mm
JUSTIFY = "||"
BLANK = re.compile(r"(.*?)_{3,}\s*")


def _add_cjk_font(pdf: FPDF) -> None:
    """The Chinese font's metrics, parsed once per process (measured: a one-page document took 0.9-1.0 s with
    the parse, 0.4 s without). Each document gets its own copy, as fpdf2 records on the font object the glyphs
    a document uses, and its own lazily read fontTools font, which writing subsets in place (fpdf2's `fonts`
    mapping and TTFFont: pinned <3 in setup.cfg)."""
    font = copy.deepcopy(_parsed_font(font_path()))
    font.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False, lazy=True,
                               fontNumber=font.collection_font_number)
    pdf.fonts[FAMILY] = font


@lru_cache(maxsize=1)
def _parsed_font(path: str) -> TTFFont:
    probe = FPDF()
    probe.add_font(FAMILY, "", path)
    font = probe.fonts[FAMILY]
    assert isinstance(font, TTFFont)
    return font


class _Paper(FPDF):
    def footer(self) -> None:
        """第 n 页 共 m 页 under every page: a record of several pages is signed on each."""
        self.set_y(-13)
        self.set_font(FAMILY, size=9)
        self.cell(0, 6, f"第 {self.page_no()} 页 共 {self.str_alias_nb_pages} 页", align="C")


def text_pdf(title: str, text: str) -> bytes:
    pdf = _Paper(format="A4")
    pdf.set_title(title)
    pdf.set_creator("inspectflow")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    _add_cjk_font(pdf)
    pdf.add_page()
    for line in text.splitlines():
        if line.startswith("# "):
            pdf.set_font(FAMILY, size=18)
            _lines(pdf, 12, line[2:].strip(), align="C")
            pdf.ln(2)
        elif line.startswith("## "):
            pdf.ln(2)
            pdf.set_font(FAMILY, size=13)
            _lines(pdf, 8, line[3:].strip())
        elif not line.strip():
            pdf.ln(2)
        else:
            pdf.set_font(FAMILY, size=SIZE)
            if JUSTIFY in line:
                left, _bar, right = line.partition(JUSTIFY)
                _justified(pdf, left.strip(), right.strip())
            elif blank := BLANK.fullmatch(line):
                _blank(pdf, blank.group(1).rstrip())
            else:
                _lines(pdf, LEADING, line.rstrip())
    return bytes(pdf.output())


def _lines(pdf: FPDF, height: float, text: str, align: str = "L") -> None:
    """`text` across the page, wrapped anywhere (Chinese has no spaces to wrap at; fpdf2's default justifies a line
    broken at the last space, which spreads its few words across the page)."""
    pdf.multi_cell(0, height, text, align=align, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")


def _justified(pdf: FPDF, left: str, right: str) -> None:
    """`left` at the left margin and `right` flush right on one line, or on two when together they do not fit."""
    if left and pdf.get_string_width(left) + pdf.get_string_width(right) + 10 > pdf.epw:
        _lines(pdf, LEADING, left)
        left = ""
    height = RULED if "___" in left + right else LEADING  # room to sign on
    if left:
        pdf.cell(0, height, left, new_x="LMARGIN", new_y="TOP")
    _lines(pdf, height, right, align="R")


def _blank(pdf: FPDF, label: str) -> None:
    """`label` then a ruled line to the right margin, tall enough to write on (a label too long for the line gets
    its own lines and the rule comes under it)."""
    if pdf.get_string_width(label) > pdf.epw - 30:
        _lines(pdf, LEADING, label)
        label = ""
    if pdf.will_page_break(RULED):
        pdf.add_page()
    top = pdf.get_y()
    if label:
        pdf.cell(pdf.get_string_width(label) + 1, RULED, label, new_x="RIGHT", new_y="TOP")
    pdf.set_line_width(0.2)
    pdf.line(pdf.get_x(), top + RULED - 1.5, pdf.w - pdf.r_margin, top + RULED - 1.5)
    pdf.set_xy(pdf.l_margin, top + RULED)
