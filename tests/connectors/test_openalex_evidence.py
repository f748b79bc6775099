"""OpenAlex works as evidence: own and co-author affiliations (split from test_roster_and_evidence.py)."""

import json

from highfence.connectors.openalex import observations_from_work, observations_from_works
from tests.conftest import fixture


def test_openalex_work_own_and_coauthor_affiliations():
    work = json.loads(fixture("apis/openalex/bvitamins_W2741809807.json").read_text())
    first = work["authorships"][0]["author"]["id"]
    obs = observations_from_work(work, "S1", first)
    own = [o for o in obs if o.relation == "affiliation"]
    others = [o for o in obs if o.relation == "coauthor_affiliation"]
    assert own and others
    assert all(o.evidence_id == "10.7717/peerj.4375" and o.evidence_year == 2018 for o in obs)
    assert any(o.observed_ror for o in own)
    assert observations_from_works([work], "S1", "https://openalex.org/A0000000000") == []


def test_institution_known_only_by_ror_links_through_the_crosswalk():
    """An OpenAlex institution with a ROR id and no display name is still evidence, and links exactly."""
    from highfence.matching import ListedEntry, Matcher
    from highfence.matching.resources import crosswalk
    from highfence.matching.screening import findings_for

    row = next(r for r in crosswalk() if r.relation == "same")
    work = {"id": "https://openalex.org/W1", "doi": "https://doi.org/10.1/x", "publication_year": 2024,
            "authorships": [{"author": {"id": "https://openalex.org/A1"},
                             "institutions": [{"id": "https://openalex.org/I1", "display_name": None,
                                               "ror": row.ror_id}]}]}
    obs = observations_from_work(work, "S1", "https://openalex.org/A1")
    assert [o.observed_ror for o in obs] == [row.ror_id]
    matcher = Matcher([ListedEntry("custom:t", "1", row.entry_name, (), (row.country,) if row.country else ())])
    found = findings_for(obs, matcher)
    assert [(f.entry_id, f.decision) for f in found] == [("1", "match")]
