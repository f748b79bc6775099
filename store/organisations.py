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
    frame["names"] = frame["names"].map(lambda n: json.dumps(n, ensure_ascii=False))
    frame["source"] = source
    frame["retrieved_at"] = utcnow()
    con.register("_orgs", frame)
    try:
        con.execute("""
            INSERT OR REPLACE INTO organisations
            SELECT ror_id, name, names::JSON, country, types::VARCHAR[], status, parents::VARCHAR[],
                   children::VARCHAR[], source, retrieved_at FROM _orgs""")
    finally:
        con.unregister("_orgs")
    return len(frame)


def get(con, ror_id: str) -> dict | None:
    cur = con.execute("SELECT * FROM organisations WHERE ror_id = ?", [ror_id])
    rows = cur.fetchall()
    if not rows:
        return None
    rec = dict(zip([d[0] for d in cur.description], rows[0]))
    rec["names"] = json.loads(rec["names"])
    return rec


def count(con) -> int:
    return con.execute("SELECT count(*) FROM organisations").fetchall()[0][0]


def names_for(con, ror_ids: list[str]) -> dict[str, dict]:
    """{ror_id: {'id', 'names'}} for the given ids that the store holds."""
    rows = con.execute("SELECT ror_id, names FROM organisations WHERE list_contains(?, ror_id)",
                       [list(ror_ids)]).fetchall()
    return {r: {"id": r, "names": json.loads(n)} for r, n in rows}


def names_text_for(con, ror_ids: list[str]) -> list[tuple[str, str]]:
    """(ror_id, names as the stored JSON text) of the given ids the store holds, by id: compared, not parsed."""
    return [tuple(r) for r in con.execute(
        "SELECT ror_id, names::VARCHAR FROM organisations WHERE list_contains(?, ror_id) ORDER BY ror_id",
        [list(ror_ids)]).fetchall()]
