"""The record every list parser produces, whatever the publisher's format."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from highfence.errors import InputError

KINDS = ("organization", "person", "vessel", "aircraft", "other")


class ListFormatError(InputError):
    """The file is not the list format it was loaded as (wrong format, HTML page, truncated, missing columns)."""


@dataclass(frozen=True)
class ListEntry:
    list_id: str
    entry_id: str  # the publisher's own id where there is one, else a stable id derived from the record
    kind: str
    name: str
    aliases: tuple[str, ...] = ()  # incl. native-script names split out of parentheses
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    addresses: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()  # sanctions programmes or the sub-list an entry is on
    listed_on: date | None = None
    removed_on: date | None = None
    source_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def content(self) -> dict[str, Any]:
        """What a diff compares: everything a screener sees, not the raw record's layout."""
        return {
            "kind": self.kind,
            "name": self.name,
            "aliases": sorted(self.aliases),
            "countries": sorted(self.countries),
            "addresses": sorted(self.addresses),
            "programs": sorted(self.programs),
            "listed_on": self.listed_on.isoformat() if self.listed_on else None,
            "removed_on": self.removed_on.isoformat() if self.removed_on else None,
        }

    def content_hash(self) -> str:
        blob = json.dumps(self.content(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ParsedList:
    list_id: str
    format: str
    entries: tuple[ListEntry, ...]
    published: date | None = None  # the publication date the file itself states
    source_url: str | None = None  # the publisher's URL for the list

    def counts(self) -> dict[str, int]:
        counts = {kind: 0 for kind in KINDS}
        for entry in self.entries:
            counts[entry.kind] += 1
        return counts


def stable_id(list_id: str, *parts: str) -> str:
    """An entry id for lists that publish none: derived from what identifies the record, so it survives reloads."""
    digest = hashlib.sha256("\x1f".join(p.strip().casefold() for p in parts).encode("utf-8")).hexdigest()
    return f"{list_id}-{digest[:12]}"


def unique_ids(entries: list[ListEntry]) -> list[ListEntry]:
    """Lists without ids can repeat a record; keep ids unique by suffixing repeats in file order."""
    seen: dict[str, int] = {}
    out = []
    for e in entries:
        n = seen.get(e.entry_id, 0)
        seen[e.entry_id] = n + 1
        if n:
            e = ListEntry(**{**e.__dict__, "entry_id": f"{e.entry_id}-{n + 1}"})
        out.append(e)
    return out
