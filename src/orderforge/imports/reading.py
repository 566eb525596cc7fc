"""Reading an uploaded file into a header and rows of text: CSV (UTF-8, with or without
a byte order mark; comma or semicolon) or Excel (.xlsx, the first sheet, read with
openpyxl in read-only mode).

Everything a file can be wrong about before its rows are checked is refused here with
a sentence naming `file`: too large, an unknown extension, not UTF-8, a NUL byte, not a
workbook, no header, too many rows. Cells come out as text whatever their type in the
sheet (Excel dates as ISO dates, whole numbers without ".0"), so checking them is one
code path for both formats.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from orderforge.domain.errors import InvalidInput
from orderforge.imports.domain import MAX_COLUMNS, MAX_ROWS, Row

#: A workbook may unpack to this many times the upload limit (its XML compresses well),
#: and never to more than MAX_UNPACKED: a small file must not expand to gigabytes.
UNPACK_FACTOR = 10
MAX_UNPACKED = 512 * 1024 * 1024
#: Excel's binary format and other spreadsheets: say what to save instead.
_OTHER_SHEETS = {"xls", "xlsm", "xlsb", "ods", "numbers"}
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[Row]


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="file")


def extension(file_name: str) -> str:
    name = file_name.replace("\x00", "").strip().lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def read_sheet(file_name: str, data: bytes, max_bytes: int, max_rows: int = MAX_ROWS) -> Sheet:
    """The file's header and its non-blank rows (numbered as in the sheet: the header
    is row 1), or InvalidInput naming `file` with what is wrong and what to do."""
    if not data:
        raise _refuse("The file is empty.")
    if len(data) > max_bytes:
        raise _refuse(
            f"The file is larger than {max_bytes // (1024 * 1024) or 1} MB, the upload limit."
        )
    kind = extension(file_name)
    if kind == "xlsx":
        table = _xlsx_rows(data, max_rows)
    elif kind in ("csv", "txt"):
        table = _csv_rows(data, max_rows)
    elif kind in _OTHER_SHEETS:
        raise _refuse(f"A .{kind} file cannot be read: save it as .xlsx or as CSV UTF-8.")
    else:
        raise _refuse("Upload a .csv or .xlsx file (the file name tells which it is).")
    return _sheet(table, max_rows)


def _sheet(table: list[tuple[int, list[str]]], max_rows: int) -> Sheet:
    if not table:
        raise _refuse("The file has no header row (the first row names the columns).")
    _, header = table[0]
    while header and not header[-1].strip():
        header = header[:-1]  # spreadsheets often carry blank trailing columns
    if len(header) > MAX_COLUMNS:
        raise _refuse(f"The file has {len(header)} columns; at most {MAX_COLUMNS} fit.")
    names = [h.strip().lower() for h in header]
    rows: list[Row] = []
    for number, cells in table[1:]:
        if not any(c.strip() for c in cells):
            continue  # blank rows (often trailing in spreadsheets) are not records
        if len(rows) >= max_rows:
            raise _refuse(f"The file has more than {max_rows} rows; split it into several.")
        extra = [c for c in cells[len(names) :] if c.strip()]
        if extra:
            raise _refuse(
                f"Row {number} has more cells than the header has columns "
                f"({len(names)}); name every column in the header."
            )
        padded = cells + [""] * (len(names) - len(cells))
        rows.append(Row(number, dict(zip(names, padded[: len(names)], strict=True))))
    return Sheet(header, rows)


def _csv_rows(data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise _refuse(
            f"Line {line} contains a NUL byte: the file is not text. Is it UTF-16? "
            "Save it as CSV UTF-8."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _refuse(
            f"The file is not UTF-8 (line {line} has a byte that UTF-8 does not allow). "
            "Save it as CSV UTF-8 and upload it again."
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table: list[tuple[int, list[str]]] = []
    filled = 0
    try:
        for record in reader:
            # the record's number in the sheet (a quoted cell may span lines)
            table.append((len(table) + 1, record))
            filled += any(c.strip() for c in record)
            if _enough(len(table), filled, max_rows):
                break
    except csv.Error as exc:
        raise _refuse(f"Line {reader.line_num} is not valid CSV: {exc}.") from None
    return table


def _xlsx_rows(data: bytes, max_rows: int) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported when a workbook comes: it is large

    if not data.startswith(_ZIP):
        raise _refuse("The file is named .xlsx but is not an Excel workbook.")
    _check_unpacked(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _refuse(f"The workbook cannot be read ({type(exc).__name__}).") from None
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others
        raise _refuse(f"The workbook cannot be read ({type(exc).__name__}).") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return []
        table: list[tuple[int, list[str]]] = []
        filled = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v, number) for v in values[: MAX_COLUMNS + 1]]
            table.append((number, cells))
            filled += any(c.strip() for c in cells)
            if _enough(len(table), filled, max_rows):
                break
        return table
    finally:
        book.close()


def _check_unpacked(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to far more than a spreadsheet needs, before
    any of it is unpacked (the sizes are in the zip's directory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(f"The workbook cannot be read ({type(exc).__name__}).") from None
    limit = min(MAX_UNPACKED, UNPACK_FACTOR * max(len(data), 1024 * 1024))
    if unpacked > limit:
        raise _refuse(
            f"The workbook unpacks to {unpacked // (1024 * 1024)} MB, more than a sheet of "
            f"{MAX_ROWS} rows needs; save it as CSV UTF-8."
        )


def _enough(read: int, filled: int, max_rows: int) -> bool:
    """Stop reading once the file has shown it is over the row limit (one row past it
    is enough to say so), or after a bound on blank rows, so no file makes us read on."""
    return filled > max_rows + 1 or read > 4 * max_rows + 1000


def _cell(value: Any, row: int) -> str:
    """A cell as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)).normalize(), "f")
    text = str(value)
    if "\x00" in text:
        raise _refuse(f"Row {row} contains a NUL character.")
    return text
