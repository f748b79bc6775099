"""Records passed between stages: who is screened, what was observed, what matched, how a checklist stands."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

RELATIONS = ("partner_institution", "affiliation", "coauthor_affiliation", "employment", "funder")
# Notices about a subject's own works (Crossref update types). They are evidence about the research record, never
# about an organisation: they are not screened against lists, and no rule pack scores them unless it says so.
INTEGRITY_TYPES = ("retraction", "expression_of_concern")


def digest(*parts: object, length: int = 16) -> str:
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:length]


@dataclass(frozen=True)
class Subject:
    subject_id: str
    kind: str  # researcher | institution
    name: str  # identifies the subject in sources; never a risk signal
    orcid: str | None = None
    openalex_id: str | None = None
    ror_id: str | None = None
    home_institution: str | None = None


@dataclass(frozen=True)
class Observation:
    subject_id: str
    relation: str
    observed_name: str
    source: str
    observed_ror: str | None = None
    evidence_id: str | None = None  # DOI, ORCID put-code, roster row
    evidence_year: int | None = None
    source_url: str | None = None
    body_sha256: str | None = None

    @property
    def observation_id(self) -> str:
        return digest(self.subject_id, self.relation, self.source, self.evidence_id, self.observed_name,
                      self.observed_ror)


@dataclass(frozen=True)
class IntegrityNotice:
    """A retraction or expression of concern on one of the subject's works: the notice's DOI and date, and who
    reported it (Crossref's ``source``: the publisher, or retraction-watch)."""

    subject_id: str
    update_type: str  # one of INTEGRITY_TYPES
    work_doi: str
    notice_doi: str | None
    notice_date: date | None
    notice_source: str | None
    label: str | None = None
    source_url: str | None = None
    body_sha256: str | None = None

    @property
    def observation(self) -> Observation:
        return Observation(self.subject_id, self.update_type, self.notice_doi or f"{self.label or self.update_type}"
                           f" ({self.notice_source or 'unknown source'})", "crossref", evidence_id=self.work_doi,
                           evidence_year=self.notice_date.year if self.notice_date else None,
                           source_url=self.source_url, body_sha256=self.body_sha256)


@dataclass(frozen=True)
class Finding:
    observation_id: str
    subject_id: str
    relation: str
    list_id: str
    entry_id: str
    entry_name: str
    snapshot_id: str
    matched_name: str
    score: float
    decision: str  # match | review
    explanation: str

    @property
    def finding_id(self) -> str:
        return digest(self.observation_id, self.list_id, self.entry_id)


@dataclass(frozen=True)
class ChecklistInstance:
    instance_id: str
    template_id: str  # partnership | institution
    partnership_id: str | None  # None for the institution checklist
    lang: str
    created_at: datetime


@dataclass(frozen=True)
class ChecklistAnswer:
    instance_id: str
    item_id: str
    value: str
    note: str | None
    source: str  # prefilled | analyst
    evidence: list[dict]
    answered_by: str
    answered_at: datetime
