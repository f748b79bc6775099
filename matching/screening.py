"""Screening observations against a matcher: pure functions, shared by the in-process path and the workers.

An observation names an organisation (and maybe its ROR id); screening links it to list entries through the
reviewed crosswalk (ROR) and through names, keeping the strongest evidence per entry."""

from __future__ import annotations

from typing import Callable

from highfence.matching.matcher import Matcher
from highfence.matching.model import Match
from highfence.records import Finding, Observation

# Spreads best_matches over a task runner: (matcher, keys, only) -> one list of matches per key.
Partition = Callable[[Matcher, list, "set[int] | None"], list]


def best_matches(matcher: Matcher, keys: list[tuple[str, str | None]], only: set[int] | None = None
                 ) -> list[list[Match]]:
    """For each (observed name, observed ROR id): the entries it links to through the reviewed crosswalk or names
    through the matcher, the strongest evidence per entry. ``only``: entry indexes to screen for (a delta screen);
    None screens for all."""
    keep = None if only is None else {(matcher.entries[i].list_id, matcher.entries[i].entry_id) for i in only}
    may_match = None if only is None else matcher.index.prefilter(only)
    out = []
    for name, ror in keys:
        if may_match is not None and not ror and not may_match(name):
            out.append([])  # cannot concern the changed entries: not parsed at all
            continue
        best: dict[tuple[str, str], Match] = {}
        for m in matcher.match_ror(ror) + matcher.match(name, only_entries=only):
            k = (m.list_id, m.entry_id)
            if (keep is None or k in keep) and (k not in best or m.score > best[k].score):
                best[k] = m
        out.append(list(best.values()))
    return out


def findings_for(observations: list[Observation], matcher: Matcher, only: set[int] | None = None,
                 partition: Partition | None = None) -> list[Finding]:
    """Each observation against the active lists (``best_matches``), one finding per observation and list entry.
    Each distinct (name, ROR id) is matched once; ``partition`` spreads that over a task runner."""
    keys = list(dict.fromkeys((o.observed_name, o.observed_ror) for o in observations))
    matched = (partition if partition and keys else best_matches)(matcher, keys, only)
    by_key = dict(zip(keys, matched))
    return [Finding(obs.observation_id, obs.subject_id, obs.relation, m.list_id, m.entry_id, m.entry_name,
                    m.snapshot_id or "", m.matched_name, m.score, m.decision, m.explanation)
            for obs in observations for m in by_key[(obs.observed_name, obs.observed_ror)]]
