"""Drawings served as images: SVG that a browser must never treat as a page.

An SVG opened on its own is a document that could run script; ours contain none, and
the headers make sure that stays true whatever is in them: no sniffing, and a policy
that allows nothing but inline styles (no script, no fetch, no frame). The security
headers middleware keeps a response's own Content-Security-Policy.
"""

from __future__ import annotations

from fastapi import Response

SVG_MEDIA_TYPE = "image/svg+xml"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
SVG_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}}}}
}


def svg_response(svg: str) -> Response:
    return Response(
        svg.encode("utf-8"),
        media_type=SVG_MEDIA_TYPE,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SVG_POLICY,
            "Cache-Control": "private, no-cache",
        },
    )
