"""Each publisher's format, against the real files: the publisher's own counts and specific entries end to end."""

from datetime import date

import pytest

from tests.conftest import fixture
from highfence.watchlists import aspi, canada, csl, custom, dod, meti, ofac, un
from highfence.watchlists.model import ListFormatError
from highfence.watchlists.text import split_parentheses


def by_name(parsed, name):
    hits = [e for e in parsed.entries if e.name == name]
    assert hits, f"{name} not in {parsed.list_id}"
    return hits[0]


def test_meti_xlsx_counts_and_native_script_aliases():
    p = meti.parse(fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))
    assert len(p.entries) == 835
    assert p.published == date(2025, 9, 29)
    countries = [e.countries[0] for e in p.entries]
    assert (countries.count("IR"), countries.count("KP"), countries.count("CN"), countries.count("PK"),
            countries.count("RU")) == (257, 154, 127, 103, 100)
    buaa = by_name(p, "Beijing University of Aeronautics and Astronautics")
    assert set(buaa.aliases) == {"BUAA", "北京航空航天大学", "Beihang University"}
    nudt = by_name(p, "National University of Defense Technology")
    assert set(nudt.aliases) == {"NUDT", "国防科学技術大学"} and nudt.countries == ("CN",)
    assert set(nudt.programs) == {"WMD:M", "WMD:N", "CW"}
    nuaa = by_name(p, "Nanjing University of Aeronautics and Astronautics")  # full-width parentheses and 、
    assert "南京航空航天大学" in nuaa.aliases
    assert all(e.kind == "organization" for e in p.entries)
    assert len({e.entry_id for e in p.entries}) == 835


def test_canada_nro_page():
    p = canada.parse(fixture("canada/science_gc_ca_named-research-organizations_2024-09-09.html"))
    assert len(p.entries) == 103
    assert p.published == date(2024, 4, 18)
    countries = [e.countries[0] for e in p.entries]
    assert (countries.count("CN"), countries.count("IR"), countries.count("RU")) == (85, 12, 6)
    afmu = by_name(p, "Air Force Medical University")
    assert "Fourth Military Medical University" in afmu.aliases
    assert "Air Force Medical University" not in afmu.aliases  # the page repeats the name as an alias
    assert sum(1 for e in p.entries if e.aliases) >= 90


def test_canada_parse_matches_independent_transcription():
    import csv

    p = canada.parse(fixture("canada/science_gc_ca_named-research-organizations_2024-09-09.html"))
    with open(fixture("canada/canada_named_research_organizations_2024-09-09.parsed.csv"), encoding="utf-8") as f:
        expected = {r["name"] for r in csv.DictReader(f)}
    assert {e.name for e in p.entries} == expected


def test_un_consolidated_xml():
    p = un.parse(fixture("sanctions_misc/un_consolidated_2026-02-27.xml"))
    assert p.counts()["person"] == 730 and p.counts()["organization"] == 273
    assert p.published == date(2026, 2, 27)
    adf = next(e for e in p.entries if e.entry_id == "CDe.001")
    assert adf.name == "ADF" and "Allied Democratic Forces" in adf.aliases and "NALU" in adf.aliases
    assert adf.countries == ("CD",) and adf.listed_on == date(2014, 6, 30)
    assert len({e.entry_id for e in p.entries}) == 1003
    # native-script names are aliases; 'Low' quality aliases are kept in the raw record only
    assert any(e.raw["original_script"] and e.raw["original_script"] in e.aliases for e in p.entries)
    weak = [e for e in p.entries if e.raw["weak_aliases"]]
    assert weak and all(w["name"] not in e.aliases for e in weak for w in e.raw["weak_aliases"])
    # a person's nationality never becomes a country of the entry
    badege = next(e for e in p.entries if e.entry_id == "CDi.001")
    assert badege.countries == ("RW",) and badege.raw["nationality"] == ["Democratic Republic of the Congo"]


