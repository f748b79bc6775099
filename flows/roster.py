"""Roster files (CSV or XLSX): subject_id,kind,name,orcid,openalex_id,ror_id,home_institution."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from highfence.errors import InputError
from highfence.connectors.orcid import checksum_ok
from highfence.records import Subject

COLUMNS = ("subject_id", "kind", "name", "orcid", "openalex_id", "ror_id", "home_institution")
REQUIRED = ("subject_id", "kind", "name")
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_ROR = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}\d{2})$")


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad workbook
            raise InputError(f"not a readable xlsx ({exc})", file=str(path)) from None
        ws = wb[wb.sheetnames[0]]
        it = ws.iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(it, ())]
        rows = [(i, {h: ("" if v is None else str(v).strip()) for h, v in zip(header, r)})
                for i, r in enumerate(it, start=2) if any(v not in (None, "") for v in r)]
        wb.close()
        return header, rows
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = [(reader.line_num, {k: (v or "").strip() for k, v in r.items() if k})
                    for r in reader if any((v or "").strip() for v in r.values() if isinstance(v, str))]
            return list(reader.fieldnames or []), rows
    except FileNotFoundError:
        raise InputError("roster file not found", file=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a readable UTF-8 CSV ({exc})", file=str(path)) from None


def read_roster(path: str | Path) -> list[Subject]:
    path = Path(path)
    header, rows = _rows(path)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=str(path), row=1)
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column (expected {', '.join(COLUMNS)})", file=str(path), row=1, field=unknown[0])
    subjects, seen = [], {}
    for line, r in rows:
        def fail(field: str, msg: str) -> InputError:
            return InputError(msg, file=str(path), row=line, field=field)

        sid = r.get("subject_id", "")
        if not sid:
            raise fail("subject_id", "empty subject_id")
        if sid in seen:
            raise fail("subject_id", f"subject_id {sid!r} already used on row {seen[sid]}")
        seen[sid] = line
        kind = r.get("kind", "").lower()
        if kind not in ("researcher", "institution"):
            raise fail("kind", f"kind must be researcher or institution, got {r.get('kind')!r}")
        if not r.get("name"):
            raise fail("name", "empty name")
        orcid = r.get("orcid") or None
        if orcid:
            m = _ORCID.match(orcid)
            if not m or not checksum_ok(m.group(1)):
                raise fail("orcid", f"not an ORCID iD (format or check digit): {orcid!r}")
            orcid = m.group(1)
        ror = r.get("ror_id") or None
        if ror:
            m = _ROR.match(ror)
            if not m:
                raise fail("ror_id", f"not a ROR id: {ror!r}")
            ror = f"https://ror.org/{m.group(1)}"
        openalex = (r.get("openalex_id") or "").rsplit("/", 1)[-1] or None
        subjects.append(Subject(sid, kind, r["name"], orcid, openalex, ror, r.get("home_institution") or None))
    if not subjects:
        raise InputError("roster has no subjects", file=str(path))
    return subjects
