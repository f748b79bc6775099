"""Subjects, raw responses and observations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

from highfence.records import Observation, Subject
from highfence.store.db import utcnow


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


def observations(con, subject_ids: list[str] | None = None) -> list[dict]:
    sql = "SELECT * FROM observations"
    params: list = []
    if subject_ids is not None:
        sql += " WHERE list_contains(?, subject_id)"
        params.append(subject_ids)
    cur = con.execute(sql + " ORDER BY observation_id", params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


@dataclass(frozen=True)
class AuthorCandidate:
    """An OpenAlex author a name-only researcher might be, for the analyst to pin (or not)."""

    subject_id: str
    openalex_id: str
    display_name: str
    institutions: str | None
    works_count: int | None


def author_candidates(con, subject_ids: list[str]) -> list[AuthorCandidate]:
    """The candidates of these subjects, the most prolific author first within each subject."""
    rows = con.execute("""SELECT subject_id, openalex_id, display_name, institutions, works_count
                          FROM author_candidates WHERE list_contains(?, subject_id)
                          ORDER BY subject_id, works_count DESC""", [subject_ids]).fetchall()
    return [AuthorCandidate(*r) for r in rows]


def pin_author(con, subject_id: str, openalex_id: str, pinned_by: str | None) -> None:
    """Record the analyst's choice of OpenAlex author for a researcher; the latest pin is the one collection uses."""
    con.execute("INSERT INTO roster_pins VALUES (?, ?, ?, ?)", [subject_id, openalex_id, utcnow(), pinned_by])
