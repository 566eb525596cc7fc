"""The check every uploaded file passes before it is kept (design documents, message
attachments): a safe name, a size within the limit, and content that is what the name
says and is never something a browser would run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from orderforge.engines.files import sniff
from orderforge.engines.files.errors import UploadRefused
from orderforge.engines.files.kinds import ALLOWED, STL, Kind
from orderforge.engines.files.names import clean_name

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the check: its cleaned name, the type it is served as, what
    people call it, and its size and SHA-256 (the name its bytes are kept under)."""

    name: str
    media_type: str
    kind_label: str
    size: int
    sha256: str


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise UploadRefused("The file is empty.", field="file")
    if len(data) > max_bytes:
        raise UploadRefused(
            f"The file is {_megabytes(len(data))}; files may be at most {_megabytes(max_bytes)}.",
            field="file",
        )


def _check_content(kind: Kind, data: bytes) -> None:
    seen = sniff.never_allowed(data)
    if seen is None and not sniff.matches(kind, data):
        seen = sniff.describe(data)
    if seen is not None:
        raise UploadRefused(
            f"The file is named as {kind.described} but its content looks like {seen}. {ALLOWED}",
            field="file",
        )
    scanned = kind.text or (kind is STL and not sniff.is_binary_stl(data))
    opener = sniff.markup_opener(data) if scanned else None
    if opener is not None:
        raise UploadRefused(
            f"The file contains web markup ('{opener}'), which {kind.described} never holds; "
            "it is refused so no browser can run it.",
            field="file",
        )


def check_upload(name: str, data: bytes, max_bytes: int) -> CheckedFile:
    """The checked file, or UploadRefused naming the field ("name" or "file") and why.

    The name is checked first (it is the cheapest and the person can fix it at once),
    then the size, then the content."""
    cleaned, kind = clean_name(name)
    _check_size(data, max_bytes)
    _check_content(kind, data)
    return CheckedFile(
        name=cleaned,
        media_type=kind.media_type,
        kind_label=kind.label,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
