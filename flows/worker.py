"""The worker side of scale-out: plain functions the Prefect tasks call, and the matcher each worker process
builds once. Kept out of the task module on purpose: Dask pickles a Prefect task's function by value, globals and
all, so a cache living beside the tasks would travel with every task."""

from __future__ import annotations

import hashlib
import json

from highfence.matching import ListedEntry, Matcher, Thresholds

_MATCHERS: dict[str, Matcher] = {}  # this process's matcher, keyed by the hash of what it was built from
INPUTS: dict[str, object] = {}  # bodies of the partitioned flows running in this process, by token


class Packed:
    """A large payload Prefect treats as one value. Prefect walks every element of a list or tuple parameter (and
    of a flow's return value) looking for futures; on 20,000-row chunks that walk cost more than the matching."""

    __slots__ = ("items", "key")

    def __init__(self, items: object, key: str = ""):
        self.items = items
        self.key = key

    def __getstate__(self):
        return (self.items, self.key)

    def __setstate__(self, state):
        self.items, self.key = state


def spec_of(matcher: Matcher) -> Packed:
    """What a worker needs to build the same matcher, keyed by its hash."""
    entries = [(e.list_id, e.entry_id, e.name, tuple(e.aliases), tuple(e.countries), e.kind, e.snapshot_id)
               for e in matcher.entries]
    limits = (matcher.thresholds.match, matcher.thresholds.review)
    content = (entries, limits, matcher.use_crosswalk, matcher.ror_records)
    return Packed(content, hashlib.sha256(json.dumps(content, default=str, sort_keys=True).encode()).hexdigest())


def matcher_from(spec: Packed) -> Matcher:
    if spec.key not in _MATCHERS:  # once per worker process
        entries, limits, use_crosswalk, ror_records = spec.items
        _MATCHERS.clear()
        _MATCHERS[spec.key] = Matcher([ListedEntry(*e) for e in entries], Thresholds(*limits),
                                      use_crosswalk=use_crosswalk, ror_records=ror_records)
    return _MATCHERS[spec.key]


def match_rows(spec: Packed, rows: Packed) -> Packed:
    m = matcher_from(spec)
    return Packed([(rid, x.list_id, x.entry_id, x.matched_name, x.score, x.decision, x.explanation)
                   for rid, text, country in rows.items for x in m.match(text, country)])


def screen_keys(spec: Packed, only: Packed, keys: Packed) -> Packed:
    from highfence.flows.screening import best_matches

    return Packed(best_matches(matcher_from(spec), keys.items, only.items))
