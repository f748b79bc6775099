"""Records passed between stages: who is screened, what was observed, what matched, how a checklist stands."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

RELATIONS = ("partner_institution", "affiliation", "coauthor_affiliation", "employment", "funder")


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
