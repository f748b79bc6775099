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
    cur = con.execute("""
        SELECT s.subject_id, s.kind, s.name,
               count(DISTINCT o.observation_id) AS observations,
               count(DISTINCT f.finding_id) AS findings,
               string_agg(DISTINCT f.list_id, ', ' ORDER BY f.list_id) AS lists,
               string_agg(DISTINCT f.relation, ', ' ORDER BY f.relation) AS relations
        FROM subjects s
        LEFT JOIN observations o ON o.subject_id = s.subject_id
        LEFT JOIN findings f ON f.subject_id = s.subject_id
        GROUP BY ALL ORDER BY s.subject_id""")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
