"""Every normalisation and structural rule of the matcher, on real list entries and real-shaped strings."""

import pytest

from highfence.matching import ListedEntry, Matcher
from highfence.matching.cjk import katakana_romaji, pinyin_key, simplify
from highfence.matching.parse import parse_affiliation, tokenize
from tests.conftest import fixture
from highfence.watchlists import custom

LISTS = ("bis_entity_list", "meti_end_user_list", "ca_named_research_orgs", "dod_1286")


@pytest.fixture(scope="module")
def matcher():
    entries = []
    for name in LISTS:
        for e in custom.parse(fixture(f"../eval/lists/{name}.csv"), f"custom:{name}").entries:
            entries.append(ListedEntry(e.list_id, e.entry_id, e.name, e.aliases, e.countries))
    return Matcher(entries)


def names(matcher, text, decision="match", **kw):
    return {m.entry_name for m in matcher.match(text, **kw) if m.decision == decision}


def entries(matcher, text, decision="match"):
    return {m.entry_id for m in matcher.match(text) if m.decision == decision}


# --- normalisation --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, tokens", [
    ("Harbin Inst Technol", ("harbin", "institute", "technology")),
    ("Univ Sci & Technol China", ("university", "science", "and", "technology", "china")),
    ("Beijing Univ. of Aeronaut. & Astronaut.", ("beijing", "university", "of", "aeronautics", "and", "astronautics")),
    ("Universität Stuttgart", ("university", "stuttgart")),
    ("Northwestern Polytechnical Univ", ("northwestern", "polytechnic", "university")),
    ("Sch Mat Sci & Engn", ("school", "materials", "science", "and", "engineering")),
    ("Navy Medical University", ("naval", "medical", "university")),
    ("Xi’an Jiaotong", ("xian", "jiaotong")),
    ("ＨＡＲＢＩＮ　ＩＮＳＴ", ("harbin", "institute")),
])
def test_vocabulary_and_abbreviations(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize("text, folded", [
    ("哈爾浜工業大学", "哈尔滨工业大学"),  # Japanese kanji (METI's own form)
    ("哈爾濱工業大學", "哈尔滨工业大学"),  # traditional
    ("哈尔滨工业大学", "哈尔滨工业大学"),  # simplified
    ("四川大學華西醫院", "四川大学华西医院"),
    ("国防科学技術大学", "国防科学技术大学"),
])
def test_cjk_scripts_fold_to_one_form(text, folded):
    assert simplify(text) == folded


def test_pinyin_and_katakana_readings():
    assert pinyin_key("哈尔滨工业大学") == "haerbingongyedaxue"
    assert katakana_romaji("ハルビン") == "harubin"
    assert katakana_romaji("シャンハイ") == "shanhai"


def test_parse_segments_chunks_and_countries():
    aff = parse_affiliation("Harbin Inst Technol, Sch Astronaut, Harbin 150001, Peoples R China; "
                            "Dept Phys, Univ Tokyo, Tokyo, Japan")
    assert len(aff.chunks) == 2
    assert aff.countries == (frozenset({"CN"}), frozenset({"JP"}))
    assert [s.location for s in aff.chunks[0]] == [False, False, True, True]
    assert parse_affiliation("Lab X, Nizhny Novgorod").countries[0] == frozenset({"RU"})  # a city names its country


# --- structure: units, look-alikes, sub-units -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("School of Astronautics, Harbin Institute of Technology, Harbin 150001, China", "Harbin Institute of Technology"),
    ("Harbin Institute of Technology, Shenzhen", "Harbin Institute of Technology"),  # campus
    ("Department of Laboratory Medicine, West China Hospital, Sichuan University", "Sichuan University"),
    ("West China Hospital of Sichuan University, Chengdu", "Sichuan University"),  # unit named before
    ("Sichuan University West China Second University Hospital", "Sichuan University"),  # unit named after
    ("Xijing Hospital, Fourth Military Medical University, Xi'an, China", "Air Force Medical University"),
    ("Institute of Physics, Chinese Academy of Sciences, Beijing 100190, China",
     "Chinese Academy of Sciences, Institute of Physics"),  # a listed sub-unit, parts in another order
    ("Ural Federal University named after the first President of Russia B.N. Eltsin",
     "Ural Federal University named after B.N. Yeltsin, the First President of Russia"),
    ("FSAEI of HE “National Research Lobachevsky State University of Nizhny Novgorod”",
     "Lobachevsky State University of Nizhny Novgorod"),
    ("Dept of Humanities, PLA Information Engineering University, Zhengzhou 450001, China",
     "Information Engineering University"),
])
def test_units_campuses_and_parents_count(matcher, text, expected):
    assert expected in names(matcher, text)


