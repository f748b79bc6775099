"""The decision log's hash chain: each decision's hash covers the previous decision's hash and a canonical form of
its own fields, and the head (last seq and hash) is kept apart in ``decision_chain_head``.

What it proves: a decision edited, deleted or slipped in with plain SQL after it was recorded breaks the chain at
that decision, and deleting the latest decisions disagrees with the head. What it cannot prove on its own: someone
with write access who recomputes every hash and the head. Against that, anchor the head outside the database
(``highfence db verify`` prints it; reports carry it) and compare."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from highfence.store.db import StoreError

GENESIS = "0" * 64
# The fields a decision's hash covers, in this order. Adding a column to decisions means a new chain version.
FIELDS = ("seq", "decision_id", "finding_id", "case_key", "decision", "status", "reason", "decided_by",
          "decided_by_name", "os_user", "decided_at", "previous_status", "entry_content_hash")


def _canonical(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def row_hash(prev_hash: str, row: dict) -> str:
    """sha256 of the previous hash and the row's fields as compact JSON (stable for any text, dates to the µs)."""
    body = json.dumps([_canonical(row[f]) for f in FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{body}".encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    seq: int            # the position in the log where the chain breaks
    decision_id: str | None
    problem: str


@dataclass(frozen=True)
class ChainState:
    decisions: int
    head: str           # the last decision's hash (GENESIS for an empty log)
    broken: BrokenLink | None


def _rows(con) -> list[dict]:
    cur = con.execute(f"SELECT {', '.join(FIELDS)}, prev_hash, row_hash FROM decisions "
                      "ORDER BY seq NULLS LAST, decided_at, decision_id")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _head(con) -> tuple[int, str] | None:
    rows = con.execute("SELECT seq, row_hash FROM decision_chain_head").fetchall()
    if len(rows) > 1:
        return (-1, "")  # more than one head is itself tampering; no decision matches it
    return (rows[0][0], rows[0][1]) if rows else None


def verify(con) -> ChainState:
    """Walk the log from the first decision; the first link that does not hold, if any."""
    rows = _rows(con)
    prev = GENESIS
    for expected, row in enumerate(rows, start=1):
        seq, did = row["seq"], row["decision_id"]
        if seq is None or row["row_hash"] is None:
            return ChainState(len(rows), prev, BrokenLink(expected, did, "decision is not chained (added outside "
                                                                          "highfence, or its hash removed)"))
        if seq < expected:
            return ChainState(len(rows), prev, BrokenLink(seq, did, f"a second decision #{seq} (inserted outside "
                                                                    "highfence)"))
        if seq > expected:
            return ChainState(len(rows), prev, BrokenLink(expected, None, f"decision #{expected} is missing (deleted)"))
        if row["prev_hash"] != prev:
            return ChainState(len(rows), prev, BrokenLink(seq, did, f"does not follow decision #{seq - 1} "
                                                                    "(the log was reordered or rewritten)"))
        if row_hash(prev, row) != row["row_hash"]:
            return ChainState(len(rows), prev, BrokenLink(seq, did, "altered after it was recorded"))
        prev = row["row_hash"]
    head = _head(con)
    if rows and head is None:
        return ChainState(len(rows), prev, BrokenLink(len(rows), rows[-1]["decision_id"], "the chain head is missing"))
    if head is not None and head != (len(rows), prev):
        seq = head[0]
        problem = (f"the head records decision #{seq}, the log ends at #{len(rows)} (latest decisions deleted)"
                   if seq > len(rows) else f"the chain head does not match decision #{len(rows)}")
        return ChainState(len(rows), prev, BrokenLink(min(max(seq, 1), len(rows) + 1), None, problem))
    return ChainState(len(rows), prev, None)


def require_intact(con) -> ChainState:
    """The chain's state, or a one-line error: nothing that reads decisions may show a log that was altered."""
    state = verify(con)
    if state.broken:
        b = state.broken
        raise StoreError(f"decision log broken at #{b.seq}{f' (decision {b.decision_id})' if b.decision_id else ''}: "
                         f"{b.problem}; nothing read from it can be trusted (see 'highfence db verify')")
    return state


def append(con, row: dict) -> dict:
    """Insert one decision at the end of the chain (inside the writer's transaction, after ``require_intact``).
    ``row`` has every field of FIELDS but seq; returns it with seq, prev_hash and row_hash."""
    last = con.execute("SELECT seq, row_hash FROM decisions WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
                       ).fetchall()
    seq, prev = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
    full = {**row, "seq": seq, "prev_hash": prev}
    full["row_hash"] = row_hash(prev, full)
    cols = [*FIELDS, "prev_hash", "row_hash"]
    con.execute(f"INSERT INTO decisions ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [full[c] for c in cols])
    _set_head(con, seq, full["row_hash"])
    return full


def _set_head(con, seq: int, digest: str) -> None:
    con.execute("DELETE FROM decision_chain_head")
    con.execute("INSERT INTO decision_chain_head VALUES (?, ?)", [seq, digest])


def chain_existing(con) -> int:
    """Chain the decisions recorded before the log was chained, oldest first (ties by decision id), so that the same
    log always gives the same chain. Runs once, in migration 0011's transaction."""
    rows = _rows(con)
    prev = GENESIS
    for seq, row in enumerate(rows, start=1):
        row = {**row, "seq": seq}
        digest = row_hash(prev, row)
        con.execute("UPDATE decisions SET seq = ?, prev_hash = ?, row_hash = ? WHERE decision_id = ?",
                    [seq, prev, digest, row["decision_id"]])
        prev = digest
    if rows:
        _set_head(con, len(rows), prev)
    return len(rows)
