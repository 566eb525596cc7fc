"""What a file's bytes are, judged by their content and never by their name.

The `filetype` library knows the binary formats by their magic bytes; the CAD and text
formats it does not know are recognised here by their own headers. Two questions are
asked: does the content match the kind its name promises (`matches`), and, when it does
not, what does it look like (`describe`), so the refusal can say so.
"""

from __future__ import annotations

import re
import struct

import filetype

from orderforge.engines.files import kinds
from orderforge.engines.files.kinds import Kind

#: Text kinds are scanned this far for markup; a browser sniffing a file looks no further.
SCAN_BYTES = 64 * 1024
MARKUP_OPENERS = (b"<script", b"<html", b"<svg", b"<!doctype", b"<?xml")

_BOM = b"\xef\xbb\xbf"
_DWG = re.compile(rb"AC10\d\d")
_TAG = re.compile(rb"<[A-Za-z!?/]")
_GIF = (b"GIF87a", b"GIF89a")
_MACH_O = (
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)  # fmt: skip
#: Binary formats that can be plain ASCII, so that being valid text does not rule them out.
_ASCII_FORMATS = ("pdf", "ps", "rtf")
_BINARY_MATCHERS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",), "png": ("png", "apng"), "jpeg": ("jpg",), "webp": ("webp",),
    "gif": ("gif",), "tiff": ("tif",), "dwg": ("dwg",),
}  # fmt: skip


def _head(data: bytes) -> bytes:
    """The first bytes with a UTF-8 byte-order mark and leading white space removed."""
    head = data[:SCAN_BYTES]
    return head.removeprefix(_BOM).lstrip()


def _filetype_says(data: bytes, ext: str) -> bool:
    matcher = filetype.get_type(ext=ext)
    return matcher is not None and bool(matcher.match(bytearray(data[:8192])))


def _is_step(data: bytes) -> bool:
    return _head(data).startswith(b"ISO-10303-21;")


def _is_iges(data: bytes) -> bool:
    """IGES ASCII form: 80-column records; the first is a Start record ("S" in column 73,
    its sequence number in 74-80)."""
    first = data[:82].split(b"\n", 1)[0].rstrip(b"\r")
    return len(first) == 80 and first[72:73] == b"S" and first[73:].strip().isdigit()


def _is_dxf(data: bytes) -> bool:
    """ASCII DXF: group-code/value line pairs, opening (after any 999 comments) with
    0 / SECTION."""
    lines = [line.strip() for line in data[:4096].splitlines()]
    index = 0
    while index + 1 < len(lines) and lines[index] == b"999":
        index += 2
    return lines[index : index + 2] == [b"0", b"SECTION"]


def _is_ascii_stl(data: bytes) -> bool:
    head = _head(data)
    return head.startswith(b"solid") and (b"facet" in head or b"endsolid" in head)


def is_binary_stl(data: bytes) -> bool:
    """Binary STL: an 80-byte header, a triangle count, and 50 bytes per triangle; the
    length must agree with the count, which random bytes almost never do."""
    if len(data) < 84 + 50:
        return False
    (count,) = struct.unpack_from("<I", data, 80)
    return len(data) == 84 + 50 * int(count)


def is_text(data: bytes) -> bool:
    """UTF-8 (a byte-order mark allowed) without NUL characters."""
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _ascii_format(data: bytes) -> str | None:
    """A binary format whose file can be plain ASCII (a PDF, PostScript, RTF), else None."""
    for ext in _ASCII_FORMATS:
        if _filetype_says(data, ext):
            return ext
    return None


def matches(kind: Kind, data: bytes) -> bool:
    """Whether the content is of the kind its name promises."""
    if kind.key in _BINARY_MATCHERS:
        if not any(_filetype_says(data, ext) for ext in _BINARY_MATCHERS[kind.key]):
            return False
        if kind is kinds.GIF:
            return data.startswith(_GIF)
        return kind is not kinds.DWG or _DWG.match(data) is not None
    if kind is kinds.STEP:
        return _is_step(data) and b"\0" not in data
    if kind is kinds.IGES:
        return _is_iges(data) and b"\0" not in data
    if kind is kinds.DXF:
        return _is_dxf(data) and b"\0" not in data
    if kind is kinds.STL:
        if is_binary_stl(data):
            # the header is free text, so an archive or program could pose as one
            return filetype.archive_match(bytearray(data[:8192])) is None
        return _is_ascii_stl(data) and b"\0" not in data
    return kind is kinds.TEXT and is_text(data) and _ascii_format(data) is None


def never_allowed(data: bytes) -> str | None:
    """What the content looks like when it is markup or a program, which is refused
    whatever the file is called; None otherwise."""
    head = _head(data)
    lowered = head[:SCAN_BYTES].lower()
    if head.startswith(b"<"):
        if b"<svg" in lowered:
            return "an SVG image"
        if lowered.startswith((b"<!doctype html", b"<html")) or b"<script" in lowered:
            return "an HTML page"
        if lowered.startswith(b"<?xml"):
            return "an XML document"
        if _TAG.match(head):
            return "HTML or XML markup"
    if data.startswith(b"MZ"):
        return "a Windows program"
    if data.startswith(b"\x7fELF"):
        return "a Linux program"
    if data.startswith(_MACH_O):
        return "a macOS program (or Java class)"
    if head.startswith(b"#!"):
        return "a script"
    return None


def markup_opener(data: bytes) -> str | None:
    """The first markup or script opener in the first 64 KB (case-insensitive)."""
    lowered = data[:SCAN_BYTES].lower()
    found = [(lowered.find(opener), opener) for opener in MARKUP_OPENERS if opener in lowered]
    return min(found)[1].decode() if found else None


def describe(data: bytes) -> str:
    """What the content looks like, for the sentence that refuses it."""
    seen = never_allowed(data)
    if seen is not None:
        return seen
    for kind in kinds.KINDS:
        if kind is not kinds.TEXT and matches(kind, data):
            return kind.described
    guessed = filetype.guess(bytearray(data[:8192]))
    if guessed is not None and not is_text(data):
        return f"a {str(guessed.extension).upper()} file ({guessed.mime})"
    if is_text(data):
        return "plain text"
    return "data of no recognised kind"
