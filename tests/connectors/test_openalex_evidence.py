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
