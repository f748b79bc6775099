"""OpenAlex: authors, their works in a time window (cursor pagination), institutions; and the observations a work
gives about a subject (own affiliations, co-authors' affiliations, funders).

Since 2026-02-13 the API needs a key and prices usage per day: a single entity by id is free, list/filter calls and
searches cost (see ``connectors.budget``). It answers 403 when called too fast (the client backs off and slows) and
429 when the day's budget is spent (the source stops for the run; retrying is useless until midnight UTC)."""

from __future__ import annotations

import dataclasses
import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from highfence.connectors.budget import LIST, SEARCH, SINGLE, Usage
from highfence.connectors.http import DailyLimit, Fetched, HttpClient, NotFound, public_url
from highfence.errors import ConfigError
from highfence.identifiers import ror_url
from highfence.records import Observation

SOURCE = "openalex"
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
KEY_SETTING = "sources.openalex.api_key (highfence.toml [sources.openalex] api_key, or HIGHFENCE_OPENALEX_API_KEY)"
PER_PAGE = 200  # the API's largest page: a list call's price buys 200 works
# Only the fields observations_from_work and work_summary read: smaller pages, faster, and nothing else stored.
WORK_FIELDS = ("id", "doi", "title", "display_name", "publication_year", "authorships", "grants", "topics",
               "primary_topic", "keywords", "concepts")
AUTHOR_FIELDS = ("id", "display_name", "orcid", "last_known_institutions", "works_count")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def needs_key(base_url: str) -> bool:
    """The live API needs a key; a stand-in on this machine and the offline mirror (a .invalid host, which can never
    resolve) do not."""
    host = (urlsplit(base_url).hostname or "").lower()
    return not (host in _LOCAL_HOSTS or host.endswith(".invalid"))


def short_id(openalex_id: str | None) -> str:
    return (openalex_id or "").rstrip("/").rsplit("/", 1)[-1]


def doi_of(work: dict) -> str | None:
    doi = work.get("doi")
    if not doi:
        return None
    return doi.lower().removeprefix("https://doi.org/").removeprefix("http://doi.org/")


def require_key(base_url: str, api_key: str) -> None:
    if not api_key and needs_key(base_url):
        raise ConfigError(f"OpenAlex needs an API key since 2026-02-13 (free at openalex.org/settings/api): "
                          f"set {KEY_SETTING}")


def works_params(author_id: str, since_year: int | None = None, until_year: int | None = None,
                 per_page: int = PER_PAGE, cursor: str = "*") -> dict:
    filters = [f"author.id:{short_id(author_id)}"]
    if since_year:
        filters.append(f"publication_year:>{since_year - 1}")
    if until_year:
        filters.append(f"publication_year:<{until_year + 1}")
    return {"filter": ",".join(filters), "cursor": cursor, "per_page": per_page, "select": ",".join(WORK_FIELDS)}


def works_page_url(base_url: str, author_id: str, since_year: int | None = None, mailto: str = "") -> str:
    """An author's first page of works as the cache keys it (never with the key): a plan can tell which calls the
    cache would answer."""
    return public_url(f"{base_url.rstrip('/')}/works", {**works_params(author_id, since_year), "mailto": mailto})


class OpenAlex:
    """``api_key`` is given by whoever builds the client from the settings at run time (``flows.collect
    .make_sources``); it goes into each request's query and nowhere else: the cache key, provenance URLs and error
    messages are the URL without it (``http.public_url``)."""

    def __init__(self, http: HttpClient, base_url: str, mailto: str = "", api_key: str = ""):
        self.base = base_url.rstrip("/")
        require_key(self.base, api_key)
        # OpenAlex's own meaning of the statuses: 403 is "too fast", 429 is "daily budget spent"
        http.config = dataclasses.replace(http.config, slow_down_status=frozenset({403}),
                                          spent_status=frozenset({429}))
        self.http = http
        self.mailto, self.api_key = mailto, api_key
        self.usage = Usage(SOURCE)

    def _get(self, path: str, cost_class: str, **params) -> Fetched:
        self.usage.check()
        params.update({"mailto": self.mailto or None, "api_key": self.api_key or None})
        try:
            got = self.http.fetch(f"{self.base}{path}", params)
        except DailyLimit as exc:
            raise self.usage.exhausted(exc.headers) from None
        self.usage.record(cost_class, got.headers, got.from_cache)
        return got

    def author(self, author: str) -> tuple[dict, Fetched]:
        """By OpenAlex id (A…, or its URL) or by ORCID iD."""
        m = _ORCID.search(author or "")
        key = f"orcid:{m.group(1)}" if m else short_id(author)
        got = self._get(f"/authors/{key}", SINGLE)
        return got.json(), got

    def search_authors(self, name: str, per_page: int = 10) -> list[dict]:
        return self._get("/authors", SEARCH, search=name, per_page=per_page,
                         select=",".join(AUTHOR_FIELDS)).json().get("results", [])

    def institution(self, ident: str) -> tuple[dict, Fetched]:
        key = f"ror:{ident.rsplit('/', 1)[-1]}" if "ror.org" in ident or re.fullmatch(r"0[a-z0-9]{8}", ident) \
            else short_id(ident)
        got = self._get(f"/institutions/{key}", SINGLE)
        return got.json(), got

    def works(self, author_id: str, since_year: int | None = None, until_year: int | None = None,
              per_page: int = PER_PAGE) -> Iterator[tuple[dict, Fetched]]:
        """Every work of an author in the window, page by page with OpenAlex's cursor."""
        cursor = "*"
        while cursor:
            page = self._get("/works", LIST, **works_params(author_id, since_year, until_year, per_page, cursor))
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
