"""Findings as analysts and other systems take them: screening and reconciliation findings, one row each with its
evidence. NDA-derived findings are restricted: left out unless asked for."""

from __future__ import annotations

from highfence.store import decision_chain

EXPORT_COLUMNS = ("finding_id", "subject_id", "relation", "observed_name", "observed_ror", "evidence_id",
                  "evidence_year", "list_id", "entry_id", "entry_name", "score", "decision", "status")


def export_rows(con, include_restricted: bool = False) -> list[dict]:
    """Every finding with the status the decision log gives it (a broken chain is refused)."""
    decision_chain.require_intact(con)
    cur = con.execute(f"""
        SELECT f.finding_id, subject_id, relation, observed_name, observed_ror, evidence_id, evidence_year, list_id,
               entry_id, entry_name, score, decision, s.status, NULL AS confidence,
               explanation, evidence_source, evidence_url, snapshot_id, list_source_url, list_published, list_sha256
        FROM v_findings f JOIN v_finding_status s USING (finding_id)
        UNION ALL
        SELECT r.finding_id, subject_id, relation, observed_name, observed_ror, evidence_id, evidence_year, list_id,
               entry_id, entry_name, score, coalesce(decision, 'review'), s.status, confidence,
               explanation, 'disclosure reconciliation', NULL, NULL, NULL, NULL, NULL
        FROM disclosure_findings r JOIN v_finding_status s USING (finding_id)
        {"" if include_restricted else "WHERE NOT r.restricted"}
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
