"""What collection records beside the observations: per-source errors, OpenAlex authors a name-only researcher
could be pinned to, the works behind technology areas, and the pins analysts chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from highfence.store.db import utcnow


@dataclass(frozen=True)
class AuthorCandidate:
    """An OpenAlex author a researcher given by name only might be, for the analyst to pin (or not)."""

    subject_id: str
    openalex_id: str
    display_name: str
    orcid: str | None
    institutions: str  # last known institutions, "; "-joined
    works_count: int | None


@dataclass(frozen=True)
class Work:
    work_key: str
    title: str
    year: int | None
    topics: list[str]
    url: str | None
    source: str = "openalex"


def record_errors(con, run_id: str, subject_id: str, errors: Iterable[tuple[str, str | None, str]],
                  at: datetime) -> None:
    """(source, url, error) of the sources that failed for a subject in a run: the run went on without them."""
    for source, url, error in errors:
        con.execute("INSERT INTO collection_errors VALUES (?, ?, ?, ?, ?, ?)",
                    [run_id, subject_id, source, url, error, at])


def replace_author_candidates(con, subject_id: str, candidates: Iterable[AuthorCandidate], at: datetime) -> None:
    con.execute("DELETE FROM author_candidates WHERE subject_id = ?", [subject_id])
    for c in candidates:
        con.execute("INSERT INTO author_candidates VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [subject_id, c.openalex_id, c.display_name, c.orcid, c.institutions, c.works_count, at])


def author_candidates(con, subject_ids: list[str]) -> list[AuthorCandidate]:
    """The candidates of these subjects, the most prolific author first within each subject."""
    rows = con.execute("""SELECT subject_id, openalex_id, display_name, orcid, institutions, works_count
                          FROM author_candidates WHERE list_contains(?, subject_id)
                          ORDER BY subject_id, works_count DESC""", [subject_ids]).fetchall()
    return [AuthorCandidate(*r) for r in rows]


def pin_author(con, subject_id: str, openalex_id: str, pinned_by: str | None) -> None:
    """Record the analyst's choice of OpenAlex author for a researcher; the latest pin is the one collection uses."""
    con.execute("INSERT INTO roster_pins VALUES (?, ?, ?, ?)", [subject_id, openalex_id, utcnow(), pinned_by])


def add_works(con, subject_id: str, works: Iterable[Work]) -> None:
    for w in works:
        con.execute("INSERT INTO works VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [subject_id, w.work_key, w.title, w.year, w.topics, w.source, w.url])


def latest_pins(con) -> dict[str, str]:
    """subject id -> the OpenAlex author id it was last pinned to."""
    return dict(con.execute("""SELECT subject_id, arg_max(openalex_id, pinned_at) FROM roster_pins
                               GROUP BY subject_id""").fetchall())
