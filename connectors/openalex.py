"""OpenAlex works -> observations about a subject (own affiliations, co-authors' affiliations)."""

from __future__ import annotations

from typing import Iterable

from highfence.records import Observation

SOURCE = "openalex"


def short_id(openalex_id: str | None) -> str:
    return (openalex_id or "").rstrip("/").rsplit("/", 1)[-1]


def doi_of(work: dict) -> str | None:
    doi = work.get("doi")
    if not doi:
        return None
    return doi.lower().removeprefix("https://doi.org/").removeprefix("http://doi.org/")


def observations_from_work(work: dict, subject_id: str, author_id: str, body_sha256: str | None = None
                           ) -> list[Observation]:
    """Each institution and raw affiliation string on the work, as the subject's own affiliation when it is on
    the subject's authorship and as a co-author's affiliation otherwise. Co-authorship is never an affiliation."""
    me = short_id(author_id)
    evidence = doi_of(work) or short_id(work.get("id"))
    year = work.get("publication_year")
    url = work.get("id")
    out: list[Observation] = []
    for authorship in work.get("authorships") or []:
        own = short_id((authorship.get("author") or {}).get("id")) == me
        relation = "affiliation" if own else "coauthor_affiliation"
        for inst in authorship.get("institutions") or []:
            if inst.get("display_name"):
                out.append(Observation(subject_id, relation, inst["display_name"], SOURCE,
                                       observed_ror=inst.get("ror"), evidence_id=evidence, evidence_year=year,
                                       source_url=url, body_sha256=body_sha256))
        raws = authorship.get("raw_affiliation_strings") or (
            [authorship["raw_affiliation_string"]] if authorship.get("raw_affiliation_string") else [])
        for raw in raws:
            out.append(Observation(subject_id, relation, raw, SOURCE, evidence_id=evidence, evidence_year=year,
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