@pytest.mark.parametrize("text", [
    "Harbin Medical University, Harbin, China",  # not Harbin Institute of Technology / Harbin Engineering University
    "Beijing Normal University",  # not Beijing Institute of Technology
    "Department of Pediatrics, Northwestern University Feinberg School of Medicine, Chicago, IL, USA",
    "University of Science and Technology Beijing",  # not USTC
    "Sichuan Agricultural University",  # contains no listed name
    "Department of Mathematical Sciences, Xi’an Jiaotong-Liverpool University, Suzhou, China",
    "National Sun Yat-sen University, Kaohsiung",  # a longer, different name
    "Shahid Beheshti University of Medical Sciences, Tehran, Iran",
    "University of Chinese Academy of Sciences",  # neither CAS nor any listed CAS institute
    "Institute of Chemistry, Chinese Academy of Sciences, Beijing",  # a sibling of the listed Institute of Physics
    "Chinese Academy of Sciences",  # a parent alone never matches a listed sub-unit
    "Nanchang University",  # a real place name is not a misspelling of 'Nanhang'
])
def test_look_alikes_and_parents_do_not_match(matcher, text):
    assert names(matcher, text) == set()


def test_sub_unit_listing_matches_only_that_unit(matcher):
    physics = names(matcher, "Institute of Physics, Chinese Academy of Sciences, Beijing, China")
    assert "Chinese Academy of Sciences, Institute of Physics" in physics
    assert all("Institute of Physics" in n for n in physics)  # no other CAS institute, not CAS itself


def test_typo_in_a_distinctive_word(matcher):
    hits = matcher.match("College of Computer Science, Chongiqng University, Chongqing, China")
    assert [(m.entry_name, m.decision) for m in hits] == [("Chongqing University", "match")]
    assert "spelling" in hits[0].explanation


def test_multi_affiliation_string_finds_every_listed_organisation(matcher):
    text = ("School of Astronautics, Harbin Institute of Technology, Harbin, China; "
            "State Key Laboratory, Beihang University, Beijing, China")
    found = names(matcher, text)
    assert "Harbin Institute of Technology" in found
    assert {"Beihang University", "Beijing University of Aeronautics and Astronautics"} & found


def test_comma_before_and_inside_a_name_does_not_end_it(matcher):
    assert [s.raw for s in parse_affiliation("Univ. of Science, and Technology of China, Hefei").segments] == [
        "Univ. of Science and Technology of China", "Hefei"]
    assert "University of Electronic Science and Technology of China" in names(
        matcher, "School of Physics, University of Electronic Science, and Technology of China, Chengdu")
    # a piece that starts with 'and' after a whole name still leaves that name whole
    assert "Harbin Institute of Technology" in names(matcher, "Harbin Institute of Technology, and Tohoku University")


@pytest.mark.parametrize("text, entry", [
    ("Beihang Qingdao Research Institute, Qingdao 266104, China", "Beihang University"),
    ("Xidian Guangzhou Institute of Technology, Guangzhou, China", "Xidian University"),
])
def test_unit_written_with_its_universitys_short_name_and_city(matcher, text, entry):
    found = [m for m in matcher.match(text) if m.entry_name == entry or entry in m.explanation]
    assert found and all(m.decision == "match" and m.score == 95.0 for m in found)
    assert "read as" in found[0].explanation and "short_name_unit" in found[0].rules


def test_short_name_needs_a_city_of_the_universitys_country_and_a_unit():
    m = Matcher([ListedEntry("custom:x", "E1", "Peking University", (), ("CN",)),
                 ListedEntry("custom:x", "E2", "Beihang University", (), ("CN",))])
    assert m.index.short_heads["beihang"][0] == "Beihang University"
    assert m.match("Peking Union Medical College Hospital, Beijing") == []  # 'union': a place, but not in China
    assert m.match("Beihang Qingdao") == []  # no unit
    assert m.match("Peking Shenzhen Graduate School")[0].entry_id == "E1"
    assert m.index.prefilter({1})("Beihang Qingdao Research Institute")  # a delta screen reaches it too


