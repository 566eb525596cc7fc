"""Checking a design document before it is kept: the file store takes only what the
upload check recognises (drawings, PDF, images, CAD files), never active content."""

from __future__ import annotations

from orderforge.domain.errors import InvalidInput
from orderforge.engines.files import CheckedFile, UploadRefused, check_upload
from orderforge.services.context import ServiceContext


def upload_limit(ctx: ServiceContext) -> int:
    """The largest file a revision takes (ORDERFORGE_MAX_UPLOAD_MB)."""
    return ctx.max_upload_bytes


def checked_file(ctx: ServiceContext, name: str, data: bytes) -> tuple[CheckedFile, bytes]:
    """The file as the check cleaned it, or InvalidInput naming the file and the reason
    (field `files`: the form's and the API's name for the documents)."""
    try:
        return check_upload(name, data, upload_limit(ctx)), data
    except UploadRefused as refused:
        shown = name.replace("\x00", "")[:80] or "(no name)"
        raise InvalidInput(f"{shown}: {refused}", field="files") from None
