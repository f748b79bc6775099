"""Rule packs: dated scenarios per pack, the schema's fairness rule, and a counterfactual suite that proves no
outcome depends on who a person is."""

import datetime as dt
import shutil

import pytest

from highfence import store
from highfence.flows.assess import assess
from highfence.flows.demo import demo_flow
from highfence.flows.screen import rescreen
from highfence.errors import InputError
from highfence.settings import load_settings
from highfence.risk.areas import AreaHit, classify
from highfence.risk.evaluate import Fact, Position, evaluate
from highfence.risk.packs import available, get, load, validate

D = dt.date


def fact(relation, list_id, year, programs=(), status="open", fid=None, decision="match"):
    return Fact(fid or f"f-{relation}-{list_id}-{year}", relation, list_id, "E1", tuple(programs), f"10.1/{year}",
                year, None, status, decision)


AERO = [AreaHit("ca_stra", "aerospace_space", "Aerospace, space and satellite technology", ["10.1/x"],
                ["satellite", "attitude control"])]

SCENARIOS = [
    # pack, as_of, facts, positions, areas, expected outcome, triggered factor
    ("us-dod-matrix", D(2026, 6, 1), [fact("coauthor_affiliation", "us_dod_1286", 2023)], [], [],
     "mitigation_suggested", "listed_coauthorship_in_window"),
    ("us-dod-matrix", D(2026, 6, 1), [fact("coauthor_affiliation", "us_dod_1286", 2019)], [], [],
     "no_mitigation", None),  # outside the 5-year look-back
    ("us-dod-matrix", D(2026, 6, 1), [fact("affiliation", "us_csl", 2024, ("EL",))], [], [],
     "mitigation_required", "listed_affiliation_in_window"),
    ("us-dod-matrix", D(2026, 6, 1), [fact("affiliation", "us_csl", 2024, ("SDN",))], [], [],
     "no_mitigation", None),  # on the CSL, but not on the Entity List sub-list
    ("us-dod-matrix", D(2026, 6, 1), [], [Position("talent_programme", "A programme", 2025, None)], [],
     "prohibited", "talent_programme_current"),
    ("us-dod-matrix", D(2025, 6, 1), [fact("affiliation", "us_csl", 2024, ("EL",))], [], [],
     "no_mitigation", "not_in_effect"),  # the 2026 pack was not yet in effect
    ("ca-strac", D(2026, 6, 1), [fact("affiliation", "ca_nro", 2018)], [], AERO, "eligible", None),  # past
    ("ca-strac", D(2026, 6, 1), [fact("affiliation", "ca_nro", 2026)], [], AERO, "ineligible",
     "nro_current_link_in_sensitive_area"),
    ("ca-strac", D(2026, 6, 1), [fact("affiliation", "ca_nro", 2026)], [], [], "eligible", None),  # not sensitive
    ("ca-strac", D(2026, 6, 1), [fact("coauthor_affiliation", "ca_nro", 2026)], [], AERO, "eligible", None),
    ("jp-guideline", D(2026, 6, 1), [fact("undisclosed_affiliation", "jp_meti_eul", 2025)], [], [], "escalate",
     "undisclosed_listed_affiliation"),
    ("jp-guideline", D(2026, 6, 1), [fact("undisclosed_affiliation", None, 2025)], [], [], "confirm",
     "unverified_or_inconsistent_disclosure"),
    ("jp-guideline", D(2026, 6, 1), [fact("affiliation", "jp_meti_eul", 2024)], [], [], "mitigate",
     "listed_entity_involvement"),
    ("jp-guideline", D(2026, 6, 1), [fact("affiliation", "jp_meti_eul", 2024, status="dismissed")], [], [],
     "no_action", None),  # an analyst dismissed it
    ("jp-guideline", D(2026, 6, 1), [fact("affiliation", "jp_meti_eul", 2024, decision="review")], [], [],
     "no_action", None),  # a 'review' candidate is not a finding yet
]


@pytest.mark.parametrize("pack_id, as_of, facts, positions, areas, outcome, factor", SCENARIOS)
def test_dated_scenarios(pack_id, as_of, facts, positions, areas, outcome, factor):
    a = evaluate(get(pack_id), "S1", as_of, facts, positions, areas)
    assert a.outcome == outcome
    triggered = [t["factor"] for t in a.triggers]
    assert (factor in triggered) if factor else triggered == []
    data = a.to_json()
    assert {"subject_id", "pack", "pack_version", "as_of", "outcome", "triggers"} <= set(data)
    for t in data["triggers"]:
        assert "factor" in t and "evidence" in t


def test_trigger_evidence_names_findings_and_entries():
    a = evaluate(get("us-dod-matrix"), "S1", D(2026, 6, 1), [fact("coauthor_affiliation", "us_dod_1286", 2023)])
    [ev] = a.triggers[0]["evidence"]
    assert ev == {"finding_id": "f-coauthor_affiliation-us_dod_1286-2023", "relation": "coauthor_affiliation",
                  "evidence_id": "10.1/2023", "year": 2023, "list_id": "us_dod_1286", "entry_id": "E1"}


def test_shipped_packs_are_valid_and_cited():
    packs = available()
    assert set(packs) == {"jp-guideline", "us-dod-matrix", "ca-strac"}
    assert packs["us-dod-matrix"].outcomes == ["no_mitigation", "mitigation_suggested", "mitigation_required",
                                               "prohibited"]
    assert packs["ca-strac"].outcomes == ["eligible", "ineligible"]
    assert packs["jp-guideline"].outcomes == ["no_action", "confirm", "mitigate", "escalate"]
    for p in packs.values():
        assert p.doc["sources"][0]["url"].startswith("https://") and p.doc["verification"]
        for o in p.doc["outcomes"]:
            assert o["mitigation"]["en"] and o["mitigation"]["ja"]


