"""What the matcher takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ListedEntry:
    """A list entry as the matcher sees it (built from watchlists.ListEntry or a store row)."""

    list_id: str
    entry_id: str
    name: str
    aliases: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    kind: str = "organization"
    snapshot_id: str | None = None


@dataclass(frozen=True)
class Variant:
    """One name of an entry, prepared for matching."""

    entry: int  # index into the matcher's entries
    name: str  # as the list (or ROR) writes it
    origin: str  # primary | alias | ror label | ror alias | ror acronym
    parts: tuple[tuple[str, ...], ...]  # canonical content tokens of each comma-separated part
    tokens: tuple[str, ...]  # all parts' content tokens in order
    generic: bool  # every token is common vocabulary: needs context to identify anything
    cjk: str = ""  # simplified Chinese/Japanese form
    pinyin: str = ""  # toneless pinyin key of the CJK form
    acronym: str = ""  # upper-case acronym
    bag: tuple[str, ...] = ()  # tokens sorted, noise left out
    sole: bool = False  # an acronym the registry knows for this organisation only
    several: bool = False  # the registry knows several organisations this name may mean: never enough alone


@dataclass(frozen=True)
class Match:
    list_id: str
    entry_id: str
    entry_name: str
    matched_name: str
    score: float
    decision: str  # match | review
    explanation: str
    snapshot_id: str | None = None
    rules: tuple[str, ...] = field(default=(), compare=False)
