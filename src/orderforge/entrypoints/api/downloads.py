"""Sending a kept file back to a browser without letting it do anything but save or show it.

Uploaded files come from customers and suppliers, so the response assumes the worst:
the type is the one the upload check established (`nosniff`: the browser may not guess
another), the file is a download unless it is a plain raster image, and a sandboxing
Content-Security-Policy means that even a file a browser did render could run no script,
load nothing and reach no cookie. The name travels RFC 6266-style: `filename*` carries
it exactly in UTF-8, `filename` an ASCII stand-in for old clients.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi.responses import Response

from orderforge.engines.files import INLINE_IMAGE_TYPES

#: Also kept by the site's SecurityHeaders middleware, which keeps a response's own policy.
DOWNLOAD_CSP = "default-src 'none'; sandbox"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()+,=@-]")
_TOKEN = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE_ASCII.sub("_", plain)


def ascii_filename(name: str) -> str:
    """An ASCII stand-in for `name`: accents dropped, anything a header or a file
    system could misread (quotes, backslashes, %, ;, control characters) replaced, and
    "download" for a name with nothing left but its extension."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    plain_stem = _ascii(stem).strip(" .")
    if not plain_stem.strip("_ "):
        plain_stem = "download"
    plain_extension = _ascii(extension).strip(" ._")
    return (plain_stem[:140] + ("." + plain_extension if plain_extension else ""))[:150]


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII `filename` for old clients, the exact name in `filename*`."""
    disposition = "inline" if inline else "attachment"
    exact = quote(name, safe="")
    return f"{disposition}; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{exact}"


def file_response(
    data: bytes, name: str, media_type: str, *, inline_images: bool = True
) -> Response:
    """A response carrying a checked file (`media_type` from the upload check)."""
    if not _TOKEN.fullmatch(media_type):
        raise ValueError(f"'{media_type[:80]}' is not a media type.")
    inline = inline_images and media_type in INLINE_IMAGE_TYPES
    return Response(
        content=data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(name, inline=inline),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cache-Control": "private, no-store",
            # other sites may not embed our customers' drawings in their pages
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )
