"""Download responses for kept files: the browser is told exactly what the file is,
may not guess otherwise, shows only plain images inline, runs nothing, caches nothing,
and gets the file's name back exactly whatever characters it holds."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient

from orderforge.entrypoints.api.downloads import ascii_filename, file_response
from orderforge.entrypoints.api.hardening import CSP, SecurityHeaders

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


def client(name: str, data: bytes, media_type: str, *, inline_images: bool = True) -> TestClient:
    app = FastAPI()

    @app.get("/file")
    def download() -> Response:
        return file_response(data, name, media_type, inline_images=inline_images)

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<p>page</p>"

    return TestClient(SecurityHeaders(app))


def filename_of(disposition: str) -> str:
    """The name as RFC 6266 tells a browser to read it: `filename*` when present, sent
    after the ASCII `filename` (some old clients take the first one they see)."""
    params = [part.strip() for part in disposition.split(";")[1:]]
    assert params[0].startswith('filename="')
    extended = [part for part in params if part.startswith("filename*=")]
    assert len(extended) == 1 and params[-1] == extended[0]
    charset, _, value = extended[0].removeprefix("filename*=").partition("''")
    assert charset == "UTF-8"
    assert re.fullmatch(r"[A-Za-z0-9!#$&+.^_`|~%-]*", value)  # RFC 5987 attr-chars only
    return unquote(value, encoding="utf-8", errors="strict")


def ascii_fallback(disposition: str) -> str:
    start = disposition.index('filename="') + len('filename="')
    return disposition[start : disposition.index('"', start)]


def test_a_pdf_is_an_attachment_with_every_protective_header() -> None:
    response = client("drawing.pdf", PDF, "application/pdf").get("/file")
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["cache-control"] == "private, no-store"
    assert filename_of(response.headers["content-disposition"]) == "drawing.pdf"


@pytest.mark.parametrize("media_type", ["image/png", "image/jpeg", "image/webp", "image/gif"])
def test_plain_raster_images_are_shown_inline(media_type: str) -> None:
    response = client("photo.png", PNG, media_type).get("/file")
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    "media_type", ["image/tiff", "model/step", "image/vnd.dwg", "text/plain", "image/svg+xml"]
)
def test_everything_else_is_a_download(media_type: str) -> None:
    response = client("file.bin", b"x", media_type).get("/file")
    assert response.headers["content-disposition"].startswith("attachment;")


def test_images_are_downloads_when_the_caller_says_so() -> None:
    response = client("photo.png", PNG, "image/png", inline_images=False).get("/file")
    assert response.headers["content-disposition"].startswith("attachment;")


def test_text_is_served_as_utf8_text() -> None:
    response = client("notes.txt", "Ø12 H7".encode(), "text/plain").get("/file")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_a_non_ascii_name_comes_back_exactly_with_an_ascii_fallback() -> None:
    name = "Zeichnung Ä-Ø 図面 (rev C).pdf"
    disposition = client(name, PDF, "application/pdf").get("/file").headers["content-disposition"]
    assert "filename*=UTF-8''" in disposition
    assert filename_of(disposition) == name
    fallback = ascii_fallback(disposition)
    assert fallback.isascii() and fallback.endswith(".pdf") and "A-" in fallback


@pytest.mark.parametrize(
    "name", ['say "hi"; filename=evil.exe.pdf', 'a\\"b.pdf', "100%25 sure.pdf", "x,y=z;.pdf"]
)
def test_quotes_and_separators_in_a_name_cannot_break_the_header(name: str) -> None:
    disposition = client(name, PDF, "application/pdf").get("/file").headers["content-disposition"]
    assert filename_of(disposition) == name
    fallback = ascii_fallback(disposition)
    assert not set(fallback) & set('"\\;%')
    assert disposition.count('"') == 2


def test_a_name_of_only_foreign_letters_falls_back_to_download() -> None:
    disposition = (
        client("図面.pdf", PDF, "application/pdf").get("/file").headers["content-disposition"]
    )
    assert ascii_fallback(disposition) == "download.pdf"
    assert filename_of(disposition) == "図面.pdf"


def test_a_line_break_in_a_stored_name_cannot_add_a_header() -> None:
    name = "a\r\nSet-Cookie: sid=stolen\r\n.pdf"
    response = client(name, PDF, "application/pdf").get("/file")
    assert "set-cookie" not in response.headers
    assert filename_of(response.headers["content-disposition"]) == name
    assert ascii_filename(name).isprintable()


def test_the_site_middleware_keeps_the_download_policy_and_still_guards_pages() -> None:
    test_client = client("drawing.pdf", PDF, "application/pdf")
    download = test_client.get("/file")
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert download.headers["x-frame-options"] == "DENY"
    assert download.headers.get_list("x-content-type-options") == ["nosniff"]
    assert test_client.get("/page").headers["content-security-policy"] == CSP


def test_a_media_type_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="media type"):
        file_response(PDF, "x.pdf", "text/html\r\nX-Evil: 1")
