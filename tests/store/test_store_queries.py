"""The store's read and write functions for partnerships, checklists, assessments and reports, on a real database:
typed records back, and the filters that decide what a report or a pre-filled answer says."""

import dataclasses
import datetime as dt
import os

import pytest

from highfence import store
from highfence.disclosures.model import Disclosure, Item
from highfence.flows.lists import load_list
from highfence.flows.screen import rescreen
from highfence.records import ChecklistAnswer, ChecklistInstance, Observation, Subject
from highfence.risk.evaluate import Assessment
from highfence.settings import load_settings
from highfence.store import assessment, disclosures, evidence, findings, lists, partnerships, reports, review, runs
from highfence.restricted_key import RestrictedKey
from highfence.store.restricted import Record, Restricted
from highfence.store.review import DecisionRequest

HIT_ROR = "https://ror.org/01yqg2h08"
T0 = dt.datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def world(tmp_path, db):
    """A list of two entries; researchers R1 (a co-author at HIT) and R2 (affiliated with and employed by Beihang;
    at Tsinghua and, without a ROR id, a Sendai institute, neither listed); partner P1 (HIT). Screened once."""
    path = tmp_path / "list.csv"
    path.write_text("entry_id,name,aliases,kind,country,listed_on\n"
                    "E1,Harbin Institute of Technology,HIT,organization,CN,2020-05-01\n"
                    "E2,Beihang University,BUAA,organization,CN,\n", encoding="utf-8")
    load_list(db, "custom:test", path, max_drop=1.0)
    with store.connect(db) as con, store.transaction(con):
        evidence.upsert_subjects(con, [Subject("R1", "researcher", "Fictional One"),
                                       Subject("R2", "researcher", "Fictional Two"),
                                       Subject("P1", "institution", "Harbin Institute of Technology", ror_id=HIT_ROR)],
                                 "roster.csv")
        evidence.add_observations(con, [
            Observation("R1", "coauthor_affiliation", "School of Astronautics, Harbin Institute of Technology",
                        "openalex", None, "10.1/a", 2023),
            Observation("R2", "affiliation", "Beihang University", "openalex", "https://ror.org/00wk2mp56", "10.1/b",
                        2024),
            Observation("R2", "affiliation", "Tsinghua University", "openalex", "https://ror.org/03cve4549", "10.1/c",
                        2022),
            Observation("R2", "employment", "Beihang University", "orcid", None, "orcid:1", 2021),
            Observation("R2", "affiliation", "Institute of Fluid Science, Sendai", "openalex", None, "10.1/d", 2020),
            Observation("P1", "partner_institution", "Harbin Institute of Technology", "roster", None, "roster:2")],
            "run-test")
    rescreen(db, load_settings(env={"HIGHFENCE_DB": str(db)}))
    return db


def fid(con, subject_id, relation):
    return con.execute("SELECT finding_id FROM findings WHERE subject_id = ? AND relation = ?",
                       [subject_id, relation]).fetchall()[0][0]


def test_partnership_round_trip_and_replace(db):
    p = partnerships.StoredPartnership("PS-1", "Alloys", None, [{"subject_id": "P1", "name": "HIT", "ror_id": HIT_ROR},
                                                                {"subject_id": None, "name": "東北大学", "ror_id": None}],
                                       ["R1"], "mou", ["materials"], dt.date(2026, 4, 1), None, "JST", T0)
    with store.connect(db) as con:
        assert partnerships.get(con, "PS-1") is None
        partnerships.save(con, p)
        assert partnerships.get(con, "PS-1") == p  # JSON columns come back as lists, dates as dates
        partnerships.save(con, dataclasses.replace(p, title="Alloys II", researchers=[]))
        again = partnerships.get(con, "PS-1")
        assert (again.title, again.researchers) == ("Alloys II", [])
        assert con.execute("SELECT count(*) FROM partnerships").fetchall()[0][0] == 1


