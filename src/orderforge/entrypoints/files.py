"""TEMPORARY until the files branch lands."""

from __future__ import annotations

from fastapi.responses import Response


def file_response(data: bytes, name: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def svg_response(data: bytes) -> Response:
    return Response(data, media_type="image/svg+xml")
