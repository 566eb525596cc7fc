"""A file's name as people gave it, made safe to keep, show and send back.

The name is only ever a label (the bytes are kept under their digest), but it travels
into download headers, pages and other people's file systems, so anything that could
mean a path, hide a character or spoof an extension is refused rather than rewritten:
the person uploading sees why and chooses a better name.
"""

from __future__ import annotations

import unicodedata

from orderforge.engines.files.errors import UploadRefused
from orderforge.engines.files.kinds import ALLOWED, BY_EXTENSION, Kind

MAX_NAME_LENGTH = 120


def _hidden_character(name: str) -> str | None:
    """The first control or invisible formatting character (a right-to-left override
    turns "gpj.exe" into "exe.jpg" on screen), as U+XXXX, or None."""
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return f"U+{ord(char):04X}"
    return None


def clean_name(raw: str) -> tuple[str, Kind]:
    """The cleaned name and the kind its extension promises; UploadRefused(field="name")
    otherwise."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise UploadRefused("The file needs a name.", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise UploadRefused(
            f"The file name is {len(name)} characters long; at most {MAX_NAME_LENGTH} are allowed.",
            field="name",
        )
    hidden = _hidden_character(name)
    if hidden is not None:
        raise UploadRefused(
            f"The file name contains a control or invisible character ({hidden}).", field="name"
        )
    if "/" in name or "\\" in name:
        raise UploadRefused(
            "The file name must not contain / or \\ (a name, not a path).", field="name"
        )
    if name.startswith("."):
        raise UploadRefused("The file name must not start with a dot.", field="name")
    stem, dot, extension = name.rpartition(".")
    kind = BY_EXTENSION.get("." + extension.lower()) if dot and stem.strip() else None
    if kind is None:
        shown = f"the extension '.{extension}'" if dot and extension else "no extension"
        raise UploadRefused(
            f"The file name has {shown}, which is not an allowed kind of file. {ALLOWED}",
            field="name",
        )
    return name, kind
