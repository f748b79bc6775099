"""Findings as analysts and other systems take them: screening and reconciliation findings, one row each with its
evidence. NDA-derived findings are restricted: they live in the restricted store, and come only with its access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from highfence.store import decision_chain

if TYPE_CHECKING:
    from highfence.store.restricted import Restricted

EXPORT_COLUMNS = ("finding_id", "subject_id", "relation", "observed_name", "observed_ror", "evidence_id",
                  "evidence_year", "list_id", "entry_id", "entry_name", "score", "decision", "status")


def export_rows(con, restricted: Restricted | None = None) -> list[dict]:
    """Every finding with the status the decision log gives it (a broken chain is refused); the NDA-derived ones
    only with ``restricted`` access (and that read is logged)."""
    decision_chain.require_intact(con)
    cur = con.execute("""
        SELECT f.finding_id, subject_id, relation, observed_name, observed_ror, evidence_id, evidence_year, list_id,
               entry_id, entry_name, score, decision, s.status, NULL AS confidence,
               explanation, evidence_source, evidence_url, snapshot_id, list_source_url, list_published, list_sha256
        FROM v_findings f JOIN v_finding_status s USING (finding_id)
        UNION ALL
        SELECT r.finding_id, subject_id, relation, observed_name, observed_ror, evidence_id, evidence_year, list_id,
               entry_id, entry_name, score, coalesce(decision, 'review'), s.status, confidence,
               explanation, 'disclosure reconciliation', NULL, NULL, NULL, NULL, NULL
        FROM disclosure_findings r JOIN v_finding_status s USING (finding_id)
        WHERE NOT r.restricted
        ORDER BY subject_id, relation, list_id NULLS LAST, entry_id NULLS LAST, evidence_id""")
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    if restricted is None:
        return rows
    for rec in restricted.read("disclosure_finding"):
        r = rec.content
        rows.append({**{c: r.get(c) for c in cols}, "decision": r.get("decision") or "review", "status": "open",
                     "evidence_source": "disclosure reconciliation (restricted)", "evidence_url": None,
                     "snapshot_id": None, "list_source_url": None, "list_published": None, "list_sha256": None})
    key = lambda r: (r["subject_id"], r["relation"], r["list_id"] is None, r["list_id"] or "",  # noqa: E731
                     r["entry_id"] is None, r["entry_id"] or "", r["evidence_id"] or "")
    return sorted(rows, key=key)


# The evidence chain of each screening finding, as the demo's findings.csv shows it.
CHAIN_COLUMNS = ("finding_id", "subject_id", "subject_name", "relation", "observed_name", "observed_ror",
                 "evidence_id", "evidence_year", "evidence_url", "list_id", "entry_id", "entry_name", "matched_name",
                 "score", "decision", "explanation", "snapshot_id", "list_source_url", "list_published",
                 "list_sha256")


def evidence_chains(con) -> list[tuple]:
    """One row per screening finding, columns ``CHAIN_COLUMNS``."""
    return con.execute(f"SELECT {', '.join(CHAIN_COLUMNS)} FROM v_findings "
                       "ORDER BY subject_id, relation, list_id, evidence_id").fetchall()
