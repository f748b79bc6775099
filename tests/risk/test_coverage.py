"""Coverage: a rule pack names the lists it needs; without one of them, or with a stale snapshot, the outcome is
cannot_assess naming it (never the pack's lowest outcome), and assessments and reports say what was and was not
checked."""

import datetime as dt
import json

import pytest
import yaml

from highfence import store
from highfence.cli import main
from highfence.errors import InputError
from highfence.flows.assess import assess
from highfence.reports.build import build
from highfence.reports.html import render as render_html
from highfence.reports.markdown import render as render_md
from highfence.risk.coverage import CANNOT_ASSESS, Snapshot, coverage
from highfence.risk.evaluate import Fact, evaluate
from highfence.risk.packs import get, load
from highfence.store import assessment as assessment_store
from tests.conftest import fixture

D = dt.date
AS_OF = D(2026, 11, 1)
DOD = ["us_dod_1286", "us_dod_1260h", "us_csl"]


def snap(list_id, taken=D(2026, 10, 20), published=D(2026, 1, 7)):
    return Snapshot(list_id, f"{list_id}@abc", published, dt.datetime.combine(taken, dt.time(9)))


def listed_affiliation():
    return [Fact("F1", "undisclosed_affiliation", "us_dod_1286", "E1", (), "W1", 2024)]


def test_pack_with_all_lists_gives_its_normal_outcome():
    pack = get("us-dod-matrix")
    cov = coverage(pack.required_lists, [snap(x) for x in DOD], AS_OF, 45)
    a = evaluate(pack, "R", AS_OF, listed_affiliation(), coverage=cov)
    assert a.outcome == "mitigation_required"
    assert [c["list_id"] for c in a.coverage["checked"]] == DOD and a.coverage["not_checked"] == []
    c = a.coverage["checked"][0]
    assert (c["snapshot_date"], c["age_days"], c["published"]) == ("2026-10-20", 12, "2026-01-07")
    assert c["official"]["en"]["publisher"] == "US Department of Defense"
    # nothing found on complete lists is the lowest outcome, as before
    assert evaluate(pack, "R", AS_OF, [], coverage=cov).outcome == "no_mitigation"


def test_missing_list_gives_cannot_assess_naming_it():
    pack = get("us-dod-matrix")
    cov = coverage(pack.required_lists, [snap("us_csl"), snap("un_sc")], AS_OF, 45)
    a = evaluate(pack, "R", AS_OF, [], coverage=cov)
    assert a.outcome == CANNOT_ASSESS != pack.doc["default_outcome"]
    missing = {n["list_id"]: n for n in a.coverage["not_checked"]}
    assert set(missing) == {"us_dod_1286", "us_dod_1260h"}
    assert all(n["state"] == "missing" and n["required"] for n in missing.values())
    assert [c["list_id"] for c in a.coverage["checked"]] == ["us_csl", "un_sc"]  # the other loaded list too
    assert "us_dod_1286" in a.mitigations["en"] and "Proceed" not in a.mitigations["en"]
    assert "判断できません" in a.mitigations["ja"] and "1286" in a.mitigations["ja"]


def test_stale_snapshot_gives_cannot_assess_naming_it_as_stale():
    pack = get("jp-guideline")
    old = snap("jp_meti_eul", taken=D(2026, 9, 1))  # 61 days before AS_OF
    a = evaluate(pack, "R", AS_OF, [], coverage=coverage(pack.required_lists, [old], AS_OF, 45))
    assert a.outcome == CANNOT_ASSESS
    [n] = a.coverage["not_checked"]
    assert (n["list_id"], n["state"], n["age_days"]) == ("jp_meti_eul", "stale", 61)
    assert "61 days" in n["reason"]
    # within the maximum age it counts; a stale list the pack does not need is reported but does not block
    fresh = coverage(pack.required_lists, [old, snap("un_sc", taken=D(2026, 1, 1))], AS_OF, 90)
    a = evaluate(pack, "R", AS_OF, [], coverage=fresh)
    assert a.outcome == "no_action"
    assert [(n["list_id"], n["state"], n["required"]) for n in a.coverage["not_checked"]] == [
        ("un_sc", "stale", False)]


