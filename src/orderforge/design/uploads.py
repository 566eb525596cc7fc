"""Checking a design document before it is kept: the file store takes only what the
upload check recognises (drawings, PDF, images, CAD files), never active content."""

from __future__ import annotations

from dataclasses import dataclass

from orderforge.domain.errors import InvalidInput
from orderforge.services.context import ServiceContext

# TEMPORARY until the files branch lands: replaced by engines.files.check_upload.
DEFAULT_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    name: str
    media_type: str


def upload_limit(ctx: ServiceContext) -> int:
    del ctx
    return DEFAULT_LIMIT


def checked_file(ctx: ServiceContext, name: str, data: bytes) -> tuple[Checked, bytes]:
    if len(data) > upload_limit(ctx):
        raise InvalidInput("too large", field="files")
    if "/" in name or "\\" in name or not name:
        raise InvalidInput("bad name", field="files")
    return Checked(name, "application/octet-stream"), data
