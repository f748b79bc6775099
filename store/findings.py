"""Findings: one per (observation, list entry); re-screening updates the run that last saw it, never duplicates."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Iterable

import pandas as pd
from duckdb import DuckDBPyConnection

from highfence.records import Finding
from highfence.store import decision_chain
from highfence.store.db import utcnow


@dataclass(frozen=True)
class MatchedEntry:
    finding_id: str
    list_id: str
    entry_name: str


@dataclass(frozen=True)
class ListedAffiliation:
    list_id: str
    entry_name: str
    year: int | None  # the evidence's year
    finding_id: str


def upsert(con, findings: Iterable[Finding], run_id: str, entry_hashes: dict[tuple[str, str], str]
           ) -> tuple[int, int]:
    """Insert new findings, refresh the ones seen again (and un-retire them). (new, seen again)."""
    rows = [(f.finding_id, f.subject_id, f.relation, f.observation_id, f.list_id, f.entry_id, f.entry_name,
             f.snapshot_id, f.matched_name, f.score, f.decision, f.explanation,
             entry_hashes.get((f.list_id, f.entry_id))) for f in findings]
    if not rows:
        return 0, 0
    frame = pd.DataFrame(rows, columns=["finding_id", "subject_id", "relation", "observation_id", "list_id",
                                        "entry_id", "entry_name", "snapshot_id", "matched_name", "score", "decision",
                                        "explanation", "entry_content_hash"]).drop_duplicates("finding_id")
    now = utcnow()
    con.register("_found", frame)
    try:
        again = con.execute("SELECT count(*) FROM _found JOIN findings USING (finding_id)").fetchall()[0][0]
        con.execute("""
            UPDATE findings SET last_run_id = ?, score = x.score, decision = x.decision, explanation = x.explanation,
                   matched_name = x.matched_name, snapshot_id = x.snapshot_id, entry_name = x.entry_name,
                   entry_content_hash = x.entry_content_hash, retired_run_id = NULL
            FROM _found x WHERE findings.finding_id = x.finding_id""", [run_id])
        con.execute("""
            INSERT INTO findings (finding_id, subject_id, relation, observation_id, list_id, entry_id, entry_name,
                                  snapshot_id, matched_name, score, decision, explanation, first_run_id, last_run_id,
                                  created_at, entry_content_hash)
            SELECT finding_id, subject_id, relation, observation_id, list_id, entry_id, entry_name, snapshot_id,
                   matched_name, score, decision, explanation, ?, ?, ?, entry_content_hash
            FROM _found WHERE finding_id NOT IN (SELECT finding_id FROM findings)""", [run_id, run_id, now])
    finally:
        con.unregister("_found")
    return len(frame) - again, again


def retire_unproduced(con, run_id: str, entries: list[tuple[str, str]] | None = None) -> int:
    """Findings a screen did not produce again are retired ('superseded'): all of them after a full screen, those
    of the re-screened entries after a delta screen."""
    sql = "UPDATE findings SET retired_run_id = ? WHERE retired_run_id IS NULL AND last_run_id <> ?"
    params: list = [run_id, run_id]
    if entries is not None:
        sql += " AND list_contains(?, list_id || '|' || entry_id)"
        params.append([f"{a}|{b}" for a, b in entries])
    before = con.execute("SELECT count(*) FROM findings WHERE retired_run_id IS NOT NULL").fetchall()[0][0]
    con.execute(sql, params)
    return con.execute("SELECT count(*) FROM findings WHERE retired_run_id IS NOT NULL").fetchall()[0][0] - before


def summary_by_subject(con) -> list[dict]:
    """Per subject: evidence, screening findings, and how the disclosure reconciled (restricted items left out)."""
    cur = con.execute("""
        WITH obs AS (SELECT subject_id, count(*) AS n FROM observations GROUP BY ALL),
             fnd AS (SELECT subject_id, count(*) AS n, string_agg(DISTINCT list_id, ', ' ORDER BY list_id) AS lists,
                            string_agg(DISTINCT relation, ', ' ORDER BY relation) AS relations
                     FROM findings GROUP BY ALL),
             rec AS (SELECT subject_id, string_agg(relation || ' ' || n, ', ' ORDER BY relation) AS reconciliation
                     FROM (SELECT subject_id, relation, count(*) AS n FROM disclosure_findings
                           WHERE NOT restricted GROUP BY ALL) GROUP BY ALL),
             dis AS (SELECT DISTINCT researcher_id AS subject_id FROM disclosures)
        SELECT s.subject_id, s.kind, s.name, coalesce(obs.n, 0) AS observations, coalesce(fnd.n, 0) AS findings,
               fnd.lists, fnd.relations, dis.subject_id IS NOT NULL AS disclosed,
               CASE WHEN dis.subject_id IS NULL THEN NULL ELSE coalesce(rec.reconciliation, 'consistent') END
                   AS reconciliation
        FROM subjects s LEFT JOIN obs USING (subject_id) LEFT JOIN fnd USING (subject_id)
        LEFT JOIN rec USING (subject_id) LEFT JOIN dis USING (subject_id)
        ORDER BY s.subject_id""")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


@dataclass(frozen=True)
class ChangedFinding:
    """A finding a run created (still open) or reopened: what a scheduled run tells its audience about."""

    subject_id: str
    relation: str
    observed_name: str
    list_id: str
    entry_name: str
    status: str
    status_reason: str | None


def new_or_reopened(con, run_id: str) -> list[ChangedFinding]:
    return [ChangedFinding(*r) for r in con.execute("""
        SELECT f.subject_id, f.relation, f.observed_name, f.list_id, f.entry_name, s.status, s.status_reason
        FROM v_findings f JOIN v_finding_status s USING (finding_id)
        WHERE (f.first_run_id = ? AND s.status = 'open') OR s.status_reason LIKE 'reopened%'
        ORDER BY 1, 2, 4""", [run_id]).fetchall()]


def _columns(record: type) -> str:
    """The select list for a record type: its fields, in order, are the columns it is built from."""
    return ", ".join(f.name for f in fields(record))


@dataclass(frozen=True)
class FindingRow:
    """A finding as the list shows it: what was seen, the entry it matched, and its review status."""

    finding_id: str
    subject_id: str
    relation: str
    observed_name: str
    evidence_id: str | None
    evidence_year: int | None
    list_id: str
    entry_name: str
    score: float
    decision: str
    status: str
    status_reason: str | None
def with_status(con, statuses: list[str] | None = None, subject_ids: list[str] | None = None,
                list_ids: list[str] | None = None) -> list[FindingRow]:
    """Findings and their review status, only those with these statuses, subjects and lists when given (a broken
    decision chain is refused: the status comes from it)."""
    decision_chain.require_intact(con)
    sql = f"SELECT {_columns(FindingRow)} FROM v_findings JOIN v_finding_status USING (finding_id) WHERE 1=1"
    params: list = []
    for col, values in (("status", statuses), ("subject_id", subject_ids), ("list_id", list_ids)):
        if values:
            sql += f" AND list_contains(?, {col})"
            params.append(values)
    rows = con.execute(sql + " ORDER BY subject_id, relation, list_id, evidence_id", params).fetchall()
    return [FindingRow(*r) for r in rows]


@dataclass(frozen=True)
class FindingDetail:
    """One finding's whole evidence chain (subject, observation, list entry and snapshot) and its review status."""

    finding_id: str
    subject_id: str
    subject_name: str | None
    relation: str
    observed_name: str
    observed_ror: str | None
    evidence_id: str | None
    evidence_year: int | None
    evidence_source: str
    evidence_url: str | None
    evidence_retrieved_at: datetime
    list_id: str
    entry_id: str
    entry_name: str
    matched_name: str
    score: float
    decision: str
    explanation: str
    snapshot_id: str
    list_source_url: str | None
    list_published: date | None
    list_sha256: str | None
    first_run_id: str
    last_run_id: str
    status: str
    status_reason: str | None
    case_key: str  # what decisions are recorded against (see store.review.decision_log)