def test_ofac_sdn_set_from_folder():
    # OFAC's files end with a DOS end-of-file line (0x1A); line counts say 8,977 / 11,911, records are one fewer.
    folder = fixture("ofac/watchman_bench_2021-07")
    for name, lines in (("sdn.csv", 8977), ("alt.csv", 11911)):  # the publisher's counts are line counts
        raw = (folder / name).read_bytes()
        assert raw.count(b"\n") + 1 == lines and raw.endswith(b"\r\n\x1a")
    p = ofac.parse(folder, "us_ofac_sdn")
    assert len(p.entries) == 8976
    assert sum(len(e.aliases) for e in p.entries) == 11910
    bnc = next(e for e in p.entries if e.entry_id == "306")
    assert bnc.name == "BANCO NACIONAL DE CUBA" and "NATIONAL BANK OF CUBA" in bnc.aliases
    assert bnc.programs == ("CUBA",) and "CH" in bnc.countries
    lazarus_linked = next(e for e in p.entries if e.entry_id == "28264")
    assert lazarus_linked.raw["remarks"].endswith("Linked To: LAZARUS GROUP.")  # continued in sdn_comments.csv


def test_ofac_sdn_set_from_main_file_and_kinds():
    p = ofac.parse(fixture("ofac/watchman_bench_2021-07/sdn.csv"), "us_ofac_sdn")
    c = p.counts()
    assert c["person"] == 4620 and c["vessel"] == 406 and c["aircraft"] == 277 and c["organization"] == 3673


def test_ofac_consolidated_non_sdn():
    p = ofac.parse(fixture("ofac/watchman_nonsdn_cons_2025-12"), "us_ofac_cons")
    assert len(p.entries) == 442  # 443 lines incl. the 0x1A end-of-file line
    assert p.format == "ofac-cons-csv"


def test_ofac_set_without_aliases_file_is_refused(tmp_path):
    (tmp_path / "sdn.csv").write_bytes(fixture("ofac/watchman_bench_2021-07/sdn.csv").read_bytes())
    with pytest.raises(ListFormatError, match="incomplete"):
        ofac.parse(tmp_path, "us_ofac_sdn")


@pytest.mark.parametrize("name, rows", [("watchman_consolidated_subset_2025-06.csv", 13),
                                        ("watchman_csl_subset_2019-12.csv", 115)])
def test_csl_both_layouts_all_rows(name, rows):
    p = csl.parse(fixture(f"us_csl/{name}"))
    assert len(p.entries) == rows
    assert len({e.entry_id for e in p.entries}) == rows


def test_csl_sub_lists_and_aliases():
    p = csl.parse(fixture("us_csl/watchman_csl_subset_2019-12.csv"))
    subs = [e.programs[0] for e in p.entries]
    assert (subs.count("SDN"), subs.count("SSI"), subs.count("EL"), subs.count("PLC"), subs.count("DTC"),
            subs.count("DPL"), subs.count("UVL"), subs.count("ISN"), subs.count("CAP")) == (28, 26, 22, 13, 10, 8, 4, 3, 1)
    cetc = by_name(p, "54th Research Institute of China")
    assert "Communication, Telemetry and Telecontrol Research Institute (CTI)" in cetc.aliases
    assert cetc.countries == ("CN",) and cetc.listed_on == date(2001, 5, 14)
    p = csl.parse(fixture("us_csl/watchman_consolidated_subset_2025-06.csv"))
    aaspt = by_name(p, "Academy of Aerospace Solid Propulsion Technology")
    assert aaspt.programs[0] == "MEU" and "AASPT" in aaspt.aliases and aaspt.countries == ("CN",)
    assert aaspt.entry_id == "66f6ab3f26234b75a9093fce79ef0ce0"  # the publisher's own _id


def test_csl_json_form(tmp_path):
    import json

    doc = {"total": 1, "results": [{
        "id": "abc123", "source": "Entity List (EL) - Bureau of Industry and Security",
        "name": "National University of Defense Technology (NUDT)", "type": "", "programs": [],
        "alt_names": ["Central South CAD Center", "CSCC", "Hunan Guofang Keji University"],
        "addresses": [{"address": "109 Deya Road", "city": "Changsha", "state": "Hunan", "postal_code": "410073",
                       "country": "CN"}],
        "start_date": "2015-02-18", "source_list_url": "https://www.bis.gov/entity-list"}]}
    path = tmp_path / "consolidated.json"
    path.write_text(json.dumps(doc))
    e = csl.parse(path).entries[0]
    assert e.name == "National University of Defense Technology"
    assert {"NUDT", "Central South CAD Center", "CSCC", "Hunan Guofang Keji University"} == set(e.aliases)
    assert e.countries == ("CN",) and e.programs == ("EL",) and e.entry_id == "abc123"
    doc["total"] = 5
    path.write_text(json.dumps(doc))
    with pytest.raises(ListFormatError, match="total 5"):
        csl.parse(path)


