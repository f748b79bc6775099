"""Partnerships and checklists: pre-fill from the demo data, append-only answers, notes required, readiness."""

import json

import pytest

from highfence import store
from highfence.checklists.templates import templates
from highfence.flows.partnerships import Partnership, add_partnership, answer, readiness, show, start_checklist
from highfence.errors import InputError


@pytest.fixture
def demo_db(demo_store):
    """A copy of the session's demo store (conftest) for each test: these tests add partnerships and answers."""
    return demo_store.db, demo_store.result


def items(db, instance):
    with store.connect(db, read_only=True) as con:
        return {i["item_id"]: i for i in show(con, instance)["items"]}


def test_demo_starts_a_prefilled_checklist(demo_db):
    db, result = demo_db
    cl = result["checklist"]
    assert cl["prefilled"] == 5 and cl["items"] == 10
    got = items(db, cl["instance"])
    assert got["p.not_listed"]["answer"] == "no" and got["p.not_listed"]["source"] == "prefilled"
    assert {e["list_id"] for e in got["p.not_listed"]["evidence"]} == {"aspi_unitracker", "ca_nro", "jp_meti_eul"}
    assert got["p.identity"]["answer"] == "yes" and "01yqg2h08" in got["p.identity"]["note"]
    # R-0002 has an undisclosed affiliation at a listed institution; R-0001's disclosure is clean
    assert got["gen.disclosure_consistent"]["answer"] == "no" and "R-0002" in got["gen.disclosure_consistent"]["note"]
    assert "R-0001" not in got["gen.disclosure_consistent"]["note"]
    assert got["p.members_not_listed"]["answer"] == "no"
    assert got["jr.agreement_checked"]["answer"] is None  # the analyst's to answer


def test_clean_partnership_is_prefilled_yes(demo_db):
    db, _ = demo_db
    add_partnership(db, Partnership("PS-CLEAN", "Federated learning (demo)", ["P-NUS"], ["R-0001"], "mou"))
    instance, n = start_checklist(db, "PS-CLEAN", "en")
    got = items(db, instance)
    assert got["p.not_listed"]["answer"] == "yes" and got["p.members_not_listed"]["answer"] == "yes"
    assert got["gen.disclosure_consistent"]["answer"] == "yes"


def test_answers_are_appended_and_no_needs_a_note(demo_db):
    db, result = demo_db
    instance = result["checklist"]["instance"]
    with pytest.raises(InputError, match="needs a mitigation note"):
        answer(db, instance, "jr.agreement_checked", "no", None, "ana")
    with pytest.raises(InputError, match="must be one of"):
        answer(db, instance, "jr.agreement_checked", "maybe", None, "ana")
    answer(db, instance, "jr.agreement_checked", "no", "agreement to be signed before work starts", "ana")
    answer(db, instance, "jr.agreement_checked", "yes", "signed 2026-11-20", "ana")
    got = items(db, instance)["jr.agreement_checked"]
    assert (got["answer"], got["source"], got["answered_by"]) == ("yes", "analyst", "ana")
    with store.connect(db, read_only=True) as con:
        log = con.execute("SELECT value FROM checklist_answers WHERE instance_id = ? AND item_id = ? "
                          "ORDER BY answered_at", [instance, "jr.agreement_checked"]).fetchall()
    assert [v for (v,) in log] == ["no", "yes"]  # nothing overwritten


def test_templates_in_both_languages_render(demo_db, capsys):
    from highfence.cli import main

    db, result = demo_db
    for t in templates().values():
        assert all(i["ja"] and i["en"] and i["section"] in ("general", "joint_research", "partner") for i in t["items"])
    assert main(["--db", str(db), "checklist", "show", result["checklist"]["instance"], "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"item_id", "text", "answer", "source", "evidence"} <= set(rows[0])
    assert any("相手方機関" in r["text"] for r in rows)  # the demo checklist is in Japanese


def test_institution_readiness(demo_db):
    db, _ = demo_db
    instance, _ = start_checklist(db, None, "ja")
    for item_id, value in [("inst.policy", "implemented"), ("inst.office", "implemented"),
                           ("inst.disclosure", "planned"), ("inst.training", "not_implemented")]:
        answer(db, instance, item_id, value, "plan: FY2027" if value == "not_implemented" else None, "office")
    with store.connect(db, read_only=True) as con:
        r = readiness(con)
    assert r["answered"] == 4 and r["items"] == 7
    assert round(r["implemented"], 3) == round(2 / 7, 3) and round(r["planned"], 3) == round(1 / 7, 3)


def test_partnership_report_includes_checklist(demo_db, tmp_path, capsys):
    from highfence.cli import main

    db, _ = demo_db
    out = tmp_path / "ps.html"
    assert main(["--db", str(db), "report", "partnership", "PS-DEMO", "--lang", "ja", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "共同研究等デュー・ディリジェンス報告書" in html and "チェックリスト" in html and "prefilled" in html
    assert "未回答の項目" in html and "Harbin Institute of Technology" in html
