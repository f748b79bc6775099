"""screening_runs: every run is recorded before it starts and closed with its outcome."""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from duckdb import DuckDBPyConnection

from highfence import __version__
from highfence.store.db import utcnow


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    kind: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    inputs: dict[str, Any]


def start(con, kind: str, inputs: dict[str, Any], flow_run_id: str | None = None) -> str:
    close_interrupted(con)
    run_id = f"{kind}-{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    con.execute(
        "INSERT INTO screening_runs (run_id, kind, started_at, status, inputs, highfence_version, flow_run_id, host, "
        "pid) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
        [run_id, kind, utcnow(), json.dumps(inputs, default=str), __version__, flow_run_id, socket.gethostname(),
         os.getpid()],
    )
    return run_id


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: alive
        return True
    return True


def close_interrupted(con) -> list[str]:
    """Runs of this host still 'running' whose process is gone (killed, crashed): failed, saying so.
    What they committed stays; the next run completes the work. Runs of other hosts are left to their hosts."""
    rows = con.execute("SELECT run_id, pid FROM screening_runs WHERE status = 'running' AND host = ?",
                       [socket.gethostname()]).fetchall()
    gone = [run_id for run_id, pid in rows if pid is not None and pid != os.getpid() and not _alive(pid)]
    for run_id in gone:
        fail(con, run_id, "interrupted: the run's process ended before the run did (closed by the next run)")
    return gone


def finish(con, run_id: str, outcome: dict[str, Any]) -> None:
    con.execute("UPDATE screening_runs SET status = 'succeeded', finished_at = ?, outcome = ? WHERE run_id = ?",
                [utcnow(), json.dumps(outcome, default=str), run_id])


def merge_outcome(con, run_id: str, patch: dict[str, Any]) -> None:
    """Add keys to a finished run's outcome (what a flow learnt after the run's own steps)."""
    con.execute("""UPDATE screening_runs SET outcome = json_merge_patch(coalesce(outcome, '{}'), ?)
                   WHERE run_id = ?""", [json.dumps(patch, default=str), run_id])


def fail(con, run_id: str, error: str) -> None:
    con.execute("UPDATE screening_runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ?",
                [utcnow(), error[:2000], run_id])


def get(con, run_id: str) -> dict | None:
    cur = con.execute("SELECT * FROM screening_runs WHERE run_id = ?", [run_id])
    rows = cur.fetchall()
    row = rows[0] if rows else None
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def recent(con: DuckDBPyConnection, limit: int) -> list[RunSummary]:
    """The latest runs of any kind, newest first."""
    rows = con.execute("""SELECT run_id, kind, started_at, finished_at, status, inputs FROM screening_runs
                          ORDER BY started_at DESC LIMIT ?""", [limit]).fetchall()
    return [RunSummary(run_id, kind, started, finished, status, json.loads(inputs or "{}"))
            for run_id, kind, started, finished, status, inputs in rows]


def latest_source_usage(con, source: str) -> tuple[datetime, dict] | None:
    """When the latest finished run that called ``source`` ended, and what the source cost it (calls by cost class,
    the budget its headers reported, 'budget exhausted' and the reset time): what a plan compares against."""
    path = f"$.sources.{source}"
    rows = con.execute("""SELECT finished_at, json_extract(outcome, ?)::VARCHAR AS used FROM screening_runs
                          WHERE finished_at IS NOT NULL AND json_extract(outcome, ?) IS NOT NULL
                          ORDER BY finished_at DESC LIMIT 1""", [path, path]).fetchall()
    if not rows:
        return None
    return rows[0][0], json.loads(rows[0][1])
