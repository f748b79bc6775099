"""Reference data shipped in data/matching and data/crosswalk (read once, on first use)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, Callable, TypeVar

from highfence.packaged import data_dir

DATA = data_dir()
T = TypeVar("T")
_values: dict[str, Any] = {}
_loaders: dict[str, Callable[[], Any]] = {}


def _reference(load: Callable[[], T]) -> Callable[[], T]:
    """A table read once per process. A saved matcher carries the tables it was built with (``loaded``) and gives
    them back (``preload``), so a warm ``highfence match`` parses no TSV."""
    name = load.__name__

    @wraps(load)
    def get() -> T:
        if name not in _values:
            _values[name] = load()
        return _values[name]

    get.cache_clear = lambda: _values.pop(name, None)  # type: ignore[attr-defined]
    _loaders[name] = get
    return get


def loaded() -> dict[str, Any]:
    """Every reference table, by loader name (reading the ones not read yet)."""
    return {name: get() for name, get in _loaders.items()}


def preload(values: dict[str, Any]) -> None:
    """Tables saved by ``loaded`` in this process or another; a table already read here is kept."""
    for name, value in values.items():
        if name in _loaders:
            _values.setdefault(name, value)


# Demonyms and country words that tie a name to a country ("Chinese Academy of Sciences").
DEMONYMS = {
    "chinese": "CN", "china": "CN", "russian": "RU", "russia": "RU", "iranian": "IR", "iran": "IR",
    "korean": "KP", "pakistani": "PK", "pakistan": "PK", "syrian": "SY", "syria": "SY", "belarusian": "BY",
    "belarus": "BY", "emirates": "AE", "hong": "HK", "kong": "HK", "macau": "MO", "taiwan": "TW",
}


@_reference
def token_countries() -> dict[str, int]:
    """How many countries' organisation names (in ROR) use a token; a token absent is unknown to ROR."""
    out = {}
    for line in (DATA / "matching" / "token_countries.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            token, n = line.split("\t")
            out[token] = int(n)
    return out


@_reference
def places() -> dict[str, frozenset[str]]:
    """Folded place name -> ISO countries. Multi-word names are kept whole ('nizhny novgorod')."""
    out: dict[str, frozenset[str]] = {}
    with (DATA / "matching" / "places.tsv").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "\t" not in line:
                continue
            name, countries = line.rstrip("\n").split("\t")
            out[name] = frozenset(countries.split(","))
    return out


@dataclass(frozen=True)
class CrosswalkRow:
    entry_name: str
    country: str
    ror_id: str
    relation: str  # same | sub_unit_of_listed | listed_is_sub_unit
    note: str


@_reference
def crosswalk() -> tuple[CrosswalkRow, ...]:
    with (DATA / "crosswalk" / "crosswalk.csv").open(encoding="utf-8") as f:
        return tuple(CrosswalkRow(r["entry_name"], r["country"], r["ror_id"], r["relation"], r["note"])
                     for r in csv.DictReader(f))


@_reference
def ror_orgs() -> dict[str, dict]:
    out = {}
    with (DATA / "crosswalk" / "ror_orgs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out[rec["id"]] = rec
    return out


@_reference
def cjk_name_countries() -> dict[str, frozenset[str]]:
    """CJK organisation names (folded to simplified) -> countries of the ROR organisations bearing them."""
    out = {}
    for line in (DATA / "matching" / "cjk_names.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, countries = line.split("\t")
            out[name] = frozenset(countries.split(","))
    return out


@dataclass(frozen=True)
class NameStat:
    """How many organisation families (ROR) a name denotes: as their own name, inside longer names as the matcher
    reads them, and continued into another organisation's own name."""

    exact: int
    within: int
    foreign: int

    @property
    def several(self) -> bool:
        """The name may mean more than one organisation: never enough on its own."""
        return self.exact >= 2 or (self.exact == 0 and self.within >= 2) or (self.exact == 1 and self.foreign >= 1)

    @property
    def unique(self) -> bool:
        return self.exact == 1 and self.foreign == 0


@lru_cache(maxsize=1)  # building an index needs it, scoring does not: not saved with a matcher
def name_stats() -> dict[str, NameStat]:
    """Canonical name tokens joined by spaces -> NameStat."""
    out = {}
    with (DATA / "matching" / "name_stats.tsv.gz").open("rb") as raw, gzip.GzipFile(fileobj=raw) as gz:
        for line in io.TextIOWrapper(gz, encoding="utf-8"):
            if line.startswith("#"):
                continue
            key, exact, within, foreign = line.rstrip("\n").split("\t")
            out[key] = NameStat(int(exact), int(within), int(foreign))
    return out


@_reference
def registry_acronyms() -> dict[str, int]:
    """Acronyms ROR records -> how many organisation families bear each."""
    out = {}
    for line in (DATA / "matching" / "registry_acronyms.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, n = line.split("\t")
            out[key] = int(n)
    return out


@lru_cache(maxsize=1)
def ror_family() -> dict[str, list]:
    """Crosswalked ROR id -> its family (matching/ror_family.py) as the shipped fixtures know it."""
    from highfence.matching.ror_family import FamilyMember, by_root

    with (DATA / "crosswalk" / "ror_family.jsonl").open(encoding="utf-8") as f:
        return by_root(FamilyMember.from_json(json.loads(line)) for line in f if line.strip())
