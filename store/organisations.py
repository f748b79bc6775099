"""ROR organisations in the store."""

from __future__ import annotations

import json
from typing import Iterable

from highfence.store.db import utcnow


def upsert(con, rows: Iterable[dict], source: str) -> int:
    import pandas as pd  # only loading ROR data needs it: `highfence match` starts faster without

    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return 0
    for col in ("relationships", "locations"):
        if col not in frame:
            frame[col] = None
    for col in ("names", "relationships", "locations"):
        frame[col] = frame[col].map(lambda v: None if v is None else json.dumps(v, ensure_ascii=False))
    frame["source"] = source
    frame["retrieved_at"] = utcnow()
    con.register("_orgs", frame)
    try:
        con.execute("""
            INSERT OR REPLACE INTO organisations (ror_id, name, names, country, types, status, parents, children,
                                                  source, retrieved_at, relationships, locations)
            SELECT ror_id, name, names::JSON, country, types::VARCHAR[], status, parents::VARCHAR[],
                   children::VARCHAR[], source, retrieved_at, relationships::JSON, locations::JSON FROM _orgs""")
    finally:
        con.unregister("_orgs")
    return len(frame)


def get(con, ror_id: str) -> dict | None:
    cur = con.execute("SELECT * FROM organisations WHERE ror_id = ?", [ror_id])
    rows = cur.fetchall()
    if not rows:
        return None
    rec = dict(zip([d[0] for d in cur.description], rows[0]))
    for col in ("names", "relationships", "locations"):
        if rec.get(col) is not None:
            rec[col] = json.loads(rec[col])
    return rec


def count(con) -> int:
    return con.execute("SELECT count(*) FROM organisations").fetchall()[0][0]


def names_for(con, ror_ids: list[str]) -> dict[str, dict]:
    """{ror_id: {'id', 'names'}} for the given ids that the store holds."""
    rows = con.execute("SELECT ror_id, names FROM organisations WHERE list_contains(?, ror_id)",
                       [list(ror_ids)]).fetchall()
    return {r: {"id": r, "names": json.loads(n)} for r, n in rows}


def family_records(con) -> dict[str, dict]:
    """Every organisation the store holds, as much of a ROR v2 record as a family needs (id, names, status,
    relationships, locations). Rows loaded before relationships were kept give their parents and children."""
    out = {}
    for rid, names, status, parents, children, rels, locs in con.execute(
            "SELECT ror_id, names, status, parents, children, relationships, locations FROM organisations").fetchall():
        if rels is None:
            rels_list = [{"type": "parent", "id": p} for p in parents] + [{"type": "child", "id": c} for c in children]
        else:
            rels_list = json.loads(rels)
        out[rid] = {"id": rid, "names": json.loads(names), "status": status, "relationships": rels_list,
                    "locations": json.loads(locs) if locs is not None else []}
    return out


def replace_family(con, members: Iterable[dict]) -> int:
    """The crosswalked organisations' families (matching.ror_family.FamilyMember.to_json() rows), replacing the
    previous computation whole."""
    import pandas as pd

    frame = pd.DataFrame(list(members), columns=["root", "ror_id", "relation", "depth", "path", "names", "status",
                                                 "countries", "cities", "parents"])
    con.execute("DELETE FROM ror_family")
    if frame.empty:
        return 0
    frame["names"] = frame["names"].map(lambda n: json.dumps(n, ensure_ascii=False))
    frame["computed_at"] = utcnow()
    con.register("_family", frame)
    try:
        con.execute("""
            INSERT INTO ror_family
            SELECT root, ror_id, relation, depth, path::VARCHAR[], names::JSON, status, countries::VARCHAR[],
                   cities::VARCHAR[], parents::VARCHAR[], computed_at FROM _family""")
    finally:
        con.unregister("_family")
    return len(frame)


def family_of(con, roots: list[str]) -> dict[str, list[dict]]:
    """{root: [member as FamilyMember.to_json() gives it]} for the given crosswalked ids the store has a family of."""
    out: dict[str, list[dict]] = {}
    for root, rid, relation, depth, path, names, status, countries, cities, parents in con.execute("""
            SELECT root, ror_id, relation, depth, path, names, status, countries, cities, parents FROM ror_family
            WHERE list_contains(?, root) ORDER BY root, relation, depth, ror_id""", [list(roots)]).fetchall():
        out.setdefault(root, []).append({
            "root": root, "ror_id": rid, "relation": relation, "depth": depth, "path": list(path),
            "names": json.loads(names), "status": status, "countries": list(countries), "cities": list(cities),
            "parents": list(parents)})
    return out


def names_text_for(con, ror_ids: list[str]) -> list[tuple[str, str]]:
    """(ror_id, names as the stored JSON text) of the given ids the store holds, by id: compared, not parsed."""
    return [tuple(r) for r in con.execute(
        "SELECT ror_id, names::VARCHAR FROM organisations WHERE list_contains(?, ror_id) ORDER BY ror_id",
        [list(ror_ids)]).fetchall()]


def family_text_for(con, roots: list[str]) -> list[tuple]:
    """The stored family rows of the given crosswalked ids, as text: compared (a saved matcher's key), not parsed."""
    return [tuple(str(x) for x in r) for r in con.execute(
        "SELECT root, ror_id, relation, depth, names::VARCHAR, status, computed_at FROM ror_family "
        "WHERE list_contains(?, root) ORDER BY root, ror_id, relation", [list(roots)]).fetchall()]