def test_pack_schema_checks_required_lists(tmp_path):
    with open(get("ca-strac").path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    doc["required_lists"] = ["ca_nro", "no_such_list"]
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="unknown list 'no_such_list'"):
        load(tmp_path / "p.yaml")
    doc["required_lists"] = ["ca_nro"]
    doc["outcomes"].append({"id": CANNOT_ASSESS, "title": {"en": "x", "ja": "x"}})
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="reserved"):
        load(tmp_path / "p.yaml")


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_demo_dod_pack_cannot_assess_until_the_dod_lists_are_loaded(demo_store, capsys):
    """The issue's 'done when': the demo loads neither DoD list."""
    db = demo_store.db
    out = run(capsys, "--db", db, "assess", "--pack", "us-dod-matrix", "--subject", "R-0002")
    assert "R-0002   cannot_assess" in out
    assert "us_dod_1286" in out and "us_dod_1260h" in out and "missing  not loaded" in out
    with store.reader(db) as con:
        [stored] = [a for a in assessment_store.latest(con, ["R-0002"]) if a.pack == "us-dod-matrix"]
    assert stored.outcome == CANNOT_ASSESS
    assert {n["list_id"] for n in stored.coverage["not_checked"]} == {"us_dod_1286", "us_dod_1260h"}

    run(capsys, "--db", db, "watchlists", "load", "us_dod_1286", "--file",
        fixture("dod/opensanctions_section_1286.csv"))
    run(capsys, "--db", db, "watchlists", "load", "us_dod_1260h", "--file",
        fixture("dod/opensanctions_dod_1260h_chinese_military_companies.csv"))
    run(capsys, "--db", db, "screen", "--delta")
    out = run(capsys, "--db", db, "assess", "--pack", "us-dod-matrix", "--subject", "R-0002", "--format", "json")
    [a] = json.loads(out)
    assert a["outcome"] == "mitigation_required"  # the undisclosed Beihang affiliation, on the 1286 list
    assert {c["list_id"] for c in a["coverage"]["checked"]} >= set(DOD) and not any(
        n["required"] for n in a["coverage"]["not_checked"])


def test_max_list_age_setting_makes_old_snapshots_stale(demo_store, capsys, monkeypatch):
    monkeypatch.setenv("HIGHFENCE_MAX_LIST_AGE_DAYS", "10")
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    out = run(capsys, "--db", demo_store.db, "assess", "--pack", "ca-strac", "--as-of", later, "--format", "json")
    for a in json.loads(out):
        assert a["outcome"] == CANNOT_ASSESS
        stale = {n["list_id"]: n for n in a["coverage"]["not_checked"]}
        assert stale["ca_nro"]["state"] == "stale" and stale["ca_nro"]["age_days"] == 30


@pytest.mark.parametrize("lang, checked, not_checked, name_1286, missing, all_answered", [
    ("en", "Lists checked", "Not checked or failed", "Section 1286", "list not loaded",
     "Every source answered"),
    ("ja", "確認した名簿", "確認できなかった事項", "国防授権法1286条", "名簿が読み込まれていません",
     "全ての情報源から回答を得ました"),
])
def test_report_shows_coverage_and_the_lists_not_checked(demo_store, lang, checked, not_checked, name_1286, missing,
                                                          all_answered):
    assess(demo_store.db, get("us-dod-matrix"), dt.date.today())
    with store.reader(demo_store.db) as con:
        model = build(con, "researcher", "R-0002", lang)
    for text in (render_md(model), render_html(model)):
        assert checked in text and not_checked in text
        assert ("外国ユーザーリスト" if lang == "ja" else "End User List") in text  # a checked list, officially named
        assert name_1286 in text and missing in text and "us-dod-matrix" in text
        assert all_answered not in text
    label = "判断できません（確認できない名簿があります）" if lang == "ja" else "Cannot assess"
    assert label in render_html(model)
