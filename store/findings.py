"""Findings: one per (observation, list entry); re-screening updates the run that last saw it, never duplicates."""

from __future__ import annotations

from typing import Iterable

from highfence.records import Finding
from store.db import utcnow


def upsert(con, findings: Iterable[Finding], run_id: str) -> tuple[int, int]:
    """(new, seen again)."""
    new = again = 0
    now = utcnow()
    for f in findings:
        exists = con.execute("SELECT 1 FROM findings WHERE finding_id = ?", [f.finding_id]).fetchall()
        if exists:
            con.execute("""UPDATE findings SET last_run_id = ?, score = ?, decision = ?, explanation = ?,
                           matched_name = ?, snapshot_id = ?, entry_name = ? WHERE finding_id = ?""",
                        [run_id, f.score, f.decision, f.explanation, f.matched_name, f.snapshot_id, f.entry_name,
                         f.finding_id])
            again += 1
        else:
            con.execute("INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [f.finding_id, f.subject_id, f.relation, f.observation_id, f.list_id, f.entry_id,
                         f.entry_name, f.snapshot_id, f.matched_name, f.score, f.decision, f.explanation,
                         run_id, run_id, now])
            new += 1
    return new, again


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
