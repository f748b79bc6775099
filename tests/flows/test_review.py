"""Analyst review: decisions that stick, reopen when the list entry or the evidence changes, delisting, batch
import, delta re-screening equal to a full one, and notebooks that never block a flow."""

import duckdb
import pytest

from highfence import store
from highfence.cli import main
from highfence.flows.lists import load_list
from highfence.flows.screen import rescreen
from highfence.errors import InputError
from highfence.records import Observation, Subject
from highfence.settings import load_settings
from highfence.store import evidence as evidence_store
from highfence.store.review import DecisionRequest, apply_all

HEADER = "entry_id,name,aliases,kind,country\n"
HIT = "E1,Harbin Institute of Technology,HIT,organization,CN\n"
BUAA = "E2,Beihang University,BUAA,organization,CN\n"
NUDT = "E3,National University of Defense Technology,NUDT,organization,CN\n"


@pytest.fixture
def world(tmp_path, db):
    settings = load_settings(env={"HIGHFENCE_DB": str(db)})

    def lists(*rows, name="v"):
        path = tmp_path / f"{name}.csv"
        path.write_text(HEADER + "".join(rows), encoding="utf-8")
        return load_list(db, "custom:test", path, max_drop=1.0)

    def observe(*obs):
        with store.connect(db) as con, store.transaction(con):
            evidence_store.upsert_subjects(con, [Subject("R1", "researcher", "Fictional"),
                                                 Subject("R2", "researcher", "Fictional Two")], "test")
            evidence_store.add_observations(con, list(obs), "run-test")

    lists(HIT, BUAA, NUDT, name="v1")
    observe(Observation("R1", "coauthor_affiliation", "School of Astronautics, Harbin Institute of Technology, Harbin",
                        "openalex", None, "10.1/a", 2023),
            Observation("R2", "affiliation", "Beihang University, Beijing, China", "openalex", None, "10.1/b", 2024),
            Observation("R2", "affiliation", "Department of Physics, Tsinghua University", "openalex", None, "10.1/c",
                        2024))
    rescreen(db, settings)
    return settings, lists, observe


def statuses(db):
    with store.connect(db, read_only=True) as con:
        return {(r[0], r[1]): (r[2], r[3]) for r in con.execute("""
            SELECT f.subject_id, f.entry_id, s.status, s.status_reason FROM findings f
            JOIN v_finding_status s USING (finding_id)""").fetchall()}


def finding_id(db, subject, entry):
    with store.connect(db, read_only=True) as con:
        return con.execute("SELECT finding_id FROM findings WHERE subject_id = ? AND entry_id = ?",
                           [subject, entry]).fetchall()[0][0]


def decide(db, fid, decision, reason="checked"):
    with store.connect(db) as con, store.transaction(con):
        return apply_all(con, [("", DecisionRequest(fid, decision, reason, "analyst"))])


def test_decision_sticks_across_rescreening(world, db):
    settings, lists, observe = world
    assert statuses(db) == {("R1", "E1"): ("open", None), ("R2", "E2"): ("open", None)}
    decide(db, finding_id(db, "R1", "E1"), "dismiss", "co-author only, no collaboration")
    rescreen(db, settings)
    rescreen(db, settings, delta=True)
    assert statuses(db)[("R1", "E1")] == ("dismissed", "co-author only, no collaboration")
    with store.connect(db, read_only=True) as con:
        log = con.execute("SELECT previous_status, status, decided_by FROM v_decision_log").fetchall()
    assert log == [("open", "dismissed", "analyst")]


def test_changed_entry_reopens_with_reason(world, db):
    settings, lists, observe = world
    decide(db, finding_id(db, "R1", "E1"), "dismiss")
    lists(HIT.replace("HIT,", "HIT|Harbin Gongye Daxue,"), BUAA, NUDT, name="v2")  # a new alias
    rescreen(db, settings, delta=True)
    status, reason = statuses(db)[("R1", "E1")]
    assert status == "open" and "list entry changed" in reason


