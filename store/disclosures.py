"""Disclosures (every version kept) and reconciliation findings."""

from __future__ import annotations

import hashlib
import json
from typing import Iterable

from highfence.disclosures.model import Disclosure
from highfence.store.db import utcnow


def add(con, disclosures: Iterable[Disclosure], source: str, source_sha256: str) -> list[str]:
    """Store each disclosure as a new version; an unchanged one (same content as the current) is not repeated."""
    ids = []
    now = utcnow()
    for d in disclosures:
        content = json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True)
        current = con.execute("""SELECT arg_max(content, loaded_at)::VARCHAR FROM disclosures
                                 WHERE researcher_id = ?""", [d.researcher_id]).fetchall()[0][0]
        if current and json.loads(current) == json.loads(content):
            continue
        did = hashlib.sha256(f"{d.researcher_id}\x1f{content}\x1f{now.isoformat()}".encode()).hexdigest()[:16]
        con.execute("INSERT INTO disclosures VALUES (?, ?, ?, ?, ?, ?)",
                    [did, d.researcher_id, content, source, source_sha256, now])
        ids.append(did)
    return ids


def current(con, researcher_ids: list[str] | None = None) -> dict[str, tuple[str, Disclosure]]:
    """researcher_id -> (disclosure_id, disclosure) of the latest version."""
    sql = """SELECT researcher_id, arg_max(disclosure_id, loaded_at), arg_max(content, loaded_at)::VARCHAR
             FROM disclosures"""
    params: list = []
    if researcher_ids:
        sql += " WHERE list_contains(?, researcher_id)"
        params.append(researcher_ids)
    rows = con.execute(sql + " GROUP BY researcher_id", params).fetchall()
    return {rid: (did, Disclosure.from_json(json.loads(content))) for rid, did, content in rows}


def history(con, researcher_id: str) -> list[tuple[str, str]]:
    return con.execute("""SELECT disclosure_id, loaded_at::VARCHAR FROM disclosures WHERE researcher_id = ?
                          ORDER BY loaded_at""", [researcher_id]).fetchall()


def replace_findings(con, subject_ids: list[str], rows: list[dict], run_id: str) -> int:
    """Reconciliation is recomputed per researcher: the new set replaces the old within one transaction."""
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
