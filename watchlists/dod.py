"""DoD Section 1286 list and DoD 1260H Chinese military companies.

DoD publishes both as PDF tables only; these parsers accept the community CSV transcriptions (the layouts in
OpenSanctions' source files), supplied by the user as files. 1286 files hold one full block per fiscal-year
report; the active list is the latest block, and each entry keeps the first FY it appeared in (and the FY it left)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from highfence.watchlists.countries import to_iso2
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList, stable_id, unique_ids
from highfence.watchlists.readers import csv_rows
from highfence.watchlists.text import clean, dedupe, parse_date, split_values

URL_1286 = "https://www.defense.gov/News/Releases/"  # DoD publishes each FY list as a PDF release
URL_1260H = "https://www.defense.gov/News/Releases/"
REQUIRED_1286 = ("name", "aliases", "report-date")
REQUIRED_1260H = ("Name", "Clean Name", "Alias", "Start date", "End date")


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def parse_1286(path: Path, list_id: str = "us_dod_1286") -> ParsedList:
    header, rows = csv_rows(path, what="Section 1286 CSV", required=REQUIRED_1286)
    by_name: dict[str, dict] = {}
    years: set[int] = set()
    for line, fields in rows:
        rec = dict(zip(header, fields))
        name = clean(rec["name"])
        if not name:
            raise ListFormatError("empty name", file=str(path), row=line, field="name")
        report = parse_date(rec["report-date"])
        if report is None:
            raise ListFormatError(f"unreadable report date {rec['report-date']!r}", file=str(path), row=line,
                                  field="report-date")
        years.add(report.year)
        item = by_name.setdefault(_key(name), {"name": name, "aliases": [], "years": set(), "rows": [],
                                               "countries": [], "end": None, "url": ""})
        item["name"] = name  # the latest spelling wins (rows run in FY order)
        item["aliases"] += split_values(rec.get("aliases", ""), ";")
        item["years"].add(report.year)
        item["rows"].append(rec)
        item["countries"].append(clean(rec.get("country")))
        item["end"] = parse_date(rec.get("end-date")) or item["end"]
        item["url"] = clean(rec.get("source_url")) or item["url"]
    if not by_name:
        raise ListFormatError("no entries", file=str(path))
    latest = max(years)
    entries = []
    for item in by_name.values():
        first, last = min(item["years"]), max(item["years"])
        following = [y for y in sorted(years) if y > last]
        removed = item["end"] or (date(following[0], 1, 1) if following else None)
        countries = tuple(dict.fromkeys(c for c in (to_iso2(x) for x in item["countries"]) if c))
        entries.append(ListEntry(
            list_id=list_id,
            entry_id=stable_id(list_id, item["name"]),
            kind="organization",
            name=item["name"],
            aliases=tuple(a for a in dedupe(item["aliases"]) if a.casefold() != item["name"].casefold()),
            countries=countries,
            programs=tuple(f"FY{y}" for y in sorted(item["years"])),
            listed_on=date(first, 1, 1),
            removed_on=removed if (removed or last < latest) else None,
            source_url=item["url"] or URL_1286,
            raw={"fiscal_years": sorted(item["years"]), "rows": item["rows"]},
        ))
    return ParsedList(list_id, "dod-1286-csv", tuple(unique_ids(entries)), published=date(latest, 1, 1),
                      source_url=URL_1286)


def parse_1260h(path: Path, list_id: str = "us_dod_1260h") -> ParsedList:
    header, rows = csv_rows(path, what="1260H CSV", required=REQUIRED_1260H)
    entries = []
    for line, fields in rows:
        rec = dict(zip(header, fields))
        name = clean(rec["Clean Name"]) or clean(rec["Name"]).rstrip("*")
        if not name:
            raise ListFormatError("empty name", file=str(path), row=line, field="Name")
        aliases = split_values(rec.get("Alias", ""), ";") + split_values(rec.get("Previous Name", ""), ";")
        entries.append(ListEntry(
            list_id=list_id,
            entry_id=stable_id(list_id, name),
            kind="organization",
            name=name,
            aliases=tuple(a for a in dedupe(aliases) if a.casefold() != name.casefold()),
            countries=("CN",),  # the 1260H list is by statute a list of Chinese military companies
            programs=tuple(p for p in ["1260H", f"parent: {clean(rec.get('Parent Name'))}"
                                       if clean(rec.get("Parent Name")) else ""] if p),
            listed_on=parse_date(rec.get("Start date")),
            removed_on=parse_date(rec.get("End date")),
            source_url=clean(rec.get("Source Url")) or URL_1260H,
            raw=rec,
        ))
    return ParsedList(list_id, "dod-1260h-csv", tuple(unique_ids(entries)), source_url=URL_1260H)
