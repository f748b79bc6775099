"""Folding: width, case, accents, kana (split from test_roster_and_evidence.py)."""

from highfence.matching.normalize import fold


def test_fold_width_case_accents_and_kana():
    assert fold("Ｂｅｉｈａｎｇ  Univ.") == "beihang univ" and fold("Xi'an Jiaotong") == "xian jiaotong"
    assert fold("Université Paris-Saclay") == "universite paris saclay"
    assert fold("ガ") == "ガ"  # kana voicing marks survive accent folding
