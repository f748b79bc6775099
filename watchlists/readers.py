"""Reading publisher files defensively: refuse what is not the expected format before parsing it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from highfence.watchlists.model import ListFormatError

_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


def read_bytes(path: Path, what: str) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ListFormatError("file not found", file=str(path)) from None
    except OSError as exc:
        raise ListFormatError(f"cannot read ({exc.strerror or exc})", file=str(path)) from None
    if not data.strip():
        raise ListFormatError(f"empty file, expected {what}", file=str(path))
    return data


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_STARTS) or (head.startswith(b"<?xml") and b"<html" in head)


def refuse_html(data: bytes, path: Path, what: str) -> None:
    if looks_like_html(data):
        raise ListFormatError(f"got an HTML page, expected {what} (an error or login page served instead?)",
                              file=str(path))


def decode(data: bytes, path: Path) -> str:
    """The text of a file whose encoding is not declared: a UTF-16 byte-order mark, else UTF-8 (with or without a
    BOM), else Windows-1252, else Latin-1 (which reads any bytes)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def csv_rows(path: Path, *, what: str, header: bool = True, required: tuple[str, ...] = (),
             width: int | None = None, delimiter: str = ",") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line number, fields)]). A row with the wrong number of fields, or a file that ends inside a
    quoted field, is refused as malformed or truncated, naming the row."""
    data = read_bytes(path, what)
    refuse_html(data, path, what)
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 text has NULs
        raise ListFormatError(f"binary file, expected {what}", file=str(path))
    text = decode(data, path).replace("\x1a", "")  # OFAC's legacy files end with a DOS EOF marker
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    names: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue
            if header and not names:
                names = [f.strip().lstrip("\ufeff") for f in fields]
                missing = [c for c in required if c not in names]
                if missing:
                    raise ListFormatError(f"missing required column(s) {', '.join(missing)}; header is {names[:8]}",
                                          file=str(path), row=reader.line_num)
                width = len(names)
                continue
            if width is not None and len(fields) != width:
                last = reader.line_num >= text.count("\n") and not text.endswith("\n")
                problem = "file ends mid-record (truncated download?)" if last else "wrong number of fields"
                raise ListFormatError(f"{problem}: {len(fields)} fields, expected {width}",
                                      file=str(path), row=reader.line_num)
            rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise ListFormatError(f"malformed CSV ({exc}); truncated download?", file=str(path),
                              row=reader.line_num) from None
    if header and not names:
        raise ListFormatError(f"no header row, expected {what}", file=str(path))
    return names, rows


def read_json_lines(path: Path, what: str, hint: str = ""):
    """(row, value) of each non-blank line of a JSON-lines file, refused whole if it is an HTML page; a line that
    is not JSON names its row (``hint`` adds a likely cause)."""
    import json

    data = read_bytes(path, what)
    refuse_html(data, path, what)
    for row, line in enumerate(decode(data, path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListFormatError(f"not a JSON object ({exc.msg}){hint}", file=str(path), row=row) from None
        yield row, value


def read_json(path: Path, what: str):
    """A JSON document, refused whole if it is an HTML page, empty, or cut short."""
    import json

    data = read_bytes(path, what)
    refuse_html(data, path, what)
    try:
        return json.loads(decode(data, path))
    except json.JSONDecodeError as exc:
        raise ListFormatError(f"not valid JSON ({exc.msg} at line {exc.lineno}); truncated download?",
                              file=str(path)) from None