@pytest.mark.parametrize("condition", ["nationality", "citizenship", "ethnicity", "name_origin", "country_of_birth",
                                       "language", "researcher_name"])
def test_schema_rejects_rules_about_who_a_person_is(tmp_path, condition):
    text = open(get("ca-strac").path, encoding="utf-8").read()
    text = text.replace("      lists: [ca_nro]", f"      lists: [ca_nro]\n      {condition}: [CN]")
    path = tmp_path / "unfair.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="may not use a person's"):
        load(path)
    from highfence.cli import main

    assert main(["rules", "validate", str(path)]) == 1


def test_schema_rejects_unknown_conditions():
    doc = {"id": "x", "version": "1", "effective_from": "2026-01-01", "sources": [{"url": "https://x", "document": "d"}],
           "outcomes": [{"id": "ok"}], "default_outcome": "ok",
           "factors": [{"id": "f", "outcome": "ok", "when": {"relations": ["friendship"], "colour": "red"}}]}
    problems = validate(doc, "x.yaml")
    assert any("unknown condition 'colour'" in p for p in problems)
    assert any("unknown relation 'friendship'" in p for p in problems)


def test_classifier_gives_areas_with_works_and_terms():
    hits = classify([("10.1/a", "Robust attitude control for small satellites with reaction wheels"),
                     ("10.1/b", "Federated learning for clinical imaging")])
    by = {(h.framework, h.area): h for h in hits}
    aero = by[("ca_stra", "aerospace_space")]
    assert aero.works == ["10.1/a"] and "attitude control" in aero.terms and aero.confidence == "high"
    assert ("ca_stra", "ai_big_data") in by and ("jp_specified_critical_tech_2022", "space") in by


# --- fairness, by counterfactual ----------------------------------------------------------------------------------

NAMES = {  # names of several origins for every researcher; nothing about the person may change the result
    "chinese": ["Zhang Wei", "Li Na", "Wang Fang"], "japanese": ["Sato Haruto", "Suzuki Yui", "Takahashi Ren"],
    "iranian": ["Reza Hosseini", "Maryam Ahmadi", "Ali Karimi"], "russian": ["Ivan Petrov", "Olga Smirnova",
                                                                            "Dmitri Volkov"],
    "anglo": ["John Smith", "Emily Clarke", "George Brown"], "indian": ["Priya Sharma", "Arjun Patel", "Ananya Rao"],
}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo_session):
    """The database of a copy of the session's demo run (this shadows conftest's `demo_store`, a DemoRun, for this
    module); `outcomes` copies it again for each variant."""
    return demo_session.copy_to(tmp_path_factory.mktemp("demo-risk")).db


def outcomes(db, tmp_path, rename=None, shuffle=False):
    """Findings and assessments of a copy of the store whose researchers were renamed (and their person-level
    attributes shuffled), with everything screened and assessed again."""
    copy = tmp_path / f"cf-{len(list(tmp_path.iterdir()))}.duckdb"
    shutil.copy(db, copy)
    with store.connect(copy) as con, store.transaction(con):
        ids = [r[0] for r in con.execute("SELECT subject_id FROM subjects WHERE kind = 'researcher' ORDER BY 1")
               .fetchall()]
        homes = [r[0] for r in con.execute("SELECT home_institution FROM subjects WHERE kind = 'researcher' "
                                           "ORDER BY 1").fetchall()]
        for i, sid in enumerate(ids):
            if rename:
                con.execute("UPDATE subjects SET name = ? WHERE subject_id = ?", [rename[i % len(rename)], sid])
            if shuffle:
                con.execute("UPDATE subjects SET home_institution = ? WHERE subject_id = ?",
                            [homes[(i + 1) % len(homes)], sid])
    rescreen(copy, load_settings(env={}))
    result = {}
    for pack in available().values():
        for a in assess(copy, pack, D(2026, 11, 1)):
            result[(a.subject_id, pack.id)] = (a.outcome, [(t["factor"], [e.get("finding_id") for e in t["evidence"]])
                                                           for t in a.triggers])
    with store.connect(copy, read_only=True) as con:
        findings = con.execute("SELECT finding_id, subject_id, relation, list_id, entry_id, decision FROM findings "
                               "ORDER BY 1").fetchall()
    return findings, result


def test_counterfactual_names_change_nothing(demo_store, tmp_path):
    baseline = outcomes(demo_store, tmp_path)
    assert baseline[1][("R-0002", "jp-guideline")][0] == "escalate"
    assert baseline[1][("R-0002", "ca-strac")][0] == "ineligible"
    for origin, names in NAMES.items():
        assert outcomes(demo_store, tmp_path, names, shuffle=True) == baseline, origin


def test_counterfactual_suite_catches_an_unfair_rule(demo_store, tmp_path, monkeypatch):
    """Inject a rule that looks at the researcher's name: the same suite must see the difference."""
    from highfence.flows import assess as assess_module

    real = assess_module.facts_for

    def unfair(con, subject_id, restricted_findings=()):
        name = con.execute("SELECT name FROM subjects WHERE subject_id = ?", [subject_id]).fetchall()[0][0]
        extra = [Fact("injected", "affiliation", "jp_meti_eul", "X", (), None, 2026)] if name.startswith(
            ("Zhang", "Li ", "Wang")) else []
        return real(con, subject_id, restricted_findings) + extra

    monkeypatch.setattr(assess_module, "facts_for", unfair)
    baseline = outcomes(demo_store, tmp_path, NAMES["anglo"])
    assert outcomes(demo_store, tmp_path, NAMES["chinese"]) != baseline
