"""Which Chinese font the printed documents embed: INSPECTFLOW_PDF_FONT when set, else Debian's WenQuanYi Micro
Hei (fonts-wqy-microhei, which scripts/install.sh installs) or another CJK font fontconfig knows.

Apart from engine.platform.pdf so that the pages can name FontMissing without importing fpdf2, a quarter of a
second of every process's start (the command line's included) that prints nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


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
