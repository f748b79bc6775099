"""Research-integrity notices (retractions, expressions of concern) on subjects' works."""

from __future__ import annotations

from typing import Iterable

from duckdb import DuckDBPyConnection

from highfence.records import IntegrityNotice
from highfence.store import evidence as evidence_store
from highfence.store.db import utcnow

_COLUMNS = "subject_id, update_type, work_doi, notice_doi, notice_date, notice_source, label, source_url"


def add_notices(con: DuckDBPyConnection, notices: Iterable[IntegrityNotice], run_id: str) -> int:
    """Each notice as an observation (so it has provenance like any other) and with its date and reporter here;
    returns how many were new."""
    notices = list(notices)
    if not notices:
        return 0
    new = evidence_store.add_observations(con, [n.observation for n in notices], run_id)
    now = utcnow()
    for n in notices:
        con.execute(f"INSERT INTO integrity_notices (observation_id, {_COLUMNS}, recorded_at, run_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [n.observation.observation_id, n.subject_id, n.update_type, n.work_doi, n.notice_doi,
                     n.notice_date, n.notice_source, n.label, n.source_url, now, run_id])
    return new


def notices(con: DuckDBPyConnection, subject_ids: list[str] | None = None) -> list[IntegrityNotice]:
    """Stored notices (of some subjects only), newest notice first."""
    sql = f"SELECT {_COLUMNS} FROM integrity_notices"
    params: list = []
    if subject_ids is not None:
        sql += " WHERE list_contains(?, subject_id)"
        params.append(subject_ids)
    rows = con.execute(sql + " ORDER BY subject_id, notice_date DESC NULLS LAST, work_doi, update_type",
                       params).fetchall()
    return [IntegrityNotice(*r) for r in rows]
