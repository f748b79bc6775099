"""Blank disclosure templates: XLSX (one sheet per section, notes on the headers) in Japanese or English, CSV
files per section, and the JSON Schema of the canonical form."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from highfence.disclosures.labels import LABELS, NOTES, SHEETS
from highfence.disclosures.model import AFFILIATION_KINDS, FUNDING_STATUS, SECTIONS

LANGS = ("en", "ja")


def _header(field: str, lang: str) -> str:
    label = LABELS[field][LANGS.index(lang)]
    return f"{label}\n{field}"  # the key on a second line: any language loads back the same way


def write_xlsx(path: Path, lang: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for section, fields in SECTIONS.items():
        ws = wb.create_sheet(SHEETS[section][LANGS.index(lang)])
        for col, field in enumerate(("researcher_id",) + fields, start=1):
            cell = ws.cell(row=1, column=col, value=_header(field, lang))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            note = NOTES.get(field)
            if note:
                cell.comment = Comment(note[LANGS.index(lang)], "highfence")
            ws.column_dimensions[cell.column_letter].width = 24
        ws.freeze_panes = "A2"
    wb.save(path)
    return path


def write_csvs(folder: Path, lang: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for section, fields in SECTIONS.items():
        path = folder / f"{section}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerow([_header(x, lang).replace("\n", " ").split(" ")[-1] if lang == "en"
                                    else LABELS[x][1] for x in ("researcher_id",) + fields])
        out.append(path)
    return out


def json_schema() -> dict:
    date = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
    money = {"type": "number", "minimum": 0}
    currency = {"type": "string", "pattern": "^[A-Z]{3}$"}

    def obj(props: dict, required: list[str]) -> dict:
        return {"type": "object", "properties": props, "required": required, "additionalProperties": False}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://highfence.invalid/schema/disclosure.json",
        "title": "highfence research disclosure (one researcher)",
        "type": "object",
        "required": ["researcher_id"],
        "additionalProperties": False,
        "properties": {
            "researcher_id": {"type": "string", "minLength": 1},
            "affiliations": {"type": "array", "items": obj({
                "organization": {"type": "string"}, "role": {"type": "string"},
                "kind": {"enum": list(AFFILIATION_KINDS)}, "start": date, "end": date, "paid": {"type": "boolean"},
            }, ["organization", "kind"])},
            "funding": {"type": "array", "items": obj({
                "funder": {"type": "string"}, "programme": {"type": "string"}, "title": {"type": "string"},
                "start": date, "end": date, "amount": money, "currency": currency,
                "status": {"enum": list(FUNDING_STATUS)}, "role": {"type": "string"},
            }, ["funder", "status"])},
            "in_kind": {"type": "array", "items": obj({
                "provider": {"type": "string"}, "description": {"type": "string"}, "start": date, "end": date,
            }, ["provider"])},
            "nda_collaborations": {"type": "array", "items": obj({
                "partner": {"type": "string"}, "amount": money, "currency": currency,
                "effort_percent": {"type": "number", "minimum": 0, "maximum": 100},
            }, ["partner"])},
            "pledge": obj({"signed_on": date}, ["signed_on"]),
        },
    }


def write_template(out: Path, lang: str) -> list[Path]:
    """XLSX for a .xlsx path; CSV files and the JSON Schema into a folder otherwise."""
    if lang not in LANGS:
        raise ValueError(lang)
    if out.suffix.lower() == ".xlsx":
        return [write_xlsx(out, lang)]
    paths = write_csvs(out, lang)
    schema = out / "disclosure.schema.json"
    schema.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2), encoding="utf-8")
    return paths + [schema]
