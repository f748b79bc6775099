"""Crossref: works by DOI and by ORCID, for funders (with award numbers) and authors' affiliations where OpenAlex
lacks them; and the retraction and expression-of-concern notices on works (``updated-by``), which carry the
Retraction Watch data since 2023 besides what publishers deposit."""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Iterator

from highfence.connectors.http import Fetched, HttpClient
from highfence.records import INTEGRITY_TYPES, IntegrityNotice, Observation

SOURCE = "crossref"


class Crossref:
    def __init__(self, http: HttpClient, base_url: str, mailto: str = ""):
        self.http, self.base, self.mailto = http, base_url.rstrip("/"), mailto

    def work(self, doi: str) -> tuple[dict, Fetched]:
        doi = doi.lower().removeprefix("https://doi.org/")
        got = self.http.fetch(f"{self.base}/works/{doi}", {"mailto": self.mailto or None})
        return got.json().get("message") or {}, got

    def works_by_orcid(self, orcid: str, since_year: int | None = None, rows: int = 100
                       ) -> Iterator[tuple[dict, Fetched]]:
        filters = [f"orcid:{orcid}"] + ([f"from-pub-date:{since_year}"] if since_year else [])
        cursor = "*"
        while cursor:
            page = self.http.fetch(f"{self.base}/works", {"filter": ",".join(filters), "cursor": cursor,
                                                            "rows": rows, "mailto": self.mailto or None})
            msg = page.json().get("message") or {}
            items = msg.get("items") or []
            for item in items:
                yield item, page
            cursor = msg.get("next-cursor") if items else None

    def works_by_dois(self, dois: Iterable[str], batch: int = 40) -> Iterator[tuple[dict, Fetched]]:
        """The Crossref records of known DOIs (the works OpenAlex found), ``batch`` to a call: Crossref ORs
        repeated ``doi:`` filters."""
        todo = list(dict.fromkeys(d.lower().removeprefix("https://doi.org/") for d in dois if d))
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            page = self.http.fetch(f"{self.base}/works", {"filter": ",".join(f"doi:{d}" for d in chunk),
                                                            "rows": len(chunk), "mailto": self.mailto or None})
            for item in (page.json().get("message") or {}).get("items") or []:
                yield item, page


def _year(work: dict) -> int | None:
    for key in ("published", "published-print", "published-online", "issued"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and parts[0][0]:
            return int(parts[0][0])
    return None


def observations_from_work(work: dict, subject_id: str, orcid: str | None = None, body_sha256: str | None = None,
                           source_url: str | None = None) -> list[Observation]:
    doi = (work.get("DOI") or "").lower() or None
    year = _year(work)
    out: list[Observation] = []
    for funder in work.get("funder") or []:
        if funder.get("name"):
            awards = ", ".join(funder.get("award") or [])
            evidence = f"{doi} (award {awards})" if awards else doi
            out.append(Observation(subject_id, "funder", funder["name"], SOURCE, evidence_id=evidence,
                                   evidence_year=year, source_url=source_url, body_sha256=body_sha256))
    for author in work.get("author") or []:
        own = bool(orcid) and (author.get("ORCID") or "").endswith(orcid)
        for aff in author.get("affiliation") or []:
            if aff.get("name"):
                out.append(Observation(subject_id, "affiliation" if own else "coauthor_affiliation", aff["name"],
                                       SOURCE, evidence_id=doi, evidence_year=year, source_url=source_url,
                                       body_sha256=body_sha256))
    return out


def _date(value: dict | None) -> dt.date | None:
    parts = ((value or {}).get("date-parts") or [[None]])[0] or [None]
    if not parts[0]:
        return None
    year, month, day = (list(parts) + [1, 1])[:3]
    try:
        return dt.date(int(year), int(month or 1), int(day or 1))
    except (TypeError, ValueError):
        return None


def update_type(value: str | None) -> str:
    """Crossref's update type, one spelling: depositors write expression_of_concern and expression-of-concern."""
    return (value or "").strip().lower().replace("-", "_").replace(" ", "_")


def integrity_notices(work: dict, subject_id: str, body_sha256: str | None = None,
                      source_url: str | None = None) -> list[IntegrityNotice]:
    """The retractions and expressions of concern ``updated-by`` lists for a work. Corrections, errata and new
    versions are updates too, but say nothing about integrity: they are left out."""
    doi = (work.get("DOI") or "").lower()
    if not doi:
        return []
    out: dict[tuple, IntegrityNotice] = {}
    for update in work.get("updated-by") or []:
        kind = update_type(update.get("type"))
        if kind not in INTEGRITY_TYPES:
            continue
        notice = (update.get("DOI") or "").lower() or None
        # the publisher and Retraction Watch often report the same notice: one observation, the first source kept
        key = (kind, notice or update.get("record-id") or update.get("source"))
        out.setdefault(key, IntegrityNotice(subject_id, kind, doi, notice, _date(update.get("updated")),
                                            update.get("source"), update.get("label"), source_url, body_sha256))
    return list(out.values())
