"""The roster file: ids normalised, every error named by row and field."""

import pytest

from highfence.flows.roster import read_roster
from highfence.errors import InputError


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
