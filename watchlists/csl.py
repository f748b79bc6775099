"""US Consolidated Screening List (trade.gov): bulk CSV (2019 layout without `_id`, current layout with it) and
the JSON form of the same records. Every entry keeps the sub-list it comes from (EL, MEU, SDN, ...)."""

from __future__ import annotations

import re
from pathlib import Path

from highfence.watchlists.countries import countries_from, to_iso2
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList, stable_id, unique_ids
from highfence.watchlists.readers import csv_rows, read_json
from highfence.watchlists.text import clean, dedupe, parse_date, split_parentheses, split_values

LIST_ID = "us_csl"
REQUIRED = ("source", "name", "type", "programs", "addresses", "alt_names", "start_date")
SOURCE_URL = "https://www.trade.gov/consolidated-screening-list"
_KIND = {"entity": "organization", "individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
_SUBLIST = re.compile(r"\(([A-Z0-9-]{2,8})\)")


def sublist_code(source: str) -> str:
    """'Entity List (EL) - Bureau of Industry and Security' -> 'EL'."""
    m = _SUBLIST.search(source)
    return m.group(1) if m else clean(source.split(" - ")[0])


def _entry(rec: dict, addresses: list[str], address_countries: list[str], alt_names: list[str],
           list_id: str) -> ListEntry:
    source = clean(rec.get("source"))
    name, extra = split_parentheses(clean(rec.get("name")))
    code = sublist_code(source)
    publisher_id = clean(rec.get("_id") or rec.get("id"))
    if publisher_id:
        entry_id = publisher_id
    elif clean(rec.get("entity_number")):
        entry_id = f"{code}-{clean(rec.get('entity_number'))}"
    else:
        entry_id = stable_id(list_id, code, clean(rec.get("name")), "|".join(addresses))
    programs = split_values(rec.get("programs") if isinstance(rec.get("programs"), str)
                            else ";".join(rec.get("programs") or []))
    return ListEntry(
        list_id=list_id,
        entry_id=entry_id,
        kind=_KIND.get(clean(rec.get("type")).casefold(), "other"),
        name=name,
        aliases=tuple(a for a in dedupe(extra + alt_names) if a.casefold() != name.casefold()),
        countries=countries_from(*address_countries),
        addresses=tuple(addresses),
        programs=tuple(dedupe([code, *programs])),
        listed_on=parse_date(rec.get("start_date")),
        removed_on=parse_date(rec.get("end_date")),
        source_url=clean(rec.get("source_list_url")) or SOURCE_URL,
        raw=rec,
    )


def _csv_address_country(address: str) -> str:
    last = address.rsplit(",", 1)[-1].strip()
    return last if to_iso2(last) else ""


def parse_csv(path: Path, list_id: str = LIST_ID) -> ParsedList:
    header, rows = csv_rows(path, what="Consolidated Screening List CSV", required=REQUIRED)
    entries = []
    for line, fields in rows:
        rec = dict(zip(header, fields))
        if not clean(rec["name"]):
            raise ListFormatError("empty name", file=str(path), row=line, field="name")
        addresses = split_values(rec.get("addresses", ""), ";")
        entries.append(_entry(rec, addresses, [_csv_address_country(a) for a in addresses],
                              split_values(rec.get("alt_names", ""), ";"), list_id))
    return ParsedList(list_id, "csl-csv", tuple(unique_ids(entries)), source_url=SOURCE_URL)


def parse_json(path: Path, list_id: str = LIST_ID) -> ParsedList:
    doc = read_json(path, "Consolidated Screening List JSON")
    results = doc.get("results") if isinstance(doc, dict) else doc
    if not isinstance(results, list):
        raise ListFormatError("expected an object with a 'results' array", file=str(path))
    entries = []
    for i, rec in enumerate(results, start=1):
        if not isinstance(rec, dict) or not clean(rec.get("name")) or "source" not in rec:
            raise ListFormatError("record without 'name' or 'source'", file=str(path), row=i, field="name")
        addresses, address_countries = [], []
        for a in rec.get("addresses") or []:
            if isinstance(a, dict):
                parts = [clean(a.get(k)) for k in ("address", "city", "state", "postal_code", "country")]
                addresses.append(", ".join(p for p in parts if p))
                address_countries.append(clean(a.get("country")))
            else:
                addresses.append(clean(a))
        entries.append(_entry(rec, dedupe(addresses), address_countries, dedupe(rec.get("alt_names") or []), list_id))
    if isinstance(doc, dict) and isinstance(doc.get("total"), int) and doc["total"] != len(entries):
        raise ListFormatError(f"file says total {doc['total']} but holds {len(entries)} records; truncated?",
                              file=str(path))
    return ParsedList(list_id, "csl-json", tuple(unique_ids(entries)), source_url=SOURCE_URL)


def parse(path: Path, list_id: str = LIST_ID) -> ParsedList:
    if path.suffix.lower() == ".json":
        return parse_json(path, list_id)
    return parse_csv(path, list_id)
