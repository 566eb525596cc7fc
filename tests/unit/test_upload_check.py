"""The upload check: every allowed kind passes with a realistic small file, every
dangerous or mismatched one is refused with the field to fix and a sentence, and no
name or content slips through by chance (hypothesis)."""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderforge.engines.files import UploadRefused, check_upload

MB = 1024 * 1024
LIMIT = 20 * MB


def png_bytes() -> bytes:
    """A real 1x1 RGB PNG: signature, IHDR, one zlib-compressed scanline, IEND."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9"
)
WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00"
    b"\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
TIFF = (
    b"II*\x00\x08\x00\x00\x00" + b"\x01\x00" + b"\x00\x01\x03\x00\x01\x00\x00\x00\x01\x00\x00\x00"
)
TIFF += b"\x00\x00\x00\x00"
STEP = (
    b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('bracket'),'2;1');\n"
    b"FILE_NAME('bracket.step','2026-11-30T12:00:00',(''),(''),'','','');\n"
    b"FILE_SCHEMA(('AUTOMOTIVE_DESIGN'));\nENDSEC;\nDATA;\n"
    b"#1=CARTESIAN_POINT('',(0.,0.,0.));\nENDSEC;\nEND-ISO-10303-21;\n"
)
IGES = (
    b"Bracket exported for review".ljust(72)
    + b"S      1\n"
    + b"1H,,1H;,7Hbracket,11Hbracket.igs;".ljust(72)
    + b"G      1\n"
    + b"S      1G      1D      0P      0".ljust(72)
    + b"T      1\n"
)
DXF = b"999\nmade by hand\n  0\nSECTION\n  2\nHEADER\n  0\nENDSEC\n  0\nEOF\n"
DWG = b"AC1032\x00\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 2
STL_ASCII = (
    b"solid bracket\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n"
    b"   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid bracket\n"
)


def stl_binary(triangles: int = 2) -> bytes:
    header = b"binary STL from a CAD exporter".ljust(80, b"\x00")
    facet = struct.pack("<12fH", 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0)
    return header + struct.pack("<I", triangles) + facet * triangles


ACCEPTED = [
    ("drawing.pdf", PDF, "application/pdf"),
    ("photo.png", png_bytes(), "image/png"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("photo.JPEG", JPEG, "image/jpeg"),
    ("photo.webp", WEBP, "image/webp"),
    ("anim.gif", GIF, "image/gif"),
    ("scan.tif", TIFF, "image/tiff"),
    ("scan.tiff", TIFF, "image/tiff"),
    ("bracket.step", STEP, "model/step"),
    ("bracket.stp", b"\xef\xbb\xbf" + STEP, "model/step"),
    ("bracket.igs", IGES, "model/iges"),
    ("bracket.iges", IGES.replace(b"\n", b"\r\n"), "model/iges"),
    ("plate.dxf", DXF, "image/vnd.dxf"),
    ("plate.dwg", DWG, "image/vnd.dwg"),
    ("part.stl", STL_ASCII, "model/stl"),
    ("part.stl", stl_binary(), "model/stl"),
    ("notes.txt", "Bohrung Ø12 H7, Kante gebrochen — bitte prüfen.\n".encode(), "text/plain"),
    ("BMW notes.txt", b"BMW supplier notes\n", "text/plain"),
    ("  Lagerbock Ä-2 rev C.pdf  ", PDF, "application/pdf"),
]


@pytest.mark.parametrize(("name", "data", "media_type"), ACCEPTED)
def test_each_allowed_kind_is_accepted(name: str, data: bytes, media_type: str) -> None:
    checked = check_upload(name, data, LIMIT)
    assert checked.media_type == media_type
    assert checked.name == name.strip()
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.kind_label


def refusal(name: str, data: bytes, max_bytes: int = LIMIT) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        check_upload(name, data, max_bytes)
    error = caught.value
    assert error.message.endswith("."), error.message
    assert error.message[0].isupper()
    return error


SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api')</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
ELF = b"\x7fELF\x02\x01\x01" + bytes(120)
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100)


@pytest.mark.parametrize(
    ("name", "data", "field", "words"),
    [
        ("drawing.pdf", HTML, "file", "HTML page"),
        ("drawing.pdf", b"  \n<html><p>hi</p></html>", "file", "HTML page"),
        ("logo.svg", SVG_SCRIPT, "name", "not an allowed kind"),
        ("logo.png", SVG_SCRIPT, "file", "SVG image"),
        ("data.pdf", b'<?xml version="1.0"?><order/>', "file", "XML document"),
        ("setup.exe", EXE, "name", "not an allowed kind"),
        ("setup.pdf", EXE, "file", "Windows program"),
        ("tool.stl", ELF, "file", "Linux program"),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", "file", "script"),
        ("bundle.zip", ZIP, "name", "not an allowed kind"),
        ("bundle.pdf", ZIP, "file", "ZIP"),
        ("photo.png", JPEG, "file", "JPEG image"),
        ("photo.png", PDF, "file", "PDF document"),
        ("drawing.pdf", png_bytes(), "file", "PNG image"),
        ("drawing.pdf", b"just some words", "file", "plain text"),
        ("notes.txt", PDF, "file", "PDF document"),
        ("notes.txt", b"caf\xe9 latin-1", "file", "no recognised kind"),
        ("notes.txt", b"a\x00b", "file", "no recognised kind"),
        ("bracket.step", b"not a step file", "file", "plain text"),
        ("part.stl", stl_binary()[:-1], "file", "no recognised kind"),
        ("app.js", b"alert(1)", "name", "not an allowed kind"),
        ("drawing.pdf", b"", "file", "empty"),
        ("../../etc/passwd.pdf", PDF, "name", "/"),
        ("a/b.pdf", PDF, "name", "/"),
        ("C:\\x.pdf", PDF, "name", "\\"),
        ("a\x00b.pdf", PDF, "name", "U+0000"),
        ("invoice\u202efdp.exe", PDF, "name", "U+202E"),
        ("x" * 117 + ".pdf", PDF, "name", "121 characters"),
        ("README", b"hello", "name", "no extension"),
        ("report.", PDF, "name", "no extension"),
        (".pdf", PDF, "name", "start with a dot"),
        ("..", PDF, "name", "dot"),
        ("   ", PDF, "name", "needs a name"),
    ],
)
def test_refusals_name_the_field_and_say_why(
    name: str, data: bytes, field: str, words: str
) -> None:
    error = refusal(name, data)
    assert error.field == field
    assert words in error.message


def test_a_mismatch_says_what_is_allowed() -> None:
    error = refusal("drawing.pdf", HTML)
    assert "Allowed are PDF documents" in error.message


def test_oversized_file_is_refused_with_the_limit_in_megabytes() -> None:
    data = PDF + b"%" * (2 * MB)
    error = refusal("drawing.pdf", data, max_bytes=2 * MB)
    assert error.field == "file"
    assert "at most 2 MB" in error.message
    assert check_upload("drawing.pdf", data, max_bytes=3 * MB).size == len(data)


def test_a_120_character_name_is_the_longest_allowed() -> None:
    assert len(check_upload("x" * 116 + ".pdf", PDF, LIMIT).name) == 120


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bracket.step", STEP + b"/* <script>alert(1)</script> */"),
        ("notes.txt", b"Dear customer,\n<SCRIPT src=//evil></SCRIPT>\n"),
        ("plate.dxf", DXF + b"999\n<svg onload=alert(1)>\n"),
        ("part.stl", STL_ASCII.replace(b"endsolid", b"<html>endsolid")),
        ("bracket.igs", IGES + b"<!DOCTYPE html>"),
        ("notes.txt", b"order notes\n<?XML version='1.0'?><note/>\n"),
    ],
)
def test_text_kinds_carrying_markup_are_refused(name: str, data: bytes) -> None:
    error = refusal(name, data)
    assert error.field == "file"
    assert "markup" in error.message or "looks like" in error.message


def test_markup_beyond_the_first_64_kb_of_text_is_not_looked_for() -> None:
    data = b"notes\n" * 11_000 + b"<script>"
    assert len(data) - len(b"<script>") > 64 * 1024
    assert check_upload("notes.txt", data, LIMIT).media_type == "text/plain"


def test_a_pdf_may_carry_xml_metadata() -> None:
    data = PDF.replace(b"trailer", b"<?xml version='1.0'?><x:xmpmeta/>\ntrailer")
    assert check_upload("drawing.pdf", data, LIMIT).media_type == "application/pdf"


def test_a_binary_stl_posing_as_an_archive_is_refused() -> None:
    data = bytearray(stl_binary(3))
    data[:4] = b"PK\x03\x04"
    assert refusal("part.stl", bytes(data)).field == "file"


# --- properties ------------------------------------------------------------------------

names = st.text(min_size=0, max_size=140) | st.builds(
    lambda prefix, stem, ext: prefix + stem + ext,
    st.sampled_from(["", ".", "..", "../", "/", "\\", " .", "\x00", "a/", "\u202e"]),
    st.text(max_size=40),
    st.sampled_from([".pdf", ".PNG", ".txt", ".step", ".exe", ".", ""]),
)


@settings(max_examples=400)
@given(names)
def test_random_names_never_yield_a_dangerous_cleaned_name(name: str) -> None:
    try:
        checked = check_upload(name, b"hello", LIMIT)
    except UploadRefused as error:
        assert error.field in ("name", "file")
        return
    for bad in ("/", "\\", "\x00"):
        assert bad not in checked.name
    assert not checked.name.startswith(".")
    assert checked.name == checked.name.strip()
    assert 0 < len(checked.name) <= 120


MAGICS = [
    b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"GIF89a", b"GIF8", b"II*\x00", b"MM\x00*", b"AC1032", b"AC10", b"ISO-10303-21;",
    b"0\nSECTION\n", b"solid x\n", b"MZ", b"\x7fELF", b"PK\x03\x04", b"<svg", b"<html",
]  # fmt: skip


EXTENSIONS = [".pdf", ".png", ".jpg", ".webp", ".gif", ".tif", ".dwg", ".step", ".igs", ".dxf"]
EXTENSIONS += [".stl", ".txt"]


def starts_like(ext: str, data: bytes) -> bool:
    """What each kind's files begin with, written independently of the checker."""
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    count = struct.unpack_from("<I", data, 80)[0] if len(data) >= 84 else -1
    return {
        ".pdf": data.removeprefix(b"\xef\xbb\xbf").startswith(b"%PDF"),
        ".png": data.startswith(b"\x89PNG"),
        ".jpg": data.startswith(b"\xff\xd8\xff"),
        ".webp": data[:4] == b"RIFF" and data[8:12] == b"WEBP",
        ".gif": data.startswith((b"GIF87a", b"GIF89a")),
        ".tif": data.startswith((b"II*\x00", b"MM\x00*")),
        ".dwg": data.startswith(b"AC10"),
        ".step": head.startswith(b"ISO-10303-21;"),
        ".igs": data[72:73] == b"S",
        ".dxf": b"SECTION" in data,
        ".stl": head.startswith(b"solid") or len(data) == 84 + 50 * count,
        ".txt": b"\x00" not in data and bool(data.decode("utf-8", "ignore")),
    }[ext]


@settings(max_examples=600)
@given(
    st.sampled_from(MAGICS),
    st.binary(max_size=300),
    st.sampled_from(EXTENSIONS),
)
def test_random_bytes_are_never_accepted_as_a_kind_they_do_not_start_like(
    magic: bytes, tail: bytes, ext: str
) -> None:
    data = magic + tail
    try:
        check_upload("file" + ext, data, LIMIT)
    except UploadRefused as error:
        assert error.field == "file"
        return
    assert starts_like(ext, data)
    assert not data.lstrip().lower().startswith((b"<svg", b"<html"))
    assert not data.startswith((b"MZ", b"\x7fELF"))
