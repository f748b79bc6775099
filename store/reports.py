"""The reads only reports make: subject summaries, findings with their evidence chain and status, the observations
behind a timeline, co-publication links, and what could not be checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from duckdb import DuckDBPyConnection


@dataclass(frozen=True)
class SubjectSummary:
    subject_id: str
    kind: str
    name: str
    open: int
    escalated: int
    confirmed: int
    dismissed: int
    lists: str | None  # the lists of its open, escalated and confirmed findings, ', '-separated


@dataclass(frozen=True)
class ReportFinding:
    finding_id: str
    subject_id: str
    relation: str
    observed_name: str
    observed_ror: str | None
    evidence_id: str | None
    evidence_year: int | None
    evidence_url: str | None
    evidence_source: str
    list_id: str
    entry_id: str
    entry_name: str
    score: float
    decision: str
    status: str
    status_reason: str | None
    explanation: str
    snapshot_id: str
    list_source_url: str | None
    list_published: dt.date | None


@dataclass(frozen=True)
class ObservedAffiliation:
    observed_name: str
    evidence_year: int
    listed: bool  # some observation of it that year matched a list entry


@dataclass(frozen=True)
class CopublicationLink:
    list_id: str
    entry_name: str
    researcher: str
    relation: str
    year: int | None
    works: int


@dataclass(frozen=True)
class NotChecked:
    subject_id: str
    source: str
    error: str


def subject_summaries(con: DuckDBPyConnection, subject_ids: list[str] | None = None) -> list[SubjectSummary]:
    """Every subject's finding counts by status, or those of the given subjects."""
    sql = "SELECT subject_id, kind, name, open, escalated, confirmed, dismissed, lists FROM v_subject_summary"
    params: list = []
    if subject_ids is not None:
        sql += " WHERE list_contains(?, subject_id)"
        params.append(subject_ids)
    return [SubjectSummary(*r) for r in con.execute(sql + " ORDER BY subject_id", params).fetchall()]


def findings(con: DuckDBPyConnection, subject_ids: list[str]) -> list[ReportFinding]:
    """The subjects' findings a screen still produces, grouped by subject, relation and list, newest evidence first."""
    rows = con.execute("""
        SELECT f.finding_id, f.subject_id, f.relation, f.observed_name, f.observed_ror, f.evidence_id, f.evidence_year,
               f.evidence_url, f.evidence_source, f.list_id, f.entry_id, f.entry_name, f.score, f.decision,
               s.status, s.status_reason, f.explanation, f.snapshot_id, f.list_source_url, f.list_published
        FROM v_findings f JOIN v_finding_status s USING (finding_id)
        WHERE list_contains(?, f.subject_id) AND s.status <> 'superseded'
        ORDER BY f.subject_id, f.relation, f.list_id, f.evidence_year DESC NULLS LAST""", [subject_ids]).fetchall()
    return [ReportFinding(*r) for r in rows]


def observed_affiliations(con: DuckDBPyConnection, subject_id: str) -> list[ObservedAffiliation]:
    """The organisations a researcher was seen at by year: those identified by a ROR id, and those from ORCID."""
    rows = con.execute("""
        SELECT o.observed_name, o.evidence_year, bool_or(f.finding_id IS NOT NULL)
        FROM observations o LEFT JOIN findings f ON f.observation_id = o.observation_id AND f.decision = 'match'
        WHERE o.subject_id = ? AND o.relation IN ('affiliation', 'employment') AND o.evidence_year IS NOT NULL
              AND (o.observed_ror IS NOT NULL OR o.source = 'orcid')
        GROUP BY ALL""", [subject_id]).fetchall()
    return [ObservedAffiliation(*r) for r in rows]


def copublication(con: DuckDBPyConnection, partner_id: str) -> list[CopublicationLink]:
    """Works linking the roster's researchers to the listed entities this partner matched, by year."""
    rows = con.execute("""
        SELECT f.list_id, f.entry_name, f.subject_id, f.relation, f.evidence_year AS year, count(DISTINCT f.evidence_id)
        FROM v_findings f
        WHERE f.subject_id <> ? AND f.relation IN ('coauthor_affiliation', 'affiliation')
          AND (f.list_id, f.entry_id) IN (SELECT (list_id, entry_id) FROM findings WHERE subject_id = ?)
        GROUP BY ALL ORDER BY f.entry_name, f.list_id, year DESC""", [partner_id, partner_id]).fetchall()
    return [CopublicationLink(*r) for r in rows]


def not_checked(con: DuckDBPyConnection, subject_ids: list[str]) -> list[NotChecked]:
    """What the latest collection could not fetch for these subjects, then the researchers known only by name."""
    errors = con.execute("""SELECT DISTINCT subject_id, source, error FROM collection_errors
                            WHERE list_contains(?, subject_id) AND run_id = (SELECT max(run_id) FROM collection_errors)
                            ORDER BY 1, 2""", [subject_ids]).fetchall()
    pins = con.execute("""SELECT DISTINCT subject_id, 'openalex',
                                 'name only: an OpenAlex author must be pinned before works are collected'
                          FROM author_candidates WHERE list_contains(?, subject_id)
                          AND subject_id NOT IN (SELECT subject_id FROM roster_pins)""", [subject_ids]).fetchall()
    return [NotChecked(*r) for r in errors + pins]
