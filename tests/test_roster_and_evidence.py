import json

import pytest

from highfence.connectors.openalex import observations_from_work, observations_from_works
from highfence.flows.roster import read_roster
from highfence.errors import InputError
from highfence.matching.normalize import fold
from tests.conftest import fixture


def test_roster_reads_and_normalises_ids(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("subject_id,kind,name,orcid,openalex_id,ror_id,home_institution\n"
                    "R1,researcher,Ada Example,https://orcid.org/0000-0002-1825-0097,https://openalex.org/A5023888391,,\n"
                    "I1,institution,Harbin Institute of Technology,,,01yqg2h08,\n")
    r1, i1 = read_roster(path)
    assert r1.orcid == "0000-0002-1825-0097" and r1.openalex_id == "A5023888391"
    assert i1.ror_id == "https://ror.org/01yqg2h08"


@pytest.mark.parametrize("row, field", [
    ("R1,robot,Ada,,,,", "kind"),
    ("R1,researcher,Ada,1234,,,", "orcid"),
    ("R1,institution,X,,,not-a-ror,", "ror_id"),
    (",researcher,Ada,,,,", "subject_id"),
])
def test_roster_errors_name_row_and_field(tmp_path, row, field):
    path = tmp_path / "roster.csv"
    path.write_text("subject_id,kind,name,orcid,openalex_id,ror_id,home_institution\n" + row + "\n")
    with pytest.raises(InputError) as err:
        read_roster(path)
    assert f"{path}, row 2, field '{field}'" in str(err.value)


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


def test_fold_width_case_accents_and_kana():
    assert fold("Ｂｅｉｈａｎｇ  Univ.") == "beihang univ" and fold("Xi'an Jiaotong") == "xian jiaotong"
    assert fold("Université Paris-Saclay") == "universite paris saclay"
    assert fold("ガ") == "ガ"  # kana voicing marks survive accent folding
