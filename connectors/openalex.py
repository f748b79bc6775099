"""OpenAlex: authors, their works in a time window (cursor pagination), institutions; and the observations a work
gives about a subject (own affiliations, co-authors' affiliations, funders)."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from highfence.connectors.http import Fetched, HttpClient, NotFound
from highfence.identifiers import ror_url
from highfence.records import Observation

SOURCE = "openalex"
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def short_id(openalex_id: str | None) -> str:
    return (openalex_id or "").rstrip("/").rsplit("/", 1)[-1]


def doi_of(work: dict) -> str | None:
    doi = work.get("doi")
    if not doi:
        return None
    return doi.lower().removeprefix("https://doi.org/").removeprefix("http://doi.org/")


class OpenAlex:
    def __init__(self, http: HttpClient, base_url: str, mailto: str = "", api_key: str = ""):
        self.http, self.base = http, base_url.rstrip("/")
        self.mailto, self.api_key = mailto, api_key

    def _get(self, path: str, **params) -> Fetched:
        params.update({"mailto": self.mailto or None, "api_key": self.api_key or None})
        return self.http.fetch(f"{self.base}{path}", params)

    def author(self, author: str) -> tuple[dict, Fetched]:
        """By OpenAlex id (A…, or its URL) or by ORCID iD."""
        m = _ORCID.search(author or "")
        key = f"orcid:{m.group(1)}" if m else short_id(author)
        got = self._get(f"/authors/{key}")
        return got.json(), got

    def search_authors(self, name: str, per_page: int = 10) -> list[dict]:
        return self._get("/authors", search=name, **{"per-page": per_page}).json().get("results", [])

    def institution(self, ident: str) -> tuple[dict, Fetched]:
        key = f"ror:{ident.rsplit('/', 1)[-1]}" if "ror.org" in ident or re.fullmatch(r"0[a-z0-9]{8}", ident) \
            else short_id(ident)
        got = self._get(f"/institutions/{key}")
        return got.json(), got

    def works(self, author_id: str, since_year: int | None = None, until_year: int | None = None,
              per_page: int = 200) -> Iterator[tuple[dict, Fetched]]:
        """Every work of an author in the window, page by page with OpenAlex's cursor."""
        filters = [f"author.id:{short_id(author_id)}"]
        if since_year:
            filters.append(f"publication_year:>{since_year - 1}")
        if until_year:
            filters.append(f"publication_year:<{until_year + 1}")
        cursor = "*"
        while cursor:
            page = self._get("/works", filter=",".join(filters), cursor=cursor, **{"per-page": per_page})
            doc = page.json()
            for work in doc.get("results", []):
                yield work, page
            cursor = (doc.get("meta") or {}).get("next_cursor")
            if not doc.get("results"):
                break


def work_summary(work: dict, source_url: str | None = None) -> dict:
    """What classifies the research: title, topics, keywords and concepts."""
    topics = [t.get("display_name") for t in (work.get("topics") or []) if t.get("display_name")]
    if (work.get("primary_topic") or {}).get("display_name"):
        topics.insert(0, work["primary_topic"]["display_name"])
    topics += [k.get("display_name") for k in (work.get("keywords") or []) if k.get("display_name")]
    topics += [c.get("display_name") for c in (work.get("concepts") or []) if c.get("display_name")]
    return {"work_key": doi_of(work) or short_id(work.get("id")), "title": work.get("title") or work.get("display_name"),
            "year": work.get("publication_year"), "topics": "; ".join(dict.fromkeys(topics)), "url": source_url}


def observations_from_work(work: dict, subject_id: str, author_id: str, body_sha256: str | None = None,
                           source_url: str | None = None) -> list[Observation]:
    """Each institution and raw affiliation string on the work, as the subject's own affiliation when it is on
    the subject's authorship and as a co-author's affiliation otherwise (co-authorship is never an affiliation);
    and each funder the work acknowledges."""
    me = short_id(author_id)
    evidence = doi_of(work) or short_id(work.get("id"))
    year = work.get("publication_year")
    url = source_url or work.get("id")
    out: list[Observation] = []
    mine = False
    for authorship in work.get("authorships") or []:
        own = short_id((authorship.get("author") or {}).get("id")) == me
        mine |= own
        relation = "affiliation" if own else "coauthor_affiliation"
        for inst in authorship.get("institutions") or []:
            # an institution known only by its ROR id still links exactly through the crosswalk
            if inst.get("display_name") or ror_url(inst.get("ror")):
                out.append(Observation(subject_id, relation, inst.get("display_name") or ror_url(inst.get("ror")),
                                       SOURCE, observed_ror=ror_url(inst.get("ror")), evidence_id=evidence,
                                       evidence_year=year,
                                       source_url=url, body_sha256=body_sha256))
        raws = authorship.get("raw_affiliation_strings") or (
            [authorship["raw_affiliation_string"]] if authorship.get("raw_affiliation_string") else [])
        for raw in raws:
            out.append(Observation(subject_id, relation, raw, SOURCE, evidence_id=evidence, evidence_year=year,
                                   source_url=url, body_sha256=body_sha256))
    if mine:
        for grant in work.get("grants") or []:
            name = grant.get("funder_display_name")
            if name:
                out.append(Observation(subject_id, "funder", name, SOURCE, evidence_id=evidence, evidence_year=year,
                                       source_url=url, body_sha256=body_sha256))
    return out


def observations_from_works(works: Iterable[dict], subject_id: str, author_id: str,
                            body_sha256: str | None = None) -> list[Observation]:
    out: list[Observation] = []
    for work in works:
        if any(short_id((a.get("author") or {}).get("id")) == short_id(author_id)
               for a in work.get("authorships") or []):
            out += observations_from_work(work, subject_id, author_id, body_sha256)
    return out


__all__ = ["NotFound", "OpenAlex", "doi_of", "observations_from_work", "observations_from_works", "short_id"]
