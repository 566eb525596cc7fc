"""Checks on uploaded files (pure: a name and bytes in, a verdict out): the name is safe,
the size is within the limit, and the content is the kind the name says and never one a
browser would run. Uses the `filetype` library for binary formats' magic bytes."""

from orderforge.engines.files.errors import UploadRefused
from orderforge.engines.files.kinds import ALLOWED, INLINE_IMAGE_TYPES, KINDS, Kind
from orderforge.engines.files.upload import CheckedFile, check_upload

__all__ = [
    "ALLOWED",
    "INLINE_IMAGE_TYPES",
    "KINDS",
    "CheckedFile",
    "Kind",
    "UploadRefused",
    "check_upload",
]
