"""Disclosures (every version kept) and reconciliation findings. The live database holds what is not restricted:
NDA collaborations, and the findings made from them, are sealed in the restricted store (``store.restricted``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from duckdb import DuckDBPyConnection

from highfence.disclosures.model import Disclosure
from highfence.store.db import utcnow

if TYPE_CHECKING:
    from highfence.store.restricted import Restricted


@dataclass(frozen=True)
class ReconciliationFinding:
    subject_id: str
    relation: str
    observed_name: str
    evidence_id: str | None
    evidence_year: int | None
    list_id: str | None
    entry_name: str | None
    confidence: str
    explanation: str
    evidence: list[dict]
    restricted: bool


@dataclass(frozen=True)
class Undisclosed:
    relation: str  # undisclosed_affiliation | undisclosed_funding
    observed_name: str
    finding_id: str


def public_content(d: Disclosure) -> dict:
    """What the live database keeps of a disclosure: everything but the NDA collaborations."""
    return d.to_json(include_restricted=False)


def add(con, disclosures: Iterable[Disclosure], source: str, source_sha256: str,
        restricted_changed: frozenset[str] = frozenset()) -> dict[str, str]:
    """Store each disclosure (its public part) as a new version; an unchanged one (same content as the current, and
    not among ``restricted_changed``, whose NDA items changed) is not repeated. researcher_id -> new disclosure_id."""
    ids = {}
    now = utcnow()
    for d in disclosures:
        content = json.dumps(public_content(d), ensure_ascii=False, sort_keys=True)
        current = con.execute("""SELECT arg_max(content, loaded_at)::VARCHAR FROM disclosures
                                 WHERE researcher_id = ?""", [d.researcher_id]).fetchall()[0][0]
        if current and json.loads(current) == json.loads(content) and d.researcher_id not in restricted_changed:
            continue
        did = hashlib.sha256(f"{d.researcher_id}\x1f{content}\x1f{now.isoformat()}".encode()).hexdigest()[:16]
        con.execute("INSERT INTO disclosures VALUES (?, ?, ?, ?, ?, ?)",
                    [did, d.researcher_id, content, source, source_sha256, now])
        ids[d.researcher_id] = did
    return ids


def current(con, researcher_ids: list[str] | None = None) -> dict[str, tuple[str, Disclosure]]:
    """researcher_id -> (disclosure_id, disclosure) of the latest version, without its NDA items."""
    sql = """SELECT researcher_id, arg_max(disclosure_id, loaded_at), arg_max(content, loaded_at)::VARCHAR
             FROM disclosures"""
    params: list = []
    if researcher_ids:
        sql += " WHERE list_contains(?, researcher_id)"
        params.append(researcher_ids)
    rows = con.execute(sql + " GROUP BY researcher_id", params).fetchall()
    # NDA items come only from the restricted store: any a database from before sealing still holds are not read
    return {rid: (did, Disclosure.from_json({k: v for k, v in json.loads(content).items()
                                             if k != "nda_collaborations"})) for rid, did, content in rows}


def history(con, researcher_id: str) -> list[tuple[str, str]]:
    return con.execute("""SELECT disclosure_id, loaded_at::VARCHAR FROM disclosures WHERE researcher_id = ?
                          ORDER BY loaded_at""", [researcher_id]).fetchall()


def replace_findings(con, subject_ids: list[str], rows: list[dict], run_id: str) -> int:
    """Reconciliation is recomputed per researcher: the new set replaces the old within one transaction. Restricted
    findings never come here (``store.restricted``)."""
    if any(r["restricted"] for r in rows):
        raise ValueError("restricted findings belong in the restricted store, not the live database")
    con.execute("DELETE FROM disclosure_findings WHERE list_contains(?, subject_id)", [subject_ids])
    now = utcnow()
    for r in rows:
        con.execute("""INSERT INTO disclosure_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                       ?)""", [r["finding_id"], r["subject_id"], r["relation"], r["observed_name"], r.get("observed_ror"),
                               r.get("evidence_id"), r.get("evidence_year"), r.get("list_id"), r.get("entry_id"),
                               r.get("entry_name"), r.get("score"), r.get("decision"), r["confidence"],
                               r["explanation"], json.dumps(r["evidence"], ensure_ascii=False), r["disclosure_id"],
                               r["restricted"], run_id, now])
    return len(rows)


def disclosed(con: DuckDBPyConnection, researcher_ids: list[str]) -> set[str]:
    """The researchers among these with a disclosure on file."""
    return {r[0] for r in con.execute("SELECT DISTINCT researcher_id FROM disclosures "
                                      "WHERE list_contains(?, researcher_id)", [researcher_ids]).fetchall()}


def _finding(r: dict) -> ReconciliationFinding:
    return ReconciliationFinding(r["subject_id"], r["relation"], r["observed_name"], r.get("evidence_id"),
                                 r.get("evidence_year"), r.get("list_id"), r.get("entry_name"), r["confidence"],
                                 r["explanation"], r["evidence"], True)


def reconciliation_findings(con: DuckDBPyConnection, subject_ids: list[str], restricted: Restricted | None = None
                            ) -> list[ReconciliationFinding]:
    """The subjects' reconciliation findings; those from NDA collaborations only with ``restricted`` access (the
    key, for a command asked to include them), and that read is logged."""
    rows = con.execute("""SELECT subject_id, relation, observed_name, evidence_id, evidence_year, list_id, entry_name,
                                  confidence, explanation, evidence, restricted FROM disclosure_findings
                           WHERE list_contains(?, subject_id) AND NOT restricted
                           ORDER BY subject_id, relation""", [subject_ids]).fetchall()
    out = [ReconciliationFinding(sid, rel, name, ev_id, year, list_id, entry, confidence, why, json.loads(evidence),
                                 restricted)
           for sid, rel, name, ev_id, year, list_id, entry, confidence, why, evidence, restricted in rows]
    if restricted is not None:
        out += [_finding(r.content) for r in restricted.read("disclosure_finding", subject_ids)]
    return sorted(out, key=lambda f: (f.subject_id, f.relation))


def undisclosed(con: DuckDBPyConnection, subject_id: str) -> list[Undisclosed]:
    """Affiliations and funding the open sources show but the disclosure leaves out (restricted ones left out)."""
    rows = con.execute("""SELECT relation, observed_name, finding_id FROM disclosure_findings WHERE subject_id = ?
                          AND relation IN ('undisclosed_affiliation', 'undisclosed_funding') AND NOT restricted""",
                       [subject_id]).fetchall()
    return [Undisclosed(*r) for r in rows]
