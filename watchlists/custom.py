"""An institution's own list: CSV with header entry_id,name,aliases,kind,country,listed_on,source_url
(aliases separated by '|'), or the same fields as JSON lines."""

from __future__ import annotations

from pathlib import Path

from highfence.watchlists.countries import to_iso2
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList
from highfence.watchlists.readers import csv_rows, read_json_lines
from highfence.watchlists.text import clean, dedupe, parse_date

COLUMNS = ("entry_id", "name", "aliases", "kind", "country", "listed_on", "source_url")
REQUIRED = ("entry_id", "name")
KINDS = {"organization": "organization", "organisation": "organization", "person": "person", "": "organization"}


def _entry(rec: dict, list_id: str, path: Path, row: int) -> ListEntry:
    def fail(field: str, message: str) -> ListFormatError:
        return ListFormatError(message, file=str(path), row=row, field=field)

    unknown = [k for k in rec if k not in COLUMNS]
    if unknown:
        raise fail(unknown[0], f"unknown field (expected {', '.join(COLUMNS)})")
    entry_id, name = clean(rec.get("entry_id")), clean(rec.get("name"))
    if not entry_id:
        raise fail("entry_id", "empty entry_id")
    if not name:
        raise fail("name", "empty name")
    kind = clean(rec.get("kind")).casefold()
    if kind not in KINDS:
        raise fail("kind", f"kind must be organization or person, got {rec.get('kind')!r}")
    countries = []
    for raw_country in clean(rec.get("country")).replace(";", "|").split("|"):
        raw_country = raw_country.strip()
        if not raw_country:
            continue
        code = to_iso2(raw_country) if len(raw_country) == 2 else None
        if code is None:
            raise fail("country", f"country must be an ISO alpha-2 code, got {raw_country!r}")
        countries.append(code)
    listed_raw = clean(rec.get("listed_on"))
    listed_on = parse_date(listed_raw)
    if listed_raw and listed_on is None:
        raise fail("listed_on", f"unreadable date {listed_raw!r} (use YYYY-MM-DD)")
    aliases = rec.get("aliases") or []
    if isinstance(aliases, str):
        aliases = aliases.split("|")
    return ListEntry(
        list_id=list_id,
        entry_id=entry_id,
        kind=KINDS[kind],
        name=name,
        aliases=tuple(a for a in dedupe(aliases) if a.casefold() != name.casefold()),
        countries=tuple(countries),
        listed_on=listed_on,
        source_url=clean(rec.get("source_url")) or None,
        raw=dict(rec),
    )


def parse(path: Path, list_id: str) -> ParsedList:
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        records = []
        for row, rec in read_json_lines(path, "custom list JSON lines"):
            if not isinstance(rec, dict):
                raise ListFormatError("not a JSON object", file=str(path), row=row)
            records.append((row, rec))
        fmt = "custom-jsonl"
    else:
        header, rows = csv_rows(path, what="custom list CSV", required=REQUIRED)
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise ListFormatError(f"unknown column (expected {', '.join(COLUMNS)})", file=str(path), row=1,
                                  field=unknown[0])
        records = [(line, dict(zip(header, fields))) for line, fields in rows]
        fmt = "custom-csv"
    entries, seen = [], {}
    for row, rec in records:
        entry = _entry(rec, list_id, path, row)
        if entry.entry_id in seen:
            raise ListFormatError(f"entry_id {entry.entry_id!r} already used on row {seen[entry.entry_id]}",
                                  file=str(path), row=row, field="entry_id")
        seen[entry.entry_id] = row
        entries.append(entry)
    if not entries:
        raise ListFormatError("no entries", file=str(path))
    return ParsedList(list_id, fmt, tuple(entries))
