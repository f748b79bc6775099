"""Watchlist snapshots in the store: insert, activate, status, diff inputs, look-ups."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import duckdb

from highfence.matching.model import ListedEntry
from highfence.matching.normalize import fold
from highfence.watchlists.model import ParsedList


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def snapshot_id_for(list_id: str, sha256: str) -> str:
    return f"{list_id}@{sha256[:12]}"


@dataclass(frozen=True)
class ListStatus:
    """A list's active snapshot: where it came from, when, and what it holds."""

    list_id: str
    snapshot_id: str
    format: str
    published: date | None
    retrieved_at: datetime
    activated_at: datetime
    sha256: str
    entries: int
    organizations: int
    persons: int
    vessels: int
    other: int
    source: str | None

    def counts(self) -> dict[str, int]:
        """Entries by kind, keyed as ``ParsedList.counts`` keys them."""
        return {"organization": self.organizations, "person": self.persons, "vessel": self.vessels,
                "other": self.other}


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: str
    published: date | None
    retrieved_at: datetime
    entries: int
    sha256: str
    active: bool


@dataclass(frozen=True)
class NameHit:
    """A listed name or alias equal to the looked-up text (after folding)."""

    list_id: str
    entry_id: str
    kind: str
    name: str
    matched_name: str
    name_kind: str
    countries: list[str]
    programs: list[str]


def _columns(record: type) -> str:
    return ", ".join(f.name for f in fields(record))


def active_snapshot(con: duckdb.DuckDBPyConnection, list_id: str) -> ListStatus | None:
    rows = con.execute(f"SELECT {_columns(ListStatus)} FROM v_active_snapshots WHERE list_id = ?",
                       [list_id]).fetchall()
    return ListStatus(*rows[0]) if rows else None


@dataclass(frozen=True)
class ActiveSnapshot:
    list_id: str
    snapshot_id: str
    published: date | None
    retrieved_at: datetime
    sha256: str
    source_url: str | None
    entries: int


def active_snapshots(con: duckdb.DuckDBPyConnection) -> list[ActiveSnapshot]:
    """The snapshot each list is screened against, by list."""
    rows = con.execute("""SELECT list_id, snapshot_id, published, retrieved_at, sha256, source_url, entries
                          FROM v_active_snapshots ORDER BY list_id""").fetchall()
    return [ActiveSnapshot(*r) for r in rows]


def snapshot_by_sha(con: duckdb.DuckDBPyConnection, list_id: str, sha256: str) -> str | None:
    rows = con.execute("SELECT snapshot_id FROM list_snapshots WHERE list_id = ? AND sha256 = ?",
                       [list_id, sha256]).fetchall()
    return rows[0][0] if rows else None


def record_attempt(con, list_id: str, source: str, sha256: str | None, outcome: str, reason: str | None,
                   snapshot_id: str | None, at: datetime) -> None:
    con.execute("INSERT INTO list_load_attempts VALUES (?, ?, ?, ?, ?, ?, ?)",
                [list_id, at, source, sha256, outcome, reason, snapshot_id])


def insert_snapshot(con, parsed: ParsedList, *, source: str, sha256: str, size_bytes: int, retrieved_at: datetime,
                    parser_version: str) -> str:
    import pandas as pd  # only loading a list needs it: `highfence match` starts faster without

    snapshot_id = snapshot_id_for(parsed.list_id, sha256)
    counts = parsed.counts()
    con.execute(
        "INSERT INTO list_snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [snapshot_id, parsed.list_id, parsed.format, source, parsed.source_url, retrieved_at, parsed.published,
         sha256, size_bytes, len(parsed.entries), counts["organization"], counts["person"], counts["vessel"],
         counts["other"] + counts["aircraft"], parser_version, retrieved_at],
    )
    entries = pd.DataFrame({
        "snapshot_id": snapshot_id,
        "list_id": parsed.list_id,
        "entry_id": [e.entry_id for e in parsed.entries],
        "kind": [e.kind for e in parsed.entries],
        "name": [e.name for e in parsed.entries],
        "aliases": [list(e.aliases) for e in parsed.entries],
        "countries": [list(e.countries) for e in parsed.entries],
        "addresses": [list(e.addresses) for e in parsed.entries],
        "programs": [list(e.programs) for e in parsed.entries],
        "listed_on": [e.listed_on for e in parsed.entries],
        "removed_on": [e.removed_on for e in parsed.entries],
        "source_url": [e.source_url for e in parsed.entries],
        "content_hash": [e.content_hash() for e in parsed.entries],
        "raw": [json.dumps(e.raw, ensure_ascii=False, default=_json_default) for e in parsed.entries],
    })
    con.register("_entries", entries)
    try:
        con.execute("""
            INSERT INTO list_entries
            SELECT snapshot_id, list_id, entry_id, kind, name, aliases::VARCHAR[], countries::VARCHAR[],
                   addresses::VARCHAR[], programs::VARCHAR[], listed_on::DATE, removed_on::DATE, source_url,
                   content_hash, raw::JSON
            FROM _entries""")
    finally:
        con.unregister("_entries")
    names = [(e.entry_id, n, "primary" if i == 0 else "alias", fold(n))
             for e in parsed.entries for i, n in enumerate(e.names)]
    frame = pd.DataFrame(names, columns=["entry_id", "name", "name_kind", "normalized"])
    frame.insert(0, "snapshot_id", snapshot_id)
    con.register("_names", frame)
    try:
        con.execute("INSERT INTO list_entry_names SELECT snapshot_id, entry_id, name, name_kind, normalized FROM _names")
    finally:
        con.unregister("_names")
    return snapshot_id


