"""ASPI China Defence Universities Tracker, as the MISP galaxy cluster (CC0). Risk intelligence, not a legal list."""

from __future__ import annotations

from pathlib import Path

from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList, unique_ids
from highfence.watchlists.readers import read_json
from highfence.watchlists.text import clean, dedupe, split_parentheses

LIST_ID = "aspi_unitracker"
SOURCE_URL = "https://unitracker.aspi.org.au/"


def parse(path: Path, list_id: str = LIST_ID) -> ParsedList:
    doc = read_json(path, "MISP galaxy cluster JSON")
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise ListFormatError("expected a MISP galaxy cluster with a 'values' array", file=str(path))
    entries = []
    for i, item in enumerate(doc["values"], start=1):
        value = clean(item.get("value")) if isinstance(item, dict) else ""
        if not value:
            raise ListFormatError("record without 'value'", file=str(path), row=i, field="value")
        meta = item.get("meta") or {}
        name, native = split_parentheses(value)  # 'Harbin Institute of Technology (哈尔滨工业大学)'
        aliases = [a for a in dedupe(native + (meta.get("aliases") or [])) if a.casefold() != name.casefold()]
        categories = dedupe(meta.get("categories") or [])
        address = clean(meta.get("address"))
        entries.append(ListEntry(
            list_id=list_id,
            entry_id=clean(item.get("uuid")) or f"{list_id}-{i}",
            kind="organization",
            name=name,
            aliases=tuple(aliases),
            countries=("CN",),  # the tracker covers institutions in the People's Republic of China only
            addresses=(address,) if address else (),
            programs=tuple(categories),
            source_url=(meta.get("refs") or [SOURCE_URL])[0],
            raw=item,
        ))
    return ParsedList(list_id, "misp-galaxy-json", tuple(unique_ids(entries)), source_url=SOURCE_URL)
