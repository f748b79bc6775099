"""ORCID public API v3.0: a researcher's record (employments, educations, invited positions, distinctions,
memberships, services, fundings) and the observations it gives. iDs are checksum-validated before any request."""

from __future__ import annotations

import re

from highfence.connectors.http import Fetched, HttpClient
from highfence.errors import InputError
from highfence.identifiers import ror_url
from highfence.records import Observation

SOURCE = "orcid"
_ORCID = re.compile(r"^(?:https?://(?:sandbox\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
# ORCID sections that record a position at an organisation, and the relation each becomes.
SECTIONS = {
    "employments": ("employment-summary", "employment"),
    "invited-positions": ("invited-position-summary", "employment"),
    "memberships": ("membership-summary", "employment"),
    "services": ("service-summary", "employment"),
    "distinctions": ("distinction-summary", "employment"),
    "educations": ("education-summary", "education"),
    "qualifications": ("qualification-summary", "education"),
}


def checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 check digit, as ORCID defines it."""
    digits = orcid.replace("-", "")
    if len(digits) != 16 or not digits[:15].isdigit():
        return False
    total = 0
    for ch in digits[:15]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[15] == ("X" if check == 10 else str(check))


def normalise(orcid: str) -> str:
    m = _ORCID.match((orcid or "").strip())
    if not m or not checksum_ok(m.group(1)):
        raise InputError(f"not a valid ORCID iD: {orcid!r} (format or check digit)")
    return m.group(1)


class Orcid:
    def __init__(self, http: HttpClient, base_url: str):
        self.http, self.base = http, base_url.rstrip("/")

    def record(self, orcid: str) -> tuple[dict, Fetched]:
        got = self.http.fetch(f"{self.base}/{normalise(orcid)}/record")
        return got.json(), got


def _value(node, *path):
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _year(date) -> int | None:
    y = _value(date, "year", "value")
    return int(y) if y and str(y).isdigit() else None


def observations_from_record(record: dict, subject_id: str, body_sha256: str | None = None,
                             source_url: str | None = None) -> list[Observation]:
    acts = record.get("activities-summary") or {}
    out: list[Observation] = []
    for section, (summary_key, relation) in SECTIONS.items():
        for group in _value(acts, section, "affiliation-group") or []:
            for summary in group.get("summaries") or []:
                item = summary.get(summary_key) or {}
                org = item.get("organization") or {}
                if not org.get("name"):
                    continue
                ror = None
                dis = org.get("disambiguated-organization") or {}
                if (dis.get("disambiguation-source") or "").upper() == "ROR":
                    # a record's identifier is free text to us: only a well-formed ROR id is kept (it becomes a link)
                    ror = ror_url(dis.get("disambiguated-organization-identifier"))
                out.append(Observation(
                    subject_id, relation, org["name"], SOURCE, observed_ror=ror, evidence_id=item.get("path"),
                    evidence_year=_year(item.get("end-date")) or _year(item.get("start-date")),
                    source_url=source_url, body_sha256=body_sha256))
    for group in _value(acts, "fundings", "group") or []:
        for item in group.get("funding-summary") or []:
            org = item.get("organization") or {}
            if org.get("name"):
                out.append(Observation(subject_id, "funder", org["name"], SOURCE, evidence_id=item.get("path"),
                                       evidence_year=_year(item.get("start-date")), source_url=source_url,
                                       body_sha256=body_sha256))
    return out
