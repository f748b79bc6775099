"""What an assessment reads (a subject's facts and works) and the assessments made under each rule pack."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from duckdb import DuckDBPyConnection

from highfence.risk.evaluate import Assessment, Fact
from highfence.store.db import utcnow

if TYPE_CHECKING:
    from highfence.store.restricted import Restricted


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
    coverage: dict | None = None  # lists checked and not checked (risk.coverage); None: not recorded


def facts(con: DuckDBPyConnection, subject_id: str, restricted_findings: Iterable[dict] = ()) -> list[Fact]:
    """The subject's screening findings, then its reconciliation findings, each with the list entry's programmes
    and listing date. Reconciliation findings have no review status: they count as open, and as a match unless
    they carry a decision. Findings from NDA collaborations count only when given (``restricted_findings``, opened
    from the restricted store with the key, for an assessment asked to include them)."""
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
        WHERE d.subject_id = ? AND d.relation <> 'unverified_disclosure' AND NOT d.restricted""",
                             [subject_id]).fetchall()
    sealed = []
    for r in restricted_findings:
        if r["subject_id"] != subject_id or r["relation"] == "unverified_disclosure":
            continue
        entry = con.execute("SELECT programs, listed_on FROM v_active_entries WHERE list_id = ? AND entry_id = ?",
                            [r.get("list_id"), r.get("entry_id")]).fetchall()
        programs, listed_on = entry[0] if entry else (None, None)
        sealed.append((r["finding_id"], r["relation"], r.get("list_id"), r.get("entry_id"), programs,
                       r.get("evidence_id"), r.get("evidence_year"), listed_on, "open", r.get("decision") or "match"))
    return [Fact(fid, rel, lst, ent, tuple(programs or ()), ev, year, listed_on, status, decision)
            for fid, rel, lst, ent, programs, ev, year, listed_on, status, decision in screening + reconciled + sealed]


def works(con: DuckDBPyConnection, subject_id: str) -> list[Work]:
    rows = con.execute("SELECT work_key, title, topics FROM works WHERE subject_id = ? ORDER BY work_key",
                       [subject_id]).fetchall()
    return [Work(*r) for r in rows]


def assessment_id(a: Assessment, run_id: str) -> str:
    return hashlib.sha256(f"{a.subject_id}|{a.pack}|{a.pack_version}|{a.as_of}|{run_id}".encode()).hexdigest()[:16]


def add(con: DuckDBPyConnection, assessments: Iterable[Assessment], run_id: str) -> None:
    now = utcnow()
    for a in assessments:
        aid = assessment_id(a, run_id)
        con.execute("""INSERT INTO assessments (assessment_id, subject_id, pack_id, pack_version, as_of, outcome,
                                                 triggers, areas, mitigations, run_id, assessed_at, coverage)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [aid, a.subject_id, a.pack, a.pack_version, a.as_of, a.outcome,
                     json.dumps(a.triggers, ensure_ascii=False, default=str), json.dumps(a.areas, ensure_ascii=False),
                     json.dumps(a.mitigations, ensure_ascii=False), run_id, now,
                     None if a.coverage is None else json.dumps(a.coverage, ensure_ascii=False)])


def add_restricted(restricted: Restricted, assessments: list[Assessment], run_id: str) -> int:
    """Assessments made with NDA-derived findings: sealed in the restricted store, never in the live database."""
    from highfence.store.restricted import Record

    now = utcnow().isoformat()
    return restricted.write("assessment", [Record(assessment_id(a, run_id), a.subject_id,
                                                  {**a.to_json(), "run_id": run_id, "assessed_at": now})
                                           for a in assessments])


def latest(con: DuckDBPyConnection, subject_ids: list[str], restricted: Restricted | None = None
           ) -> list[LatestAssessment]:
    """The latest assessment of each subject under each rule pack; with ``restricted`` access, the latest one made
    with NDA-derived findings, where there is one, takes the place of the public one."""
    found = {(a.subject_id, a.pack): a for a in _latest_public(con, subject_ids)}
    if restricted is not None:
        sealed: dict[tuple[str, str], dict] = {}
        for r in restricted.read("assessment", subject_ids):
            a = r.content
            key = (a["subject_id"], a["pack"])
            if key not in sealed or a["assessed_at"] > sealed[key]["assessed_at"]:
                sealed[key] = a
        for key, a in sealed.items():
            found[key] = LatestAssessment(a["subject_id"], a["pack"], a["pack_version"],
                                          dt.date.fromisoformat(a["as_of"]), a["outcome"], a["triggers"],
                                          a["mitigations"], a.get("coverage"))
    return [found[k] for k in sorted(found)]


def _latest_public(con: DuckDBPyConnection, subject_ids: list[str]) -> list[LatestAssessment]:
    rows = con.execute("""SELECT subject_id, pack_id, arg_max(pack_version, assessed_at), arg_max(as_of, assessed_at),
                                 arg_max(outcome, assessed_at), arg_max(triggers, assessed_at)::VARCHAR,
                                 arg_max(mitigations, assessed_at)::VARCHAR,
                                 arg_max(coverage, assessed_at)::VARCHAR
                          FROM assessments WHERE list_contains(?, subject_id) GROUP BY ALL
                          ORDER BY subject_id, pack_id""", [subject_ids]).fetchall()
    return [LatestAssessment(sid, pack, version, as_of, outcome, json.loads(triggers), json.loads(mitigations),
                             json.loads(cov) if cov else None)
            for sid, pack, version, as_of, outcome, triggers, mitigations, cov in rows]