def test_checklist_instances_latest_and_current_answers(db):
    older = ChecklistInstance("i-old", "institution", None, "ja", T0)
    newer = ChecklistInstance("i-new", "institution", None, "en", T0 + dt.timedelta(days=1))
    ps = ChecklistInstance("i-ps", "partnership", "PS-1", "en", T0 + dt.timedelta(days=2))
    with store.connect(db) as con:
        for i in (newer, ps, older):
            partnerships.add_instance(con, i)
        assert partnerships.instance(con, "i-old") == older and partnerships.instance(con, "nope") is None
        assert partnerships.latest_of_template(con, "institution") == newer
        assert partnerships.latest_for_partnership(con, "PS-1") == ps
        assert partnerships.latest_for_partnership(con, "PS-2") is None
        partnerships.add_answers(con, [
            ChecklistAnswer("i-ps", "p.identity", "yes", "in ROR", "prefilled",
                            [{"ror_id": HIT_ROR, "checked": dt.date(2026, 1, 5)}], "highfence", T0),
            ChecklistAnswer("i-ps", "p.not_listed", "no", "listed", "prefilled", [], "highfence", T0),
            ChecklistAnswer("i-new", "inst.policy", "implemented", None, "analyst", [], "office", T0)])
        partnerships.add_answers(con, [ChecklistAnswer("i-ps", "p.not_listed", "yes", "dismissed", "analyst", [],
                                                       "ana", T0 + dt.timedelta(hours=1))])
        current = {a.item_id: a for a in partnerships.current_answers(con, "i-ps")}
        log = con.execute("SELECT count(*) FROM checklist_answers WHERE instance_id = 'i-ps'").fetchall()[0][0]
    assert set(current) == {"p.identity", "p.not_listed"} and log == 3  # the older answer stays in the log
    assert current["p.not_listed"] == ChecklistAnswer("i-ps", "p.not_listed", "yes", "dismissed", "analyst", [], "ana",
                                                      T0 + dt.timedelta(hours=1))
    assert current["p.identity"].evidence == [{"ror_id": HIT_ROR, "checked": "2026-01-05"}]


def test_subject_lookups(world):
    with store.connect(world, read_only=True) as con:
        assert evidence.subject(con, "P1").ror_id == HIT_ROR and evidence.subject(con, "nope") is None
        assert evidence.subject_by_ror(con, HIT_ROR).subject_id == "P1"
        for ident, ror in (("P1", "x"), ("zzz", HIT_ROR), ("Harbin Institute of Technology", "x")):
            assert evidence.find_subject(con, ident, ror).subject_id == "P1"
        assert evidence.find_subject(con, "HIT", "https://ror.org/HIT") is None
        assert evidence.researcher_ids(con) == ["R1", "R2"]
        assert evidence.researcher_ids(con, "R2") == ["R2"] and evidence.researcher_ids(con, "P1") == []
        assert evidence.sources_for(con, ["R2", "P1"]) == ["openalex", "orcid", "roster"]


def test_standing_matches_and_listed_affiliations(world):
    with store.connect(world) as con:
        assert [m.entry_name for m in findings.standing_matches(con, "P1")] == ["Harbin Institute of Technology"]
        assert sorted((a.entry_name, a.year) for a in findings.listed_affiliations(con, "R2")) == [
            ("Beihang University", 2021), ("Beihang University", 2024)]
        assert findings.listed_affiliations(con, "R1") == []  # a co-author's institution is not the researcher's
        with store.transaction(con):
            review.apply_all(con, [("", DecisionRequest(fid(con, "R2", "employment"), "dismiss", "other person",
                                                        "ana"))])
        assert [a.year for a in findings.listed_affiliations(con, "R2")] == [2024]
        assert len(findings.standing_matches(con, "R2")) == 1
        assert [(d.previous_status, d.status, d.decided_by) for d in review.decisions_for(con, ["R2"])] == [
            ("open", "dismissed", "ana")]
        assert review.decisions_for(con, ["R1"]) == []