def activate(con, list_id: str, snapshot_id: str, reason: str, at: datetime) -> None:
    con.execute("INSERT INTO list_activations VALUES (?, ?, ?, ?)", [list_id, snapshot_id, at, reason])


def status(con) -> list[ListStatus]:
    return [ListStatus(*r) for r in con.execute(
        f"SELECT {_columns(ListStatus)} FROM v_active_snapshots ORDER BY list_id").fetchall()]


def snapshots(con, list_id: str) -> list[Snapshot]:
    return [Snapshot(*r) for r in con.execute("""
        SELECT s.snapshot_id, s.published, s.retrieved_at, s.entries, s.sha256,
               coalesce(s.snapshot_id = a.snapshot_id, false) AS active
        FROM list_snapshots s LEFT JOIN v_active_snapshots a USING (list_id)
        WHERE s.list_id = ? ORDER BY s.loaded_at""", [list_id]).fetchall()]


def previous_activated(con, list_id: str) -> str | None:
    """The snapshot that was active before the current one."""
    rows = con.execute("""
        SELECT snapshot_id FROM list_activations WHERE list_id = ? ORDER BY activated_at DESC""", [list_id]).fetchall()
    current = rows[0][0] if rows else None
    for (sid,) in rows[1:]:
        if sid != current:
            return sid
    return None


def entries_for_diff(con, snapshot_id: str) -> dict[str, dict]:
    cur = con.execute("""
        SELECT entry_id, kind, name, aliases, countries, addresses, programs, listed_on, removed_on
        FROM list_entries WHERE snapshot_id = ?""", [snapshot_id])
    cols = [d[0] for d in cur.description]
    return {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}


def search(con, text: str, limit: int = 50) -> list[NameHit]:
    """Exact look-up of a folded name or alias across active lists."""
    return [NameHit(*r) for r in con.execute("""
        SELECT DISTINCT e.list_id, e.entry_id, e.kind, e.name, n.name AS matched_name, n.name_kind,
               e.countries, e.programs
        FROM list_entry_names n
        JOIN v_active_entries e ON e.snapshot_id = n.snapshot_id AND e.entry_id = n.entry_id
        WHERE n.normalized = ?
        ORDER BY e.list_id, e.name LIMIT ?""", [fold(text), limit]).fetchall()]


@dataclass(frozen=True)
class ActiveEntry:
    """An entry of an active snapshot, as matching and screening need it."""

    list_id: str
    entry_id: str
    name: str
    aliases: tuple[str, ...]
    countries: tuple[str, ...]
    kind: str
    snapshot_id: str
    content_hash: str

    def listed(self) -> ListedEntry:
        return ListedEntry(self.list_id, self.entry_id, self.name, self.aliases, self.countries, self.kind,
                           self.snapshot_id)


def active_entries(con, list_ids: list[str] | None = None, kinds: tuple[str, ...] = ("organization", "other"),
                   include_removed: bool = False) -> list[ActiveEntry]:
    """Entries of the active snapshots (optionally of some lists only), for matching."""
    sql = """SELECT list_id, entry_id, name, aliases, countries, kind, snapshot_id, content_hash
             FROM v_active_entries WHERE list_contains(?, kind)"""
    params: list = [list(kinds)]
    if list_ids:
        sql += " AND list_contains(?, list_id)"
        params.append(list(list_ids))
    if not include_removed:
        sql += " AND (removed_on IS NULL OR removed_on > current_date)"
    return [ActiveEntry(l, e, n, tuple(a or ()), tuple(c or ()), k, sid, h)
            for l, e, n, a, c, k, sid, h in con.execute(sql + " ORDER BY list_id, entry_id", params).fetchall()]


def active_snapshot_ids(con) -> dict[str, str]:
    """list id -> its active snapshot id."""
    return dict(con.execute("SELECT list_id, snapshot_id FROM v_active_snapshots").fetchall())


def last_screened_snapshots(con) -> dict[str, str]:
    """list id -> the snapshot it was last screened against (lists never screened are absent)."""
    return dict(con.execute("""SELECT list_id, arg_max(snapshot_id, screened_at) FROM list_screening
                               GROUP BY list_id""").fetchall())


def entry_hashes(con, snapshot_ids: list[str]) -> dict[tuple[str, str], str]:
    """(list id, entry id) -> content hash, for the entries of these snapshots."""
    if not snapshot_ids:
        return {}
    return {(l, e): h for l, e, h in con.execute(
        "SELECT list_id, entry_id, content_hash FROM list_entries WHERE list_contains(?, snapshot_id)",
        [list(snapshot_ids)]).fetchall()}


def record_screening(con, snapshots: dict[str, str], run_id: str, screened_at) -> None:
    """Which snapshot of each list a run screened against: the base of the next delta screen."""
    for list_id, snapshot_id in snapshots.items():
        con.execute("INSERT INTO list_screening VALUES (?, ?, ?, ?)", [list_id, snapshot_id, run_id, screened_at])


def matcher_inputs(con, list_ids: list[str] | None, kinds: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(list id, active snapshot, entries of these kinds removed by today) of the lists (default: all active): what
    decides the entries ``active_entries`` gives a matcher. A snapshot's entries never change and removals only add
    up as the days pass, so the same rows mean the same entries (a saved matcher's key)."""
    sql = """SELECT s.list_id, s.snapshot_id,
                    (SELECT count(*) FROM list_entries e WHERE e.snapshot_id = s.snapshot_id
                     AND list_contains(?, e.kind) AND e.removed_on <= current_date)
             FROM v_active_snapshots s"""
    params: list = [list(kinds)]
    if list_ids:
        sql += " WHERE list_contains(?, s.list_id)"
        params.append(list(list_ids))
    return [tuple(r) for r in con.execute(sql + " ORDER BY s.list_id", params).fetchall()]
