"""What an assessment reads (a subject's facts and works) and the assessments made under each rule pack."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Iterable

from duckdb import DuckDBPyConnection

from highfence.risk.evaluate import Assessment, Fact
from highfence.store.db import utcnow


@dataclass(frozen=True)
class Work:
    work_key: str
    title: str | None
    topics: str | None  # '; '-separated, as the source gives them


@dataclass(frozen=True)
class LatestAssessment:
    subject_id: str
    pack: str
    pack_version: str
    as_of: dt.date
    outcome: str
    triggers: list[dict]
    mitigations: dict[str, str]  # by language


def facts(con: DuckDBPyConnection, subject_id: str) -> list[Fact]:
    """The subject's screening findings, then its reconciliation findings, each with the list entry's programmes
    and listing date. Reconciliation findings have no review status: they count as open, and as a match unless
    they carry a decision."""
    screening = con.execute("""
        SELECT f.finding_id, f.relation, f.list_id, f.entry_id, e.programs, o.evidence_id, o.evidence_year,
               e.listed_on, s.status, f.decision
        FROM findings f JOIN v_finding_status s USING (finding_id) JOIN observations o USING (observation_id)
        LEFT JOIN list_entries e ON e.snapshot_id = f.snapshot_id AND e.entry_id = f.entry_id
        WHERE f.subject_id = ?""", [subject_id]).fetchall()
    reconciled = con.execute("""
        SELECT d.finding_id, d.relation, d.list_id, d.entry_id, e.programs, d.evidence_id, d.evidence_year,
               e.listed_on, 'open', coalesce(d.decision, 'match')
        FROM disclosure_findings d LEFT JOIN v_active_entries e ON e.list_id = d.list_id AND e.entry_id = d.entry_id
        WHERE d.subject_id = ? AND d.relation <> 'unverified_disclosure'""", [subject_id]).fetchall()
    return [Fact(fid, rel, lst, ent, tuple(programs or ()), ev, year, listed_on, status, decision)
            for fid, rel, lst, ent, programs, ev, year, listed_on, status, decision in screening + reconciled]


def works(con: DuckDBPyConnection, subject_id: str) -> list[Work]:
    rows = con.execute("SELECT work_key, title, topics FROM works WHERE subject_id = ? ORDER BY work_key",
                       [subject_id]).fetchall()
    return [Work(*r) for r in rows]


def add(con: DuckDBPyConnection, assessments: Iterable[Assessment], run_id: str) -> None:
    now = utcnow()
    for a in assessments:
        aid = hashlib.sha256(f"{a.subject_id}|{a.pack}|{a.pack_version}|{a.as_of}|{run_id}".encode()).hexdigest()[:16]
        con.execute("INSERT INTO assessments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [aid, a.subject_id, a.pack, a.pack_version, a.as_of, a.outcome,
                     json.dumps(a.triggers, ensure_ascii=False, default=str), json.dumps(a.areas, ensure_ascii=False),
                     json.dumps(a.mitigations, ensure_ascii=False), run_id, now])


def latest(con: DuckDBPyConnection, subject_ids: list[str]) -> list[LatestAssessment]:
    """The latest assessment of each subject under each rule pack."""
    rows = con.execute("""SELECT subject_id, pack_id, arg_max(pack_version, assessed_at), arg_max(as_of, assessed_at),
                                 arg_max(outcome, assessed_at), arg_max(triggers, assessed_at)::VARCHAR,
                                 arg_max(mitigations, assessed_at)::VARCHAR
                          FROM assessments WHERE list_contains(?, subject_id) GROUP BY ALL
                          ORDER BY subject_id, pack_id""", [subject_ids]).fetchall()
    return [LatestAssessment(sid, pack, version, as_of, outcome, json.loads(triggers), json.loads(mitigations))
            for sid, pack, version, as_of, outcome, triggers, mitigations in rows]