def test_dod_1286_fiscal_year_blocks():
    p = dod.parse_1286(fixture("dod/opensanctions_section_1286.csv"))
    current = [e for e in p.entries if e.removed_on is None]
    assert len(current) == 156  # the FY2025 list
    assert p.published == date(2025, 1, 1)
    amms = by_name(p, "Academy of Military Medical Sciences")
    assert amms.listed_on == date(2022, 1, 1) and "AMMS" in amms.aliases
    assert amms.programs[0] == "FY2022"


def test_dod_1260h_tranches():
    p = dod.parse_1260h(fixture("dod/opensanctions_dod_1260h_chinese_military_companies.csv"))
    assert len(p.entries) == 397
    avic = by_name(p, "Aviation Industry Corporation of China Ltd.")
    assert "AVIC" in avic.aliases and avic.listed_on == date(2021, 6, 3) and avic.countries == ("CN",)
    assert sum(1 for e in p.entries if e.removed_on) == 21


def test_aspi_misp_galaxy():
    p = aspi.parse(fixture("aspi_unitracker/misp_galaxy_china-defence-universities.json"))
    assert len(p.entries) == 159
    hit = by_name(p, "Harbin Institute of Technology")
    assert "哈尔滨工业大学" in hit.aliases and "HIT" in hit.aliases
    assert hit.programs  # the tracker's categories
    assert len({e.entry_id for e in p.entries}) == 159


def test_custom_csv_and_jsonl(tmp_path):
    for name in ("bis_entity_list", "meti_end_user_list", "ca_named_research_orgs", "dod_1286"):
        p = custom.parse(fixture(f"../eval/lists/{name}.csv"), f"custom:{name}")
        assert len(p.entries) == {"bis_entity_list": 60, "meti_end_user_list": 835,
                                  "ca_named_research_orgs": 103, "dod_1286": 156}[name]
    jl = tmp_path / "mine.jsonl"
    jl.write_text('{"entry_id": "X1", "name": "Example Institute", "aliases": ["EI", "例研究所"], "kind": "organization",'
                  ' "country": "CN", "listed_on": "2024-05-01"}\n')
    e = custom.parse(jl, "custom:mine").entries[0]
    assert e.aliases == ("EI", "例研究所") and e.countries == ("CN",) and e.listed_on == date(2024, 5, 1)


@pytest.mark.parametrize("row, field, message", [
    ("X1,Example,,robot,CN,,", "kind", "organization or person"),
    ("X1,Example,,organization,China,,", "country", "ISO alpha-2"),
    ("X1,Example,,organization,CN,yesterday,", "listed_on", "unreadable date"),
    (",Example,,organization,CN,,", "entry_id", "empty entry_id"),
    ("X1,,,organization,CN,,", "name", "empty name"),
])
def test_custom_csv_errors_name_file_row_and_field(tmp_path, row, field, message):
    path = tmp_path / "mine.csv"
    path.write_text("entry_id,name,aliases,kind,country,listed_on,source_url\nX0,Fine Org,,organization,,,\n" + row + "\n")
    with pytest.raises(ListFormatError) as err:
        custom.parse(path, "custom:mine")
    assert str(path) in str(err.value) and "row 3" in str(err.value) and f"field '{field}'" in str(err.value)
    assert message in str(err.value)


def test_custom_duplicate_id(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("entry_id,name\nA,One\nA,Two\n")
    with pytest.raises(ListFormatError, match="already used on row 2"):
        custom.parse(path, "custom:mine")


@pytest.mark.parametrize("name, expected", [
    ("Beijing University of Aeronautics and Astronautics (BUAA) (北京航空航天大学)",
     ("Beijing University of Aeronautics and Astronautics", ["BUAA", "北京航空航天大学"])),
    ("Delta Engineering Concern FZE （DEC）", ("Delta Engineering Concern FZE", ["DEC"])),
    ("18th Central Scientific Research Institute (Kursk)", ("18th Central Scientific Research Institute (Kursk)", [])),
    ("Ummah Tameer E-Nau (UTN)", ("Ummah Tameer E-Nau", ["UTN"])),
])
def test_split_parentheses(name, expected):
    assert split_parentheses(name) == expected
