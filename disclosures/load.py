"""Reading and validating disclosures from JSON, XLSX (one sheet per section) or CSV (one section per file).
Everything is validated before anything is written: one bad cell rejects the whole file."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from highfence.disclosures.labels import LABELS, SHEETS, VALUE_WORDS
from highfence.disclosures.model import AFFILIATION_KINDS, FUNDING_STATUS, REQUIRED, SECTIONS, Disclosure, Item, \
    parse_partial_date
from highfence.errors import InputError

DATE_FIELDS = ("start", "end", "signed_on")
RESTRICTED_SECTIONS = ("nda_collaborations",)


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file] + ([f"sheet '{self.sheet}'"] if self.sheet else []) + (
            [f"row {self.row}"] if self.row is not None else []) + ([f"column '{self.column}'"] if self.column else [])
        return f"{', '.join(where)}: {self.message}"


class DisclosureErrors(InputError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more; 'highfence disclosures check FILE' lists them all)" \
            if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}; nothing was loaded")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


_FIELD_BY_LABEL = {_norm(k): k for k in LABELS} | {_norm(v): k for k, labels in LABELS.items() for v in labels}
_SECTION_BY_NAME = {_norm(k): k for k in SECTIONS} | {_norm(v): k for k, names in SHEETS.items() for v in names}


def field_for(header: str) -> str | None:
    """A header cell is the field key, its English or Japanese label, or the label with the key on a second line."""
    lines = [ln for ln in str(header or "").splitlines() if ln.strip()]
    for candidate in reversed(lines):
        key = _FIELD_BY_LABEL.get(_norm(candidate))
        if key:
            return key
    return None


def _currency_ok(code: str) -> bool:
    import pycountry

    return pycountry.currencies.get(alpha_3=code.upper()) is not None


def validate_item(section: str, raw: dict, problem) -> dict | None:
    """Clean one row; report every bad value through ``problem(column, message)``. None if anything is wrong.
    Messages about a restricted section (NDA collaborations) name the field only, never its value: they reach
    terminals, logs and run records."""
    out: dict = {}
    ok = True
    secret = section in RESTRICTED_SECTIONS

    def got(value) -> str:
        return "" if secret else f", got {value!r}"

    def quoted(value, sep: str = " ") -> str:
        return "" if secret else f"{sep}{value!r}"

    for key, value in raw.items():
        value = "" if value is None else (value.strip() if isinstance(value, str) else value)
        if value == "":
            continue
        if key in DATE_FIELDS:
            text = value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)
            text = str(int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else text
            try:
                parse_partial_date(text)
                out[key] = text
            except ValueError:
                problem(key, f"bad date{quoted(value)} (use YYYY, YYYY-MM or YYYY-MM-DD)")
                ok = False
        elif key == "amount":
            try:
                number = float(str(value).replace(",", ""))
            except ValueError:
                problem(key, f"not a number{quoted(value, ': ')}")
                ok = False
                continue
            if number < 0:
                problem(key, f"negative amount{quoted(value)}")
                ok = False
            out[key] = number
        elif key == "effort_percent":
            try:
                number = float(str(value).rstrip("%"))
            except ValueError:
                number = -1
            if not 0 <= number <= 100:
                problem(key, f"effort must be a percentage from 0 to 100{got(value)}")
                ok = False
            out[key] = number
        elif key == "currency":
            if not _currency_ok(str(value)):
                problem(key, f"unknown currency{quoted(value)} (ISO 4217 code such as JPY, USD, CNY)")
                ok = False
            out[key] = str(value).upper()
        elif key in ("kind", "status", "paid"):
            text = str(value).strip()
            mapped = VALUE_WORDS[key].get(text, VALUE_WORDS[key].get(text.lower(), text.lower()))
            allowed = {"kind": AFFILIATION_KINDS, "status": FUNDING_STATUS, "paid": (True, False)}[key]
            if key == "paid" and isinstance(value, bool):
                mapped = value
            if mapped not in allowed:
                problem(key, f"{key} must be one of {', '.join(map(str, allowed))}{got(value)}")
                ok = False
            out[key] = mapped
        else:
            out[key] = str(value)
    for key in REQUIRED[section]:
        if key not in out and ok:
            problem(key, f"missing {key}")
            ok = False
    if ok and out.get("start") and out.get("end"):
        if parse_partial_date(out["end"])[1] < parse_partial_date(out["start"])[0]:
            problem("end", "end is before start" if secret else f"end {out['end']} is before start {out['start']}")
            ok = False
    return out if ok else None


class _Collector:
    def __init__(self, path: Path):
        self.path = str(path)
        self.problems: list[Problem] = []
        self.by_researcher: dict[str, Disclosure] = {}

    def add_row(self, section: str, raw: dict, sheet: str | None, row: int | None) -> None:
        def problem(column, message):
            self.problems.append(Problem(self.path, sheet, row, column, message))

        unknown = [k for k in raw if k != "researcher_id" and k not in SECTIONS[section]]
        for k in unknown:
            problem(k, f"unknown field for {section} (expected {', '.join(SECTIONS[section])})")
        rid = str(raw.get("researcher_id") or "").strip()
        if not rid:
            problem("researcher_id", "missing researcher id")
        fields = validate_item(section, {k: v for k, v in raw.items() if k != "researcher_id" and k not in unknown},
                               problem)
        if fields is None or not rid or unknown:
            return
        d = self.by_researcher.setdefault(rid, Disclosure(rid))
        where = f"{self.path}" + (f", sheet '{sheet}'" if sheet else "") + (f", row {row}" if row else "")
        if section == "pledge":
            d.pledge = fields
        else:
            getattr(d, section).append(Item(section, fields, where))

    def result(self) -> list[Disclosure]:
        if self.problems:
            raise DisclosureErrors(self.problems)
        if not self.by_researcher:
            raise InputError("no disclosure in the file", file=self.path)
        return list(self.by_researcher.values())


def _load_json(path: Path, c: _Collector) -> None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", file=str(path), row=exc.lineno) from None
    for n, obj in enumerate(doc if isinstance(doc, list) else [doc], start=1):
        label = f"researcher {n}"
        if not isinstance(obj, dict):
            c.problems.append(Problem(c.path, None, n, None, "expected an object per researcher"))
            continue
        for key in obj:
            if key != "researcher_id" and key not in SECTIONS:
                c.problems.append(Problem(c.path, key, None, None,
                                          f"unknown section in {label} (expected {', '.join(SECTIONS)})"))
        rid = obj.get("researcher_id")
        if not rid:
            c.problems.append(Problem(c.path, None, n, "researcher_id", "missing researcher id"))
            continue
        c.by_researcher.setdefault(str(rid), Disclosure(str(rid)))
        for section in SECTIONS:
            value = obj.get(section)
            rows = [value] if section == "pledge" and isinstance(value, dict) else (value or [])
            for i, item in enumerate(rows, start=1):
                c.add_row(section, {"researcher_id": rid, **item}, section, i)


def _table_rows(section: str, header: list, rows, sheet: str | None, c: _Collector, first_row: int) -> None:
    fields = [field_for(h) for h in header]
    for h, f in zip(header, fields):
        if h not in (None, "") and f is None:
            c.problems.append(Problem(c.path, sheet, first_row - 1, str(h).splitlines()[0],
                                      f"unknown column (expected {', '.join(('researcher_id',) + SECTIONS[section])})"))
    for n, row in enumerate(rows, start=first_row):
        values = list(row)
        if not any(v not in (None, "") for v in values):
            continue
        c.add_row(section, {f: v for f, v in zip(fields, values) if f}, sheet, n)


def _load_xlsx(path: Path, c: _Collector) -> None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad workbook
        raise InputError(f"not a readable xlsx ({exc})", file=str(path)) from None
    for ws in wb.worksheets:
        section = _SECTION_BY_NAME.get(_norm(ws.title))
        if section is None:
            c.problems.append(Problem(c.path, ws.title, None, None,
                                      f"unknown sheet (expected {', '.join(v[0] for v in SHEETS.values())})"))
            continue
        rows = ws.iter_rows(values_only=True)
        header = list(next(rows, []))
        _table_rows(section, header, rows, ws.title, c, 2)
    wb.close()


def _load_csv(path: Path, c: _Collector) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        fields = {field_for(h) for h in header} - {None, "researcher_id"}
        section = _SECTION_BY_NAME.get(_norm(path.stem)) or next(
            (s for s, keys in SECTIONS.items() if fields and fields <= set(keys)), None)
        if section is None:
            raise InputError("cannot tell which section this CSV is: name it after the section "
                             f"({', '.join(SECTIONS)}) or use its columns", file=str(path), row=1)
        _table_rows(section, header, reader, None, c, 2)


def read_disclosures(path: str | Path) -> list[Disclosure]:
    """Every disclosure in the file (JSON, XLSX, a CSV, or a folder of section CSVs), or DisclosureErrors."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    c = _Collector(path)
    if path.is_dir():
        for csv_path in sorted(path.glob("*.csv")):
            c.path = str(csv_path)
            _load_csv(csv_path, c)
    elif path.suffix.lower() == ".json":
        _load_json(path, c)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        _load_xlsx(path, c)
    elif path.suffix.lower() == ".csv":
        _load_csv(path, c)
    else:
        raise InputError("expected a .json, .xlsx or .csv disclosure file", file=str(path))
    return c.result()
