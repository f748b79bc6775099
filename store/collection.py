"""What collection records beside the observations: per-source errors, OpenAlex authors a name-only researcher
could be pinned to, the works behind technology areas, and the pins analysts chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable


@dataclass(frozen=True)
class AuthorCandidate:
    """An OpenAlex author who may be a researcher given by name only."""

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


def add_works(con, subject_id: str, works: Iterable[Work]) -> None:
    for w in works:
        con.execute("INSERT INTO works VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [subject_id, w.work_key, w.title, w.year, w.topics, w.source, w.url])


def latest_pins(con) -> dict[str, str]:
    """subject id -> the OpenAlex author id it was last pinned to."""
    return dict(con.execute("""SELECT subject_id, arg_max(openalex_id, pinned_at) FROM roster_pins
                               GROUP BY subject_id""").fetchall())
