"""The QR image of a behaviour code encodes its public verification address."""

from __future__ import annotations

import io

import pytest
import segno

from engine.domain.code_qr import code_qr, verification_url


def test_the_qr_image_points_at_the_codes_verification_page():
    assert verification_url("https://jc.example.gov.cn/", " SCJG-ABC123 ") == "https://jc.example.gov.cn/codes/SCJG-ABC123"
    png = code_qr("https://jc.example.gov.cn", "SCJG-ABC123")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    expected = io.BytesIO()
    segno.make("https://jc.example.gov.cn/codes/SCJG-ABC123", error="m").save(expected, kind="png", scale=6, border=2)
    assert png == expected.getvalue()
    assert code_qr("https://jc.example.gov.cn", "SCJG-ABC123", kind="svg").lstrip().startswith(b"<?xml")


def test_unknown_image_kinds_are_refused():
    with pytest.raises(ValueError, match="png or svg"):
        code_qr("https://x", "C", kind="gif")
