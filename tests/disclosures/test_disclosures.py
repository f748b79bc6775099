"""Disclosure intake (templates, validation, history) and reconciliation with the stored evidence."""

import json
import os
from datetime import date

import openpyxl
import pytest

from highfence import store
from highfence.disclosures.load import DisclosureErrors, read_disclosures
from highfence.disclosures.model import Disclosure, Item
from highfence.disclosures.reconcile import Observed, reconcile
from highfence.disclosures.templates import json_schema, write_template
from highfence.flows.lists import load_list
from highfence.flows.reconcile import load_disclosures, reconcile_store
from highfence.restricted_key import RestrictedKey
from highfence.store.restricted import Restricted
from highfence.records import Observation, Subject
from highfence.matching import ListedEntry, Matcher
from highfence.store import disclosures as disclosure_store
from highfence.store import evidence as evidence_store
from highfence.store.findings_export import export_rows
from tests.conftest import fixture


@pytest.mark.parametrize("lang, sheet, header", [("ja", "所属・役職", "機関名"), ("en", "Affiliations", "Organization")])
def test_xlsx_template_round_trip(tmp_path, lang, sheet, header):
    path = tmp_path / f"t-{lang}.xlsx"
    write_template(path, lang)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == sheet
    ws = wb[sheet]
    assert ws.cell(1, 2).value.splitlines() == [header, "organization"] and ws.cell(1, 2).comment is not None
    ws.append(["R1", "哈爾濱工業大學", "客員教授", "兼業" if lang == "ja" else "concurrent", "2020-04", None, "いいえ"
               if lang == "ja" else "no"])
    wb.save(path)
    [d] = read_disclosures(path)
    item = d.affiliations[0]
    assert (d.researcher_id, item.get("organization"), item.get("kind"), item.get("paid")) == \
        ("R1", "哈爾濱工業大學", "concurrent", False)


def test_csv_templates_and_json_schema(tmp_path):
    paths = write_template(tmp_path / "csv", "en")
    assert {p.name for p in paths} >= {"affiliations.csv", "funding.csv", "disclosure.schema.json"}
    schema = json_schema()
    assert schema["properties"]["affiliations"]["items"]["properties"]["kind"]["enum"][2] == "talent_programme"
    (tmp_path / "csv" / "funding.csv").write_text(
        "researcher_id,funder,programme,title,start,end,amount,currency,status,role\n"
        "R1,Japan Society for the Promotion of Science,KAKENHI,X,2022,2024,\"1,000,000\",JPY,received,PI\n",
        encoding="utf-8")
    [d] = read_disclosures(tmp_path / "csv" / "funding.csv")
    assert d.funding[0].get("amount") == 1_000_000.0


def test_every_problem_is_named_and_nothing_is_loaded(tmp_path, db):
    doc = [{"researcher_id": "R1",
            "affiliations": [{"organization": "X", "kind": "employment", "start": "2021-13"},
                             {"organization": "Y", "kind": "employment", "start": "2022", "end": "2020"}],
            "funding": [{"funder": "Z", "status": "received", "amount": -5, "currency": "XYZ"}],
            "gifts": []},
           {"affiliations": [{"organization": "W", "kind": "employment"}]}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(DisclosureErrors) as err:
        load_disclosures(db, path)
    messages = [str(p) for p in err.value.problems]
    expected = ["bad date '2021-13'", "end 2020 is before start 2022", "negative amount", "unknown currency 'XYZ'",
                "unknown section", "missing researcher id"]
    for text in expected:
        assert any(text in m for m in messages), (text, messages)
    assert any("sheet 'funding', row 1, column 'amount'" in m for m in messages)
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM disclosures").fetchall()[0][0] == 0


def test_xlsx_errors_name_sheet_row_and_column(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path, "en")
    wb = openpyxl.load_workbook(path)
    wb["Funding"].append(["R1", "NSF", None, None, "2023", None, 100, "USD", "maybe"])
    wb.create_sheet("Gifts")
    wb.save(path)
    with pytest.raises(DisclosureErrors) as err:
        read_disclosures(path)
    text = [str(p) for p in err.value.problems]
    assert any("sheet 'Funding', row 2, column 'status'" in t for t in text)
    assert any("sheet 'Gifts'" in t and "unknown sheet" in t for t in text)


def test_newer_disclosure_keeps_history(tmp_path, db):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"researcher_id": "R1", "affiliations": [
        {"organization": "Tohoku University", "kind": "employment"}]}))
    assert load_disclosures(db, path)[1]
    assert load_disclosures(db, path)[1] == []  # unchanged: no new version
    path.write_text(json.dumps({"researcher_id": "R1", "affiliations": [
        {"organization": "Tohoku University", "kind": "employment"},
        {"organization": "Harbin Institute of Technology", "kind": "concurrent"}]}))
    load_disclosures(db, path)
    with store.connect(db, read_only=True) as con:
        assert len(disclosure_store.history(con, "R1")) == 2
        [(_, current)] = disclosure_store.current(con).values()
    assert len(current.affiliations) == 2


# --- reconciliation ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def resolver():
    from highfence.watchlists import meti

    parsed = meti.parse(fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))
    return Matcher([ListedEntry(e.list_id, e.entry_id, e.name, e.aliases, e.countries) for e in parsed.entries])


def disclosure(**sections) -> Disclosure:
    d = Disclosure("R1")
    for section, rows in sections.items():
        setattr(d, section, [Item(section, r) for r in rows])
    return d


HIT_ROR = "https://ror.org/01yqg2h08"


