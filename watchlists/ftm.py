"""FollowTheMoney, the entity format OpenSanctions publishes every dataset in: ``entities.ftm.json`` (JSON lines of
``{id, schema, caption, properties: {name, alias, country, ...}}``; delta files' ``{op, entity}`` lines too) and
the ``targets.simple.csv`` export (id, schema, name, aliases, birth_date, countries, addresses, ...).

Organisation-like schemata become organisation entries, which screening matches; persons, vessels and aircraft are
kept with their kind (counted, searchable) and are never screened. Helper entities (addresses, sanctions, ownership
links) are not list entries and are left out."""

from __future__ import annotations

from pathlib import Path

from highfence.watchlists.countries import to_iso2
from highfence.watchlists.model import ListEntry, ListFormatError, ParsedList
from highfence.watchlists.readers import csv_rows, read_json_lines
from highfence.watchlists.text import clean, dedupe, parse_date, split_values

SOURCE_URL = "https://www.opensanctions.org/datasets/"
ORGANISATION_SCHEMATA = ("Organization", "Company", "LegalEntity", "PublicBody")
KIND_OF_SCHEMA = {**{s: "organization" for s in ORGANISATION_SCHEMATA}, "Person": "person", "Vessel": "vessel",
                  "Airplane": "aircraft"}
SIMPLE_REQUIRED = ("id", "schema", "name")
# The FtM properties a screener sees: names, countries, addresses, programmes, dates.
_NAME_PROPS = ("name", "alias", "previousName")
_COUNTRY_PROPS = ("country", "jurisdiction", "mainCountry")
_PROGRAM_PROPS = ("programId", "program")


def _countries(values: list[str]) -> tuple[str, ...]:
    """FtM country codes are lower-case ISO alpha-2 (plus historic ones such as 'suhh'): the ones that are ISO."""
    out = []
    for v in values:
        code = to_iso2(v.strip().upper()) if len(v.strip()) == 2 else None
        if code:
            out.append(code)
    return tuple(dedupe(out))


def _strings(props: dict, key: str, path: Path, row: int) -> list[str]:
    value = props.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ListFormatError("expected a list of strings", file=str(path), row=row, field=f"properties.{key}")
    return [clean(v) for v in value if clean(v)]


def entity_entry(entity: dict, list_id: str, path: Path, row: int) -> ListEntry | None:
    """One FtM entity as a list entry, or None for a schema that is not a list target (Address, Sanction, ...)."""
    def fail(field: str, message: str) -> ListFormatError:
        return ListFormatError(message, file=str(path), row=row, field=field)

    if not isinstance(entity, dict):
        raise fail("", "not a JSON object")
    entity_id, schema = clean(entity.get("id")), clean(entity.get("schema"))
    if not entity_id:
        raise fail("id", "entity without an id")
    if not schema:
        raise fail("schema", "entity without a schema")
    kind = KIND_OF_SCHEMA.get(schema)
    if kind is None:
        return None
    props = entity.get("properties")
    if not isinstance(props, dict):
        raise fail("properties", "entity without a properties object")
    names = [n for key in _NAME_PROPS for n in _strings(props, key, path, row)]
    name = clean(entity.get("caption")) or (names[0] if names else "")
    if not name:
        raise fail("properties.name", f"{schema} {entity_id} has no name")
    created = (_strings(props, "createdAt", path, row) or [clean(entity.get("first_seen"))])[0]
    return ListEntry(
        list_id=list_id, entry_id=entity_id, kind=kind, name=name,
        aliases=tuple(a for a in dedupe(names) if a.casefold() != name.casefold()),
        countries=_countries([c for key in _COUNTRY_PROPS for c in _strings(props, key, path, row)]),
        addresses=tuple(dedupe(_strings(props, "address", path, row))),
        programs=tuple(dedupe([p for key in _PROGRAM_PROPS for p in _strings(props, key, path, row)]
                              + _strings(props, "topics", path, row))),
        listed_on=parse_date(created[:10]) if created else None,
        source_url=(_strings(props, "sourceUrl", path, row) or [None])[0],
        raw=entity,
    )


def parse_entities(path: Path, list_id: str) -> ParsedList:
    """FtM JSON lines: entities, or a delta file's ``{op, entity}`` operations (ADD and MOD give the entity; DEL
    removes nothing from a full load and is skipped)."""
    entries: dict[str, ListEntry] = {}
    for row, rec in read_json_lines(path, "FollowTheMoney entities (JSON lines)", "; truncated download?"):
        if isinstance(rec, dict) and "op" in rec and "entity" in rec:
            if clean(rec["op"]).upper() == "DEL":
                continue
            rec = rec["entity"]
        entry = entity_entry(rec, list_id, path, row)
        if entry is not None:
            entries[entry.entry_id] = entry  # a later line of the same id (a MOD) replaces the earlier one
    if not entries:
        raise ListFormatError("no organisation, person, vessel or aircraft entities", file=str(path))
    return ParsedList(list_id, "ftm-entities", tuple(entries.values()), source_url=SOURCE_URL)


def parse_simple(path: Path, list_id: str) -> ParsedList:
    """OpenSanctions' ``targets.simple.csv``: one target per row, multiple values separated by ';'."""
    header, rows = csv_rows(path, what="OpenSanctions targets.simple.csv", required=SIMPLE_REQUIRED)
    entries: list[ListEntry] = []
    seen: dict[str, int] = {}
    for line, fields in rows:
        rec = dict(zip(header, fields))
        entity = {"id": rec["id"], "schema": rec["schema"], "caption": rec["name"], "first_seen": rec.get("first_seen"),
                  "properties": {"name": [rec["name"]], "alias": split_values(rec.get("aliases", ""), ";"),
                                 "country": split_values(rec.get("countries", ""), ";"),
                                 "address": split_values(rec.get("addresses", ""), ";"),
                                 "programId": split_values(rec.get("program_ids", ""), ";")}}
        if not clean(rec["name"]):
            raise ListFormatError("empty name", file=str(path), row=line, field="name")
        entry = entity_entry(entity, list_id, path, line)
        if entry is None:
            continue
        if entry.entry_id in seen:
            raise ListFormatError(f"id {entry.entry_id!r} already on row {seen[entry.entry_id]}", file=str(path),
                                  row=line, field="id")
        seen[entry.entry_id] = line
        entries.append(ListEntry(**{**entry.__dict__, "raw": rec}))
    if not entries:
        raise ListFormatError("no organisation, person, vessel or aircraft rows", file=str(path))
    return ParsedList(list_id, "ftm-targets-simple", tuple(entries), source_url=SOURCE_URL)


def parse(path: Path, list_id: str) -> ParsedList:
    if path.suffix.lower() == ".csv":
        return parse_simple(path, list_id)
    return parse_entities(path, list_id)
