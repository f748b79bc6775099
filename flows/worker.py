"""The worker side of scale-out: plain functions the Prefect tasks call, and the matcher each worker process
builds once. Kept out of the task module on purpose: Dask pickles a Prefect task's function by value, globals and
all, so a cache living beside the tasks would travel with every task."""

from __future__ import annotations

import hashlib
import json

from highfence.matching import ListedEntry, Matcher, Thresholds
from highfence.matching.screening import best_matches

_MATCHERS: dict[str, Matcher] = {}  # this process's matcher, keyed by the hash of what it was built from
# The bodies of the partitioned flows running in this process, by run token (see ``scale.partitioned_flow``).
FLOW_BODIES: dict[str, object] = {}


class Opaque:
    """A large value Prefect passes along without looking inside. Prefect walks every element of a list or tuple
    parameter (and of a flow's return value) looking for futures; on 20,000-row chunks that walk cost more than the
    matching itself."""

    __slots__ = ("items", "key")

    def __init__(self, items: object, key: str = ""):
        self.items = items
        self.key = key

    def __getstate__(self):
        return (self.items, self.key)

    def __setstate__(self, state):
        self.items, self.key = state


def matcher_recipe(matcher: Matcher) -> Opaque:
    """What a worker needs to build the same matcher (entries, thresholds, ROR records), keyed by its hash."""
    entries = [(e.list_id, e.entry_id, e.name, tuple(e.aliases), tuple(e.countries), e.kind, e.snapshot_id)
               for e in matcher.entries]
    limits = (matcher.thresholds.match, matcher.thresholds.review)
    content = (entries, limits, matcher.use_crosswalk, matcher.ror_records)
    return Opaque(content, hashlib.sha256(json.dumps(content, default=str, sort_keys=True).encode()).hexdigest())


def matcher_from_recipe(recipe: Opaque) -> Matcher:
    if recipe.key not in _MATCHERS:  # once per worker process
        entries, limits, use_crosswalk, ror_records = recipe.items
        _MATCHERS.clear()
        _MATCHERS[recipe.key] = Matcher([ListedEntry(*e) for e in entries], Thresholds(*limits),
                                      use_crosswalk=use_crosswalk, ror_records=ror_records)
    return _MATCHERS[recipe.key]


def match_chunk_rows(recipe: Opaque, rows: Opaque) -> Opaque:
    """(id, text, country) rows -> output rows (id, list, entry, matched name, score, decision, explanation)."""
    m = matcher_from_recipe(recipe)
    return Opaque([(rid, x.list_id, x.entry_id, x.matched_name, x.score, x.decision, x.explanation)
                   for rid, text, country in rows.items for x in m.match(text, country)])


def screen_chunk_keys(recipe: Opaque, only: Opaque, keys: Opaque) -> Opaque:
    """``best_matches`` for a chunk of (observed name, observed ROR) keys."""
    return Opaque(best_matches(matcher_from_recipe(recipe), keys.items, only.items))