def test_new_evidence_reopens(world, db):
    settings, lists, observe = world
    decide(db, finding_id(db, "R1", "E1"), "dismiss")
    observe(Observation("R1", "coauthor_affiliation", "Harbin Institute of Technology, Weihai", "openalex", None,
                        "10.1/new", 2025))
    rescreen(db, settings)
    with store.connect(db, read_only=True) as con:
        rows = con.execute("""SELECT o.evidence_id, s.status, s.status_reason FROM findings f
                              JOIN v_finding_status s USING (finding_id) JOIN observations o USING (observation_id)
                              WHERE f.subject_id = 'R1' ORDER BY 1""").fetchall()
    assert rows[0][:2] == ("10.1/a", "dismissed")
    assert rows[1][0] == "10.1/new" and rows[1][1] == "open" and "new evidence (10.1/new)" in rows[1][2]


def test_removed_entry_is_delisted(world, db):
    settings, lists, observe = world
    lists(BUAA, NUDT, name="v3")  # HIT removed
    rescreen(db, settings, delta=True)
    assert statuses(db)[("R1", "E1")][0] == "delisted"
    with pytest.raises(InputError, match="delisted"):
        decide(db, finding_id(db, "R1", "E1"), "confirm")


def test_batch_import_with_one_bad_row_applies_nothing(world, db, tmp_path, capsys):
    good = finding_id(db, "R2", "E2")
    path = tmp_path / "decisions.csv"
    path.write_text(f"finding_id,decision,reason,by\n{good},confirm,visiting professor at Beihang,ana\n"
                    f"nope,dismiss,typo,ana\n{good},escalate,,ana\n")
    assert main(["--db", str(db), "review", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "no finding 'nope'" in err and "no decision was applied" in err
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM decisions").fetchall()[0][0] == 0
    path.write_text(f"finding_id,decision,reason,by\n{good},escalate,visiting professor at Beihang,ana\n")
    assert main(["--db", str(db), "review", "import", str(path)]) == 0
    assert statuses(db)[("R2", "E2")][0] == "escalated"
    assert main(["--db", str(db), "findings", "list", "--status", "escalated", "--format", "json"]) == 0
    assert main(["--db", str(db), "findings", "show", good]) == 0
    shown = capsys.readouterr().out
    assert "escalated" in shown and "Beihang University" in shown and "sha256" in shown


def test_delta_gives_the_same_open_findings_as_full(world, db, tmp_path):
    settings, lists, observe = world
    decide(db, finding_id(db, "R2", "E2"), "dismiss")
    observe(Observation("R2", "affiliation", "College of Computer, National University of Defense Technology",
                        "openalex", None, "10.1/d", 2024),
            Observation("R2", "affiliation", "Tsinghua University, Beijing", "openalex", None, "10.1/e", 2024))
    rescreen(db, settings)
    # a refresh: Tsinghua added, NUDT changed, HIT removed
    lists(BUAA, NUDT.replace("NUDT,", "NUDT|Guofang Keji Daxue,"), "E4,Tsinghua University,,organization,CN\n",
          name="v4")
    open_sql = "SELECT finding_id, status FROM v_finding_status WHERE status NOT IN ('superseded') ORDER BY 1"
    rescreen(db, settings, delta=True)
    with store.connect(db, read_only=True) as con:
        after_delta = con.execute(open_sql).fetchall()
    rescreen(db, settings)
    with store.connect(db, read_only=True) as con:
        after_full = con.execute(open_sql).fetchall()
    assert after_delta == after_full
    assert {s for _, s in after_full} == {"open", "dismissed", "delisted"}


def test_notebook_reader_never_blocks_a_flow(world, db):
    settings, lists, observe = world
    copy = store.read_copy_path(db)
    notebook = duckdb.connect(str(copy), read_only=True)
    try:
        before = notebook.execute("SELECT count(*) FROM v_open_findings").fetchall()[0][0]
        observe(Observation("R1", "affiliation", "Beihang University", "openalex", None, "10.1/f", 2025))
        rescreen(db, settings)  # writes and republishes while the notebook holds the read copy open
        assert notebook.execute("SELECT count(*) FROM v_open_findings").fetchall()[0][0] == before
    finally:
        notebook.close()
    with duckdb.connect(str(copy), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM v_open_findings").fetchall()[0][0] == before + 1
