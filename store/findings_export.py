"""Findings as analysts and other systems take them: screening and reconciliation findings, one row each with its
evidence. NDA-derived findings are restricted: left out unless asked for."""

from __future__ import annotations

EXPORT_COLUMNS = ("finding_id", "subject_id", "relation", "observed_name", "observed_ror", "evidence_id",
                  "evidence_year", "list_id", "entry_id", "entry_name", "score", "decision", "status")


def export_rows(con, include_restricted: bool = False) -> list[dict]:
    cur = con.execute(f"""
        SELECT finding_id, subject_id, relation, observed_name, observed_ror, evidence_id, evidence_year, list_id,
               entry_id, entry_name, score, decision, 'open' AS status, NULL AS confidence,
               explanation, evidence_source, evidence_url, snapshot_id, list_source_url, list_published, list_sha256
        FROM v_findings
        UNION ALL
        SELECT finding_id, subject_id, relation, observed_name, observed_ror, evidence_id, evidence_year, list_id,
               entry_id, entry_name, score, coalesce(decision, 'review'), 'open', confidence,
               explanation, 'disclosure reconciliation', NULL, NULL, NULL, NULL, NULL
        FROM disclosure_findings {"" if include_restricted else "WHERE NOT restricted"}
        ORDER BY subject_id, relation, list_id NULLS LAST, entry_id NULLS LAST, evidence_id""")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


# The evidence chain of each screening finding, as the demo's findings.csv shows it.
CHAIN_COLUMNS = ("finding_id", "subject_id", "subject_name", "relation", "observed_name", "observed_ror",
                 "evidence_id", "evidence_year", "evidence_url", "list_id", "entry_id", "entry_name", "matched_name",
                 "score", "decision", "explanation", "snapshot_id", "list_source_url", "list_published",
                 "list_sha256")


def evidence_chains(con) -> list[tuple]:
    """One row per screening finding, columns ``CHAIN_COLUMNS``."""
    return con.execute(f"SELECT {', '.join(CHAIN_COLUMNS)} FROM v_findings "
                       "ORDER BY subject_id, relation, list_id, evidence_id").fetchall()
