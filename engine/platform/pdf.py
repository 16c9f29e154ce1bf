"""Text documents as A4 PDF with embedded Chinese glyphs (fpdf2: pure Python, subsets the font it embeds, so a
document is tens of kilobytes and opens readably on any viewer).

The font is a CJK TrueType file on the machine: INSPECTFLOW_PDF_FONT when set, else Debian's WenQuanYi Micro
Hei (fonts-wqy-microhei, which scripts/install.sh installs) or another CJK font fontconfig knows. Markup, one
line each: `# ` the title (centred), `## ` a section heading, anything else a paragraph; blank lines are kept
as a little space."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FAMILY = "cjk"


class FontMissing(RuntimeError):
    """No Chinese font on this machine: the message says how to install one."""


@lru_cache(maxsize=1)
def font_path() -> str:
    configured = os.environ.get("INSPECTFLOW_PDF_FONT")
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(f"INSPECTFLOW_PDF_FONT names {configured}, which does not exist")
        return configured
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True,
                               timeout=10, check=False).stdout.strip()
        if found.lower().endswith((".ttf", ".ttc", ".otf")) and Path(found).is_file():
            return found
    raise FontMissing("no Chinese font found: run scripts/install.sh (installs fonts-wqy-microhei) or set "
                      "INSPECTFLOW_PDF_FONT to a .ttf/.ttc file")


def text_pdf(title: str, text: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("inspectflow")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FAMILY, "", font_path())
    pdf.add_page()
    for line in text.splitlines():
        if line.startswith("# "):
            pdf.set_font(FAMILY, size=18)
            pdf.multi_cell(0, 12, line[2:].strip(), align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif line.startswith("## "):
            pdf.ln(2)
            pdf.set_font(FAMILY, size=13)
            pdf.multi_cell(0, 8, line[3:].strip(), new_x="LMARGIN", new_y="NEXT")
        elif line.strip():
            pdf.set_font(FAMILY, size=11)
            pdf.multi_cell(0, 6.5, line.rstrip(), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(2)
    return bytes(pdf.output())