def test_cross_script_disclosure_matches_observed_affiliation(resolver):
    d = disclosure(affiliations=[{"organization": "哈爾濱工業大學 客員教授", "kind": "visiting", "start": "2020"}])
    obs = [Observed("Harbin Institute of Technology", "affiliation", "openalex", "10.1/x", 2023, None, HIT_ROR)]
    relations = [r["relation"] for r in reconcile(d, "d1", obs, resolver, (2021, 2026))]
    assert "undisclosed_affiliation" not in relations and "unverified_disclosure" not in relations
    assert "listed_entity_involvement" in relations  # the disclosed organisation itself is listed


def test_department_matches_its_university(resolver):
    d = disclosure(affiliations=[{"organization": "Tohoku University", "kind": "employment"}])
    obs = [Observed("Department of Aerospace Engineering, Tohoku University, Sendai, Japan", "employment", "orcid",
                    "/0000/employment/1", 2024, None)]
    assert reconcile(d, "d1", obs, resolver, (2021, 2026)) == []


def test_undisclosed_affiliation_at_listed_institution(resolver):
    d = disclosure(affiliations=[{"organization": "Tohoku University", "kind": "employment"}])
    obs = [Observed("Harbin Institute of Technology", "affiliation", "openalex", "10.1/a", 2023, None, HIT_ROR),
           Observed("School of Astronautics, Harbin Institute of Technology, Harbin, China", "affiliation",
                    "openalex", "10.1/b", 2024, None),
           Observed("Tohoku University", "affiliation", "openalex", "10.1/a", 2023, None, "https://ror.org/01dq60k83"),
           Observed("Harbin Institute of Technology", "coauthor_affiliation", "openalex", "10.1/c", 2024, None)]
    [row] = [r for r in reconcile(d, "d1", obs, resolver, (2021, 2026)) if r["relation"] == "undisclosed_affiliation"]
    assert row["entry_name"] == "Harbin Institute of Technology" and row["confidence"] == "high"
    assert {e["evidence_id"] for e in row["evidence"]} == {"10.1/a", "10.1/b"}  # never the co-author's paper


def test_disclosure_that_ended_before_the_window(resolver):
    d = disclosure(affiliations=[{"organization": "Harbin Institute of Technology", "kind": "visiting",
                                  "start": "2012", "end": "2015"}])
    obs = [Observed("Harbin Institute of Technology", "affiliation", "openalex", "10.1/a", 2024, None, HIT_ROR)]
    rows = reconcile(d, "d1", obs, resolver, (2021, 2026))
    [row] = [r for r in rows if r["relation"] == "undisclosed_affiliation"]
    assert "2012–2015" in row["explanation"]
    assert not [r for r in rows if r["relation"] == "unverified_disclosure"]  # ended before the window


def test_undisclosed_funding_and_unverified_disclosure(resolver):
    d = disclosure(funding=[{"funder": "Japan Society for the Promotion of Science", "status": "received",
                             "start": "2022"}],
                   affiliations=[{"organization": "Kyoto University", "kind": "concurrent", "start": "2023"}])
    obs = [Observed("National Natural Science Foundation of China", "funder", "openalex", "10.1/a", 2023, None)]
    rows = {(r["relation"], r["observed_name"]) for r in reconcile(d, "d1", obs, resolver, (2021, 2026))}
    assert rows == {("undisclosed_funding", "National Natural Science Foundation of China"),
                    ("unverified_disclosure", "Japan Society for the Promotion of Science"),
                    ("unverified_disclosure", "Kyoto University")}


def test_reconcile_in_store_and_nda_is_restricted(db, tmp_path):
    load_list(db, "jp_meti_eul", fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))
    with store.connect(db) as con, store.transaction(con):
        evidence_store.upsert_subjects(con, [Subject("R1", "researcher", "Fictional")], "test")
        evidence_store.add_observations(con, [
            Observation("R1", "affiliation", "Harbin Institute of Technology", "openalex", HIT_ROR, "10.1/a", 2024)],
            "run-0")
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"researcher_id": "R1",
                                "affiliations": [{"organization": "Tohoku University", "kind": "employment"}],
                                "nda_collaborations": [{"partner": "Beihang University", "amount": 10,
                                                        "currency": "USD", "effort_percent": 5}]}), encoding="utf-8")
    access = Restricted(db, RestrictedKey(os.urandom(32), "test"), "test")
    load_disclosures(db, path, access)
    outcome = reconcile_store(db, today=date(2026, 6, 1), restricted=access)
    assert outcome["by_type"]["undisclosed_affiliation"] == 1 and outcome["restricted_findings"] == 1
    with store.connect(db, read_only=True) as con:
        public = export_rows(con)
        restricted = export_rows(con, access)
    assert not [r for r in public if "Beihang" in r["observed_name"]]
    nda = [r for r in restricted if "Beihang" in r["observed_name"]]
    assert nda and nda[0]["relation"] == "listed_entity_involvement"
    assert {r["relation"] for r in public} >= {"undisclosed_affiliation"}
    again = reconcile_store(db, today=date(2026, 6, 1), restricted=access)  # recomputed, not duplicated
    with store.connect(db, read_only=True) as con:
        assert len(export_rows(con, access)) == len(restricted)
    assert again["findings"] == outcome["findings"]
    # without the key the sealed findings stay as they were, and the outcome says they were not reconciled
    assert reconcile_store(db, today=date(2026, 6, 1))["restricted_skipped"] is True
    with store.connect(db, read_only=True) as con:
        assert len(export_rows(con, access)) == len(restricted)