# --- context: generic names, acronyms, countries ---------------------------------------------------------------

def test_acronym_alone_is_no_finding_and_with_context_only_review(matcher):
    assert matcher.match("HIT") == []
    assert matcher.match("Holon Institute of Technology HIT") == []
    review = matcher.match("HIT, Harbin, China")
    assert review and all(m.decision == "review" for m in review)


def test_generic_name_needs_agreeing_country(matcher):
    assert names(matcher, "Naval Medical University, Shanghai, China") >= {"Naval Medical University"}
    usa = matcher.match("U.S. Naval Academy")
    assert all(m.decision == "review" for m in usa)


def test_country_conflict_downgrades_to_review(matcher):
    hits = matcher.match("Harbin Institute of Technology, Berlin, Germany")
    assert hits and all(m.decision == "review" for m in hits)
    assert "differs" in hits[0].explanation


# --- scripts ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "哈尔滨工业大学计算机科学与技术学院",  # simplified, with a school after it
    "哈爾濱工業大學",  # traditional
    "哈爾浜工業大学",  # Japanese
    "ハルビン工業大学",  # Japanese, place name in katakana
    "Haerbin Gongye Daxue",  # pinyin
    "Harbin Inst Technol, Sch Astronaut, Harbin 150001, Peoples R China",  # Web of Science
])
def test_every_script_reaches_the_same_entries(matcher, text):
    assert entries(matcher, text) == {"bis_entity_list:0049", "meti_end_user_list:0541",
                                      "ca_named_research_orgs:0049", "dod_1286:0089"}


def test_native_name_printed_by_one_list_serves_the_others(matcher):
    hits = matcher.match("中国科学院计算技术研究所")
    assert {m.list_id for m in hits if m.decision == "match"} == {
        "custom:bis_entity_list", "custom:ca_named_research_orgs", "custom:dod_1286"}
    assert any("same organisation as" in m.explanation for m in hits)


@pytest.mark.parametrize("text", ["四川农业大学动物科技学院", "哈爾濱醫科大學", "北京大学出版社", "国立中山大学"])
def test_cjk_look_alikes(matcher, text):
    assert entries(matcher, text) == set()


def test_cjk_parent_prefix_and_role_suffix(matcher):
    assert "bis_entity_list:0018" in entries(matcher, "北京航空航天大学 客員教授")
    assert "bis_entity_list:0054" in entries(matcher, "国防科学技術大学")


# --- ROR --------------------------------------------------------------------------------------------------------

def test_ror_id_links_exactly_through_the_crosswalk(matcher):
    same = matcher.match_ror("https://ror.org/01yqg2h08")
    assert {m.entry_id for m in same} >= {"bis_entity_list:0049", "meti_end_user_list:0541"}
    assert all(m.score == 100 and "crosswalk" in m.explanation for m in same)
    # Academy of Military Medical Sciences' ROR id: the listed AMMS, never its separately listed institutes
    amms = {m.entry_name for m in matcher.match_ror("02bv3c993")}
    assert "Academy of Military Medical Sciences" in amms
    assert not any("," in n for n in amms)


# --- retrieval ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Department of Neurology, West China Hospital, Si Chuan University, Chengdu, Sichuan, PR China.",
    "College of Computer Science, Chongiqng University, Chongqing, China",
    "哈爾浜工業大学",
    "Institute of Physics, Chinese Academy of Sciences",
])
def test_index_finds_what_exhaustive_scoring_finds(matcher, text):
    everything = range(len(matcher.index.variants))
    assert matcher.match(text) == matcher.match(text, candidates=everything)


def test_explanations_name_the_rule(matcher):
    [hit, *_] = matcher.match("Department of Laboratory Medicine, West China Hospital, Sichuan University")
    assert "Sichuan University" in hit.explanation and "name" in hit.explanation
    text = "West China Hospital of Sichuan University"
    assert any("unit named before it" in m.explanation for m in matcher.match(text))
