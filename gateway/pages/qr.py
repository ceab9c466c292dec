"""The registration URL of a declaration of works and its QR code (segno).

The QR code carries ``?via=qr`` so that a scan is recorded with means QR_CODE and a link that
was followed or typed with means URL.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import segno

from gateway.domain.smartphone import SCANNED


def registration_url(base_url: str, workplace_id: str, scanned: bool = False) -> str:
    """
    >>> registration_url("https://ciao.example/", "DW2026000001", scanned=True)
    'https://ciao.example/r/DW2026000001?via=qr'
    """
    url = f"{base_url.rstrip('/')}/r/{quote(workplace_id, safe='')}"
    return f"{url}?via={SCANNED}" if scanned else url


def qr_code(base_url: str, workplace_id: str, kind: str = "svg", scale: int = 8) -> bytes:
    """The QR code of the declaration's URL as an SVG or PNG file."""
    code = segno.make(registration_url(base_url, workplace_id, scanned=True), error="m")
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=scale, border=4, title=f"CIaO {workplace_id}")
    else:
        code.save(out, kind=kind, scale=scale, border=4)
    return out.getvalue()
