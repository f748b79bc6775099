"""Loading list files into snapshots: parse, validate, then write snapshot and activation in one transaction.

A refused load writes only its attempt record; the active snapshot stays as it was."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from highfence import store
from highfence.store import Store, StoreLike
from highfence import HighfenceError, __version__
from highfence.store import lists as list_store
from highfence.store.db import utcnow
from highfence.watchlists.model import ListFormatError, ParsedList
from highfence.watchlists.registry import source_files, source_for
from highfence.watchlists.snapshots import check_counts, diff_entries


class LoadRefused(HighfenceError):
    pass


@dataclass
class LoadResult:
    list_id: str
    outcome: str  # activated | unchanged
    snapshot_id: str
    entries: int
    counts: dict[str, int]
    published: str | None
    changes: dict[str, int] = field(default_factory=dict)  # against the previously active snapshot


def fingerprint(paths: list[Path]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for p in paths:
        data = p.read_bytes()
        if len(paths) > 1:  # a set of files: the names are part of the content
            digest.update(p.name.lower().encode() + b"\0")
        digest.update(data)
        size += len(data)
    return digest.hexdigest(), size


def refuse(st: Store, list_id: str, source: str, sha: str | None, reason: str) -> LoadRefused:
    with st.writer() as con:
        list_store.record_attempt(con, list_id, source, sha, "refused", reason, None, utcnow())
    return LoadRefused(f"{list_id}: load refused, previous snapshot kept: {reason}")


def load_list(db: StoreLike, list_id: str, path: Path, *, force: bool = False, max_drop: float = 0.10,
              source: str | None = None) -> LoadResult:
    st = Store.of(db)
    src = source_for(list_id)
    path = Path(path)
    source = source or str(path)
    st.migrate()  # a new database is created, an older one brought up to date
    try:
        files = source_files(list_id, path)
        sha, size = fingerprint(files)
    except (ListFormatError, HighfenceError) as exc:
        raise refuse(st, list_id, source, None, str(exc)) from None
    except OSError as exc:
        raise refuse(st, list_id, source, None, f"{path}: {exc.strerror or exc}") from None

    with st.connect(read_only=True) as con:
        active = list_store.active_snapshot(con, list_id)
        existing = list_store.snapshot_by_sha(con, list_id, sha)
    if active and active.sha256 == sha:
        with st.writer() as con:
            list_store.record_attempt(con, list_id, source, sha, "unchanged", "identical to the active snapshot",
                                      active.snapshot_id, utcnow())
        return LoadResult(list_id, "unchanged", active.snapshot_id, active.entries, active.counts(),
                          _iso(active.published))

    try:
        parsed: ParsedList = src.parse(path, list_id)
    except ListFormatError as exc:
        raise refuse(st, list_id, source, sha, str(exc)) from None
    verdict = check_counts(len(parsed.entries), active.entries if active else None, max_drop, force)
    if not verdict.ok:
        raise refuse(st, list_id, source, sha, verdict.reason)

    now = utcnow()
    with st.connect() as con:
        with store.transaction(con):
            snapshot_id = existing or list_store.insert_snapshot(
                con, parsed, source=source, sha256=sha, size_bytes=size, retrieved_at=now, parser_version=__version__)
            reason = "forced" if force and active else "validated"
            list_store.activate(con, list_id, snapshot_id, reason, now)
            list_store.record_attempt(con, list_id, source, sha, "activated", reason, snapshot_id, now)
        changes = {}
        if active:
            changes = diff_entries(list_store.entries_for_diff(con, active.snapshot_id),
                                   list_store.entries_for_diff(con, snapshot_id)).summary()
    return LoadResult(list_id, "activated", snapshot_id, len(parsed.entries), parsed.counts(),
                      _iso(parsed.published), changes)


def _iso(value) -> str | None:
    return value.isoformat() if value else None
