"""The kinds of file OrderForge keeps: what each is called, how it is served, and which
name endings it may carry.

The list is short on purpose. Every kind here is either a format a browser shows without
running anything (PDF, raster images, plain text) or one it never shows at all (CAD
files, served as downloads); kinds that can carry script (HTML, SVG, XML) are not here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    #: "PDF document": what people call it
    label: str
    media_type: str
    extensions: tuple[str, ...]
    #: Text formats are scanned for markup and script openers; binary ones cannot be.
    text: bool = False
    article: str = "a"

    @property
    def described(self) -> str:
        """The label inside a sentence: "... looks like an STL model"."""
        return f"{self.article} {self.label}"


PDF = Kind("pdf", "PDF document", "application/pdf", (".pdf",))
PNG = Kind("png", "PNG image", "image/png", (".png",))
JPEG = Kind("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg"))
WEBP = Kind("webp", "WebP image", "image/webp", (".webp",))
GIF = Kind("gif", "GIF image", "image/gif", (".gif",))
TIFF = Kind("tiff", "TIFF image", "image/tiff", (".tif", ".tiff"))
STEP = Kind("step", "STEP model", "model/step", (".step", ".stp"), text=True)
IGES = Kind("iges", "IGES model", "model/iges", (".igs", ".iges"), text=True, article="an")
DXF = Kind("dxf", "DXF drawing", "image/vnd.dxf", (".dxf",), text=True)
DWG = Kind("dwg", "DWG drawing", "image/vnd.dwg", (".dwg",))
#: ASCII or binary; the ASCII form is scanned like the other text kinds.
STL = Kind("stl", "STL model", "model/stl", (".stl",), article="an")
TEXT = Kind("txt", "text file", "text/plain", (".txt",), text=True)

KINDS: tuple[Kind, ...] = (PDF, PNG, JPEG, WEBP, GIF, TIFF, STEP, IGES, DXF, DWG, STL, TEXT)

BY_EXTENSION: dict[str, Kind] = {ext: kind for kind in KINDS for ext in kind.extensions}

#: Browsers show these inline safely (no script, no active content).
INLINE_IMAGE_TYPES = frozenset({PNG.media_type, JPEG.media_type, WEBP.media_type, GIF.media_type})

ALLOWED = (
    "Allowed are PDF documents; PNG, JPEG, WebP, GIF and TIFF images; STEP, IGES, DXF, "
    "DWG and STL CAD files; and plain text (.txt)."
)
