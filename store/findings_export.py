"""Findings as analysts and other systems take them: one row per finding with its evidence."""

from __future__ import annotations

EXPORT_COLUMNS = ("finding_id", "subject_id", "relation", "observed_name", "observed_ror", "evidence_id",
                  "evidence_year", "list_id", "entry_id", "entry_name", "score", "decision", "status")


def export_rows(con) -> list[dict]:
    cur = con.execute("""
        SELECT finding_id, subject_id, relation, observed_name, observed_ror, evidence_id, evidence_year, list_id,
               entry_id, entry_name, score, decision, 'open' AS status,
               explanation, evidence_source, evidence_url, snapshot_id, list_source_url, list_published, list_sha256
        FROM v_findings ORDER BY subject_id, relation, list_id, entry_id, evidence_id""")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
