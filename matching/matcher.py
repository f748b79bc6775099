"""The matcher: list entries in, explained matches out."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable

from highfence.matching.index import NameIndex
from highfence.matching.model import ListedEntry, Match
from highfence.matching.parse import Affiliation, parse_affiliation
from highfence.matching.resources import places
from highfence.matching.score import score_variant
from highfence.watchlists.countries import to_iso2


@dataclass(frozen=True)
class Thresholds:
    match: float = 90.0
    review: float = 75.0


class Matcher:
    def __init__(self, entries: Iterable[ListedEntry], thresholds: Thresholds = Thresholds(),
                 use_crosswalk: bool = True, ror_records: dict[str, dict] | None = None):
        """``ror_records``: ROR records by id ({'names': [{value, types, lang}]}) newer than the shipped ones."""
        self.index = NameIndex(entries, use_crosswalk=use_crosswalk, ror_records=ror_records)
        self.thresholds = thresholds
        self.use_crosswalk = use_crosswalk  # kept with ror_records so that a worker can build the same matcher
        self.ror_records = ror_records

    @property
    def entries(self) -> list[ListedEntry]:
        return self.index.entries

    def match_ror(self, ror_id: str | None) -> list[Match]:
        """Entries an observed ROR id links to exactly, through the reviewed crosswalk: the listed organisation
        itself ('same') or the listed organisation it is a unit of ('sub_unit_of_listed'), and through the ROR family
        of those (units at any depth, predecessors). A ROR id of a parent never links to a listed sub-unit of it."""
        key = ror_key(ror_id)
        if not key:
            return []
        out = []
        for ei, rels in self.index.ror_links.items():
            # the strongest link only: a reviewed crosswalk row before a ROR family relationship
            for linked, relation in sorted(rels, key=lambda r: _LINK_ORDER.get(r[1], 9)):
                if ror_key(linked) != key or relation == "listed_is_sub_unit":
                    continue
                if any(m.entry_id == self.index.entries[ei].entry_id and m.list_id == self.index.entries[ei].list_id
                       for m in out):
                    continue
                e = self.index.entries[ei]
                why = {"same": "is the listed organisation (reviewed crosswalk)",
                       "ror_former": "is an organisation the listed one continues (ROR relationships)",
                       "ror_unit": "is a unit of the listed organisation (ROR relationships)",
                       }.get(relation, "is a unit of the listed organisation (reviewed crosswalk)")
                out.append(Match(e.list_id, e.entry_id, e.name, f"https://ror.org/{key}", 100.0, "match",
                                 f"ROR id https://ror.org/{key} {why}", e.snapshot_id,
                                 (f"crosswalk:{relation}",)))
        out.sort(key=lambda m: (m.list_id, m.entry_id))
        return out

    def same_organisation(self, entries: set[int]) -> set[int]:
        """The entries plus every entry the index pooled names with (the same organisation on other lists)."""
        return self.index.with_twins(entries)

    def match(self, text: str, country: str | None = None, candidates: Iterable[int] | None = None,
              only_entries: set[int] | None = None) -> list[Match]:
        """Every entry the string names, best first, at or above the review threshold. ``only_entries`` limits the
        scoring to some entries (a delta screen); ``candidates`` replaces retrieval (to measure it)."""
        aff = parse_affiliation(text)
        extra = frozenset(c for c in [to_iso2(country)] if c) if country else frozenset()
        pool = self.index.candidates(aff) if candidates is None else candidates
        if only_entries is not None:
            variants = self.index.variants
            pool = [vi for vi in pool if variants[vi].entry in only_entries]
        best: dict[int, tuple[float, int, object]] = {}
        for vi in pool:
            v = self.index.variants[vi]
            entry = self.index.entries[v.entry]
            hit = score_variant(aff, v, entry, extra)
            if hit is None or hit.score < self.thresholds.review:
                continue
            current = best.get(v.entry)
            if current is None or hit.score > current[0] or (hit.score == current[0] and vi < current[1]):
                best[v.entry] = (hit.score, vi, hit)
        out = []
        for ei, (score, vi, hit) in best.items():
            v = self.index.variants[vi]
            e = self.index.entries[ei]
            decision = "match" if score >= self.thresholds.match else "review"
            how = f"{v.origin} name '{v.name}'"
            explanation = f"{how} in '{hit.where}'" + ("; " + "; ".join(hit.rules) if hit.rules else "")
            out.append(Match(e.list_id, e.entry_id, e.name, v.name, round(score, 1), decision, explanation,
                             e.snapshot_id, tuple(hit.rules)))
        if candidates is None:
            out += self._by_short_name(aff, country, only_entries, {(m.list_id, m.entry_id) for m in out})
        out.sort(key=lambda m: (-m.score, m.list_id, m.entry_id))
        return out

    def _by_short_name(self, aff: Affiliation, country: str | None, only_entries: set[int] | None,
                       found: set[tuple[str, str]]) -> list[Match]:
        """A unit named with its university's short name and a city of the university's country ('Beihang Hangzhou
        Innovation Institute'): matched as if the full name were written ('Beihang University Hangzhou ...'), 5
        points lower, saying so. The city is required: a short name followed by other words may be another
        organisation ('Peking Union Medical College' is not Peking University)."""
        from highfence.matching.vocab import UNIT_WORDS

        heads, table = self.index.short_heads, places()
        for seg in aff.segments:
            w = seg.words
            if len(w) < 3 or w[0] not in heads or not any(t in UNIT_WORDS for t in w[2:]) or seg.raw not in aff.raw:
                continue
            full, where = heads[w[0]]
            if not (table.get(w[1], frozenset()) & where):
                continue
            written = re.sub(rf"\b{re.escape(w[0])}\b", full, seg.raw, count=1, flags=re.I)
            if written == seg.raw:
                continue
            why = f"'{w[0]}' read as '{full}': a unit named with its university's short name and its city"
            out = []
            for m in self.match(aff.raw.replace(seg.raw, written, 1), country, only_entries=only_entries):
                if (m.list_id, m.entry_id) in found or m.score - 5 < self.thresholds.review:
                    continue
                score = round(m.score - 5, 1)
                out.append(replace(m, score=score, decision="match" if score >= self.thresholds.match else "review",
                                   explanation=f"{m.explanation}; {why}", rules=m.rules + ("short_name_unit",)))
            return out
        return []


_LINK_ORDER = {"same": 0, "sub_unit_of_listed": 1, "ror_unit": 2, "ror_former": 3}


def ror_key(ror_id: str | None) -> str:
    return (ror_id or "").strip().rstrip("/").rsplit("/", 1)[-1].lower()