def detail(con, finding_id: str) -> FindingDetail | None:
    decision_chain.require_intact(con)
    rows = con.execute(f"""SELECT {_columns(FindingDetail)} FROM v_findings JOIN v_finding_status USING (finding_id)
                           WHERE finding_id = ?""", [finding_id]).fetchall()
    return FindingDetail(*rows[0]) if rows else None


def standing_matches(con: DuckDBPyConnection, subject_id: str) -> list[MatchedEntry]:
    """The list entries the subject itself matches, leaving out dismissed, delisted and superseded findings."""
    rows = con.execute("""SELECT f.finding_id, f.list_id, f.entry_name FROM findings f JOIN v_finding_status s
                          USING (finding_id) WHERE f.subject_id = ? AND f.decision = 'match'
                          AND s.status IN ('open', 'confirmed', 'escalated')""", [subject_id]).fetchall()
    return [MatchedEntry(*r) for r in rows]


def listed_affiliations(con: DuckDBPyConnection, subject_id: str) -> list[ListedAffiliation]:
    """The subject's own affiliations and employers that match a list entry, as standing_matches counts them."""
    rows = con.execute("""SELECT DISTINCT f.list_id, f.entry_name, o.evidence_year, f.finding_id FROM findings f
                          JOIN observations o USING (observation_id) JOIN v_finding_status s USING (finding_id)
                          WHERE f.subject_id = ? AND f.relation IN ('affiliation', 'employment')
                          AND f.decision = 'match' AND s.status IN ('open', 'confirmed', 'escalated')""",
                       [subject_id]).fetchall()
    return [ListedAffiliation(*r) for r in rows]


@dataclass(frozen=True)
class ReconciliationDetail:
    """A reconciliation finding (self-report against evidence) with its evidence and review status."""

    finding_id: str
    subject_id: str
    subject_name: str | None
    relation: str
    observed_name: str
    observed_ror: str | None
    evidence_id: str | None
    evidence_year: int | None
    list_id: str | None
    entry_id: str | None
    entry_name: str | None
    confidence: str
    explanation: str
    evidence: list
    disclosure_id: str
    restricted: bool
    run_id: str
    status: str
    status_reason: str | None
    case_key: str


def reconciliation_detail(con, finding_id: str) -> ReconciliationDetail | None:
    decision_chain.require_intact(con)
    rows = con.execute("""SELECT r.finding_id, r.subject_id, sub.name, r.relation, r.observed_name, r.observed_ror,
                                 r.evidence_id, r.evidence_year, r.list_id, r.entry_id, r.entry_name, r.confidence,
                                 r.explanation, r.evidence::VARCHAR, r.disclosure_id, r.restricted, r.run_id,
                                 s.status, s.status_reason, s.case_key
                          FROM disclosure_findings r JOIN v_finding_status s USING (finding_id)
                          LEFT JOIN subjects sub ON sub.subject_id = r.subject_id
                          WHERE r.finding_id = ?""", [finding_id]).fetchall()
    if not rows:
        return None
    row = list(rows[0])
    row[13] = json.loads(row[13])
    return ReconciliationDetail(*row)