def test_report_findings_leave_out_superseded(world):
    with store.connect(world) as con:
        got = reports.findings(con, ["R2", "R1"])
        assert [(f.subject_id, f.relation) for f in got] == [("R1", "coauthor_affiliation"), ("R2", "affiliation"),
                                                             ("R2", "employment")]
        assert got[0].list_published is None and got[0].status == "open" and got[0].evidence_source == "openalex"
        with store.transaction(con):
            findings.retire_unproduced(con, "a-later-run", [("custom:test", "E2")])
        assert [f.subject_id for f in reports.findings(con, ["R1", "R2"])] == ["R1"]
        assert findings.standing_matches(con, "R2") == []


def test_subject_summaries_copublication_and_timeline(world):
    with store.connect(world, read_only=True) as con:
        every = reports.subject_summaries(con)
        assert [(s.subject_id, s.open, s.lists) for s in every] == [("P1", 1, "custom:test"), ("R1", 1, "custom:test"),
                                                                    ("R2", 2, "custom:test")]
        assert [s.subject_id for s in reports.subject_summaries(con, ["R2", "P1"])] == ["P1", "R2"]
        assert reports.subject_summaries(con, []) == []
        assert reports.copublication(con, "P1") == [reports.CopublicationLink(
            "custom:test", "Harbin Institute of Technology", "R1", "coauthor_affiliation", 2023, 1)]
        assert reports.copublication(con, "R1") == []
        timeline = {(o.observed_name, o.evidence_year): o.listed for o in reports.observed_affiliations(con, "R2")}
        assert timeline == {("Beihang University", 2024): True, ("Tsinghua University", 2022): False,
                            ("Beihang University", 2021): True}
        assert reports.observed_affiliations(con, "R1") == []  # neither co-authorships nor unidentified names


def test_scope_reads(world, tmp_path):
    path = tmp_path / "list-v2.csv"
    path.write_text("entry_id,name\nE1,Harbin Institute of Technology\nE2,Beihang University\nE3,NUDT\n",
                    encoding="utf-8")
    load_list(world, "custom:test", path, max_drop=1.0)
    with store.connect(world) as con:
        [snap] = lists.active_snapshots(con)  # the earlier snapshot is kept, no longer active
        assert (snap.list_id, snap.entries) == ("custom:test", 3) and snap.snapshot_id.startswith("custom:test@")
        first = runs.start(con, "collect", {"window": [2019, 2024]})
        runs.finish(con, first, {})
        second = runs.start(con, "assess", {"pack": "x"})
        recent = runs.recent(con, 2)
    assert [r.run_id for r in recent] == [second, first]  # newest first
    assert recent[1].inputs == {"window": [2019, 2024]} and recent[0].status == "running"


def test_disclosure_reads(world):
    disclosure = Disclosure("R2", affiliations=[Item("affiliations", {"organization": "Tsinghua University",
                                                                      "kind": "employment"})])
    rows = [{"finding_id": f"d{n}", "subject_id": "R2", "relation": rel, "observed_name": name,
             "confidence": "high", "explanation": "x", "evidence": [{"source": "openalex", "year": 2024}],
             "disclosure_id": "dis-1", "restricted": restricted}
            for n, (rel, name, restricted) in enumerate([("undisclosed_affiliation", "Beihang University", False),
                                                         ("undisclosed_funding", "NSFC", True),
                                                         ("listed_entity_involvement", "Beihang University", False)])]
    public = [r for r in rows if not r["restricted"]]
    access = Restricted(world, RestrictedKey(os.urandom(32), "test"), "test")
    with store.connect(world) as con:
        assert disclosures.disclosed(con, ["R1", "R2"]) == set()
        disclosures.add(con, [disclosure], "d.json", "sha")
        with pytest.raises(ValueError, match="restricted store"):  # the live database never takes them
            disclosures.replace_findings(con, ["R2"], rows, "rec-1")
        disclosures.replace_findings(con, ["R2"], public, "rec-1")
        access.write("disclosure_finding", [Record(r["finding_id"], r["subject_id"], r) for r in rows
                                            if r["restricted"]])
        assert disclosures.disclosed(con, ["R1", "R2"]) == {"R2"} and disclosures.disclosed(con, ["R1"]) == set()
        assert disclosures.undisclosed(con, "R2") == [disclosures.Undisclosed("undisclosed_affiliation",
                                                                              "Beihang University", "d0")]
        plain = disclosures.reconciliation_findings(con, ["R2"])
        full = disclosures.reconciliation_findings(con, ["R2"], access)
    assert [f.relation for f in plain] == ["listed_entity_involvement", "undisclosed_affiliation"]
    assert [f.relation for f in full] == ["listed_entity_involvement", "undisclosed_affiliation", "undisclosed_funding"]
    assert full[0].evidence == [{"source": "openalex", "year": 2024}] and full[2].restricted is True


