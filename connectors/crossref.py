"""Crossref: works by DOI and by ORCID, for funders (with award numbers) and authors' affiliations where OpenAlex
lacks them."""

from __future__ import annotations

from typing import Iterator

from highfence.connectors.http import Fetched, HttpClient
from highfence.records import Observation

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
