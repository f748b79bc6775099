"""Exact look-up of folded names and aliases: the baseline screen, real if simple.

A hit needs the whole observed string, folded, to equal a listed name or alias; an affiliation string with a
department and a city in it does not hit. The fuzzy matcher extends this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from highfence.records import Finding, Observation
from matching.normalize import fold


@dataclass(frozen=True)
class NameRecord:
    list_id: str
    entry_id: str
    entry_name: str
    snapshot_id: str
    name: str
    name_kind: str  # primary | alias


def build_index(names: Iterable[NameRecord]) -> dict[str, list[NameRecord]]:
    index: dict[str, list[NameRecord]] = {}
    for n in names:
        key = fold(n.name)
        if key:
            index.setdefault(key, []).append(n)
    return index


def screen(observations: Iterable[Observation], index: dict[str, list[NameRecord]]) -> list[Finding]:
    findings = []
    for obs in observations:
        key = fold(obs.observed_name)
        seen = set()
        for rec in index.get(key, []):
            if (rec.list_id, rec.entry_id) in seen:
                continue
            seen.add((rec.list_id, rec.entry_id))
            how = "the listed name" if rec.name_kind == "primary" else f"the listed alias '{rec.name}'"
            findings.append(Finding(
                observation_id=obs.observation_id, subject_id=obs.subject_id, relation=obs.relation,
                list_id=rec.list_id, entry_id=rec.entry_id, entry_name=rec.entry_name, snapshot_id=rec.snapshot_id,
                matched_name=rec.name, score=100.0, decision="match",
                explanation=f"exact: '{obs.observed_name}' equals {how} after folding case, accents, "
                            f"punctuation and width (normalised '{key}')",
            ))
    return findings