def test_assessment_facts_works_and_latest(world):
    rows = [{"finding_id": "d-listed", "subject_id": "R2", "relation": "listed_entity_involvement",
             "observed_name": "Beihang University", "list_id": "custom:test", "entry_id": "E1", "confidence": "high",
             "explanation": "x", "evidence": [], "disclosure_id": "dis-1", "restricted": False},
            {"finding_id": "d-unverified", "subject_id": "R2", "relation": "unverified_disclosure",
             "observed_name": "Tsinghua University", "confidence": "low", "explanation": "x", "evidence": [],
             "disclosure_id": "dis-1", "restricted": False}]
    with store.connect(world) as con:
        disclosures.replace_findings(con, ["R2"], rows, "rec-1")
        con.execute("INSERT INTO works VALUES ('R2', '10.1/z', 'Hypersonic flow', 2024, NULL, 'openalex', NULL), "
                    "('R2', '10.1/b', NULL, 2024, 'propulsion; control', 'openalex', NULL)")
        facts = {f.finding_id: f for f in assessment.facts(con, "R2")}
        assert set(facts) == {fid(con, "R2", "affiliation"), fid(con, "R2", "employment"), "d-listed"}
        screened = facts[fid(con, "R2", "affiliation")]
        assert (screened.list_id, screened.entry_id, screened.year, screened.status, screened.programs) == (
            "custom:test", "E2", 2024, "open", ())
        assert (facts["d-listed"].status, facts["d-listed"].decision, facts["d-listed"].listed_on) == (
            "open", "match", dt.date(2020, 5, 1))
        assert assessment.works(con, "R2") == [assessment.Work("10.1/b", None, "propulsion; control"),
                                               assessment.Work("10.1/z", "Hypersonic flow", None)]
        as_of = dt.date(2026, 6, 1)
        assessment.add(con, [Assessment("R2", "p", "1", as_of, "escalate", [{"factor": "f"}], {"en": "look"}),
                             Assessment("R2", "q", "1", as_of, "eligible")], "assess-1")
        assessment.add(con, [Assessment("R2", "p", "2", as_of, "eligible", [], {"en": "none"})], "assess-2")
        latest = assessment.latest(con, ["R2", "R1"])
        assert con.execute("SELECT count(*) FROM assessments").fetchall()[0][0] == 3
    assert latest == [assessment.LatestAssessment("R2", "p", "2", as_of, "eligible", [], {"en": "none"}),
                      assessment.LatestAssessment("R2", "q", "1", as_of, "eligible", [], {})]


def test_not_checked_latest_collection_and_unpinned_authors(world):
    with store.connect(world) as con:
        con.execute("""INSERT INTO collection_errors VALUES ('collect-1', 'R1', 'openalex', NULL, 'old', now()),
                       ('collect-2', 'R2', 'orcid', NULL, 'timeout', now()),
                       ('collect-2', 'R1', 'crossref', NULL, '404', now())""")
        con.execute("""INSERT INTO author_candidates VALUES ('R1', 'A1', 'F One', NULL, NULL, 3, now()),
                       ('R2', 'A2', 'F Two', NULL, NULL, 3, now())""")
        con.execute("INSERT INTO roster_pins VALUES ('R2', 'A2', now(), 'ana')")
        got = reports.not_checked(con, ["R1", "R2"])
        assert reports.not_checked(con, ["P1"]) == []
    assert [(n.subject_id, n.source, n.error[:9]) for n in got] == [
        ("R1", "crossref", "404"), ("R2", "orcid", "timeout"), ("R1", "openalex", "name only")]
