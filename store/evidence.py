"""Subjects, raw responses and observations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import pandas as pd
from duckdb import DuckDBPyConnection

from highfence.records import Observation, Subject
from highfence.store.db import utcnow


@dataclass(frozen=True)
class StoredSubject:
    subject_id: str
    kind: str
    name: str
    orcid: str | None
    openalex_id: str | None
    ror_id: str | None
    home_institution: str | None
    roster_source: str
    updated_at: datetime


def _subject(con: DuckDBPyConnection, where: str, params: list) -> StoredSubject | None:
    row = con.execute(f"""SELECT subject_id, kind, name, orcid, openalex_id, ror_id, home_institution, roster_source,
                                 updated_at FROM subjects WHERE {where}""", params).fetchone()
    return StoredSubject(*row) if row else None


def subject(con: DuckDBPyConnection, subject_id: str) -> StoredSubject | None:
    return _subject(con, "subject_id = ?", [subject_id])


def subject_by_ror(con: DuckDBPyConnection, ror_id: str) -> StoredSubject | None:
    return _subject(con, "ror_id = ?", [ror_id])


def find_subject(con: DuckDBPyConnection, ident: str, ror_id: str) -> StoredSubject | None:
    """A subject named by its id, its ROR id or its exact name, whichever the roster holds."""
    return _subject(con, "subject_id = ? OR ror_id = ? OR name = ?", [ident, ror_id, ident])


def researcher_ids(con: DuckDBPyConnection, only: str | None = None) -> list[str]:
    """Every researcher on the roster, or just ``only`` if it is one."""
    sql = "SELECT subject_id FROM subjects WHERE kind = 'researcher'"
    params: list[str] = []
    if only:
        sql += " AND subject_id = ?"
        params.append(only)
    return [r[0] for r in con.execute(sql + " ORDER BY 1", params).fetchall()]


def upsert_subjects(con, subjects: Iterable[Subject], roster_source: str) -> int:
    n = 0
    now = utcnow()
    for s in subjects:
        con.execute("INSERT OR REPLACE INTO subjects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [s.subject_id, s.kind, s.name, s.orcid, s.openalex_id, s.ror_id, s.home_institution,
                     roster_source, now])
        n += 1
    return n


def keep_raw(con, source: str, url: str, body: bytes, status: int | None = 200,
             content_type: str | None = None) -> str:
    """Store a response body once, addressed by its sha256."""
    sha = hashlib.sha256(body).hexdigest()
    con.execute("INSERT INTO raw_responses VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [sha, source, url, utcnow(), status, content_type, body])
    return sha


def add_observations(con, observations: Iterable[Observation], run_id: str) -> int:
    """Insert observations not seen before; returns how many were new."""
    rows = [(o.observation_id, o.subject_id, o.relation, o.observed_name, o.observed_ror, o.evidence_id,
             o.evidence_year, o.source, o.source_url, o.body_sha256) for o in observations]
    if not rows:
        return 0
    frame = pd.DataFrame(rows, columns=["observation_id", "subject_id", "relation", "observed_name", "observed_ror",
                                        "evidence_id", "evidence_year", "source", "source_url", "body_sha256"])
    frame = frame.drop_duplicates("observation_id")
    before = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
    con.register("_obs", frame)
    try:
        con.execute("""
            INSERT INTO observations
            SELECT observation_id, subject_id, relation, observed_name, observed_ror, evidence_id,
                   evidence_year::INTEGER, source, source_url, body_sha256, ?, ?
            FROM _obs ON CONFLICT DO NOTHING""", [utcnow(), run_id])
    finally:
        con.unregister("_obs")
    return con.execute("SELECT count(*) FROM observations").fetchall()[0][0] - before


def observations(con, subject_ids: list[str] | None = None) -> list[Observation]:
    """Stored observations (of some subjects only), in observation id order."""
    sql = """SELECT subject_id, relation, observed_name, source, observed_ror, evidence_id, evidence_year, source_url,
                    body_sha256 FROM observations"""
    params: list = []
    if subject_ids is not None:
        sql += " WHERE list_contains(?, subject_id)"
        params.append(subject_ids)
    return [Observation(*r) for r in con.execute(sql + " ORDER BY observation_id", params).fetchall()]


def sources_for(con: DuckDBPyConnection, subject_ids: list[str]) -> list[str]:
    """The sources that contributed observations about these subjects."""
    return [r[0] for r in con.execute("SELECT DISTINCT source FROM observations WHERE list_contains(?, subject_id) "
                                      "ORDER BY 1", [subject_ids]).fetchall()]
