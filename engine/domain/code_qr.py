"""The QR image of a 行政行为码 (R22 亮码检查): the enterprise scans it and lands on the public verification
of that code. Pure Python (segno), PNG for printing and SVG for pages."""

from __future__ import annotations

import io
from urllib.parse import quote

import segno

VERIFY_PATH = "/codes/"


def verification_url(base_url: str, code_text: str) -> str:
    return f"{base_url.rstrip('/')}{VERIFY_PATH}{quote(code_text.strip(), safe='-')}"


def code_qr(base_url: str, code_text: str, *, kind: str = "png", scale: int = 6) -> bytes:
    if kind not in ("png", "svg"):
        raise ValueError("kind: png or svg")
    buffer = io.BytesIO()
    segno.make(verification_url(base_url, code_text), error="m").save(buffer, kind=kind, scale=scale, border=2)
    return buffer.getvalue()
