"""Attacks on what analysts decided, each replayed on a throw-away copy of the demo store: the decision log edited
or cut with plain SQL, the export hiding dismissals, reconciliation findings nobody can review, formulas as the
reviewer's name, and a review that waits on a locked store longer than it was told to."""

import csv
import threading
import time

import duckdb
import pytest

from highfence import store
from highfence.cli import main
from highfence.store import decision_chain


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def demo(demo_store, monkeypatch):
    monkeypatch.delenv("HIGHFENCE_DB_LOCK_TIMEOUT", raising=False)
    monkeypatch.delenv("HIGHFENCE_REVIEWER_NAME", raising=False)
    with duckdb.connect(str(demo_store.db), read_only=True) as con:
        screening = con.execute("SELECT finding_id FROM findings WHERE subject_id = 'R-0002' ORDER BY 1").fetchall()
        reconciliation = con.execute("SELECT finding_id FROM disclosure_findings WHERE NOT restricted ORDER BY 1"
                                     ).fetchall()
    assert screening and reconciliation
    return demo_store.db, screening[0][0], reconciliation[0][0]


def hf(db, *args) -> int:
    return main(["--db", str(db), *args])


def review(db, fid, decision="dismiss", reason="namesake, checked", *extra) -> int:
    return hf(db, "review", fid, "--decision", decision, "--reason", reason, *extra)


def tamper(db, sql, params=()):
    with duckdb.connect(str(db)) as con:  # what anyone with the file and a DuckDB shell can do
        con.execute(sql, list(params))


def statuses(db):
    with store.reader(db) as con:
        from highfence.store.findings_export import export_rows
        return {r["finding_id"]: r["status"] for r in export_rows(con)}


# --- tamper-evidence ----------------------------------------------------------------------------------------------

def test_update_of_a_decision_is_detected_and_every_reader_refuses(demo, capsys):
    db, fid, _ = demo
    assert review(db, fid) == 0
    assert review(db, fid, "escalate", "second look") == 0
    capsys.readouterr()
    tamper(db, "UPDATE decisions SET status = 'dismissed', decision = 'dismiss' WHERE seq = 2")

    assert hf(db, "db", "verify") == 1
    line = _one_line(capsys.readouterr().err)
    assert "broken at #2" in line and "altered" in line
    for args in (["findings", "show", fid], ["findings", "list"], ["findings", "export"],
                 ["report", "researcher", "R-0002", "--out", str(db.parent / "r.html")]):
        assert hf(db, *args) == 1, args
        assert "decision log broken at #2" in _one_line(capsys.readouterr().err)
    assert review(db, fid, "confirm", "on top of a forged log") == 1
    assert "decision log broken" in _one_line(capsys.readouterr().err)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM decisions").fetchall()[0][0] == 2  # nothing appended


@pytest.mark.parametrize("attack, where, words", [
    ("DELETE FROM decisions WHERE seq = 2", 2, "latest decisions deleted"),
    ("DELETE FROM decisions WHERE seq = 1", 1, "missing (deleted)"),
    ("UPDATE decisions SET decided_at = decided_at - INTERVAL 1 DAY WHERE seq = 1", 1, "altered"),
    ("UPDATE decisions SET row_hash = NULL, seq = NULL", 1, "not chained"),
    ("DELETE FROM decision_chain_head", 2, "head is missing"),
])
def test_delete_and_rewrites_are_detected(demo, capsys, attack, where, words):
    db, fid, _ = demo
    assert review(db, fid) == 0 and review(db, fid, "confirm", "it is them") == 0
    before = statuses(db)[fid]
    assert before == "confirmed"
    tamper(db, attack)
    capsys.readouterr()
    assert hf(db, "db", "verify") == 1
    line = _one_line(capsys.readouterr().err)
    assert f"broken at #{where}" in line and words in line
    assert hf(db, "findings", "show", fid) == 1
    assert "decision log broken" in _one_line(capsys.readouterr().err)


def test_a_decision_slipped_in_with_sql_is_detected(demo, capsys):
    db, fid, _ = demo
    assert review(db, fid) == 0
    with duckdb.connect(str(db)) as con:
        row = con.execute("SELECT * EXCLUDE (decision_id) FROM decisions").fetchall()[0]
        cols = [d[0] for d in con.execute("SELECT * EXCLUDE (decision_id) FROM decisions LIMIT 0").description]
        con.execute(f"INSERT INTO decisions (decision_id, {', '.join(cols)}) VALUES ('forged', "
                    f"{', '.join('?' for _ in cols)})", list(row))  # a copy of #1, hash and all
    capsys.readouterr()
    assert hf(db, "db", "verify") == 1
    assert "a second decision #1" in _one_line(capsys.readouterr().err)


def test_intact_log_verifies_and_prints_its_head(demo, capsys):
    db, fid, rid = demo
    assert hf(db, "db", "verify") == 0
    assert "0 decision(s)" in capsys.readouterr().out
    assert review(db, fid) == 0 and review(db, rid) == 0
    capsys.readouterr()
    assert hf(db, "db", "verify") == 0
    out = capsys.readouterr().out
    with store.reader(db) as con:
        state = decision_chain.verify(con)
    assert state.broken is None and state.decisions == 2 and state.head in out


def _legacy_log(path):
    """A database at schema 9 (before the chain) with decisions in it."""
    store.migrate(path, target=9)
    with duckdb.connect(str(path)) as con:
        for i, (when, status) in enumerate([("2025-01-02 10:00:00", "dismissed"), ("2025-01-01 09:00:00.5", "confirmed"),
                                            ("2025-01-02 10:00:00", "escalated")]):
            con.execute("INSERT INTO decisions VALUES (?, 'F1', 'R1|affiliation|l|e', ?, ?, 'why', 'alice', ?, 'open',"
                        " 'h')", [f"d{i}", {"dismissed": "dismiss", "confirmed": "confirm",
                                                 "escalated": "escalate"}[status], status, when])


def test_existing_decisions_are_chained_by_the_migration_deterministically(tmp_path):
    heads = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.duckdb"
        _legacy_log(path)
        store.migrate(path)
        with store.reader(path) as con:
            state = decision_chain.verify(con)
            order = [r[0] for r in con.execute("SELECT decision_id FROM decisions ORDER BY seq").fetchall()]
        assert state.broken is None and state.decisions == 3
        assert order == ["d1", "d0", "d2"]  # oldest first, ties by decision id
        heads.append(state.head)
    assert heads[0] == heads[1]
    tamper(tmp_path / "a.duckdb", "UPDATE decisions SET decided_by = 'mallory' WHERE decision_id = 'd0'")
    with store.reader(tmp_path / "a.duckdb") as con:
        assert decision_chain.verify(con).broken.seq == 2


# --- what the export, show and review say ---------------------------------------------------------------------------

def test_export_carries_the_dismissed_status(demo, capsys):
    db, fid, rid = demo
    assert review(db, fid) == 0 and review(db, rid, "confirm", "undisclosed indeed") == 0
    out = db.parent / "findings.csv"
    assert hf(db, "findings", "export", "--out", str(out)) == 0
    rows = {r["finding_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows[fid]["status"] == "dismissed"
    assert rows[rid]["status"] == "confirmed"
    with store.reader(db) as con:  # a decision is on the case: the case's other findings share it, no other
        case = dict(con.execute("SELECT finding_id, case_key FROM v_finding_status").fetchall())
    others = {r["status"] for k, r in rows.items() if case[k] not in (case[fid], case[rid])}
    assert others and others <= {"open", "delisted", "superseded"}


def test_reconciliation_finding_is_showable_and_reviewable(demo, capsys):
    db, _, rid = demo
    assert hf(db, "findings", "show", rid) == 0
    out = capsys.readouterr().out
    assert rid in out and "reconciliation" in out and "status        open" in out
    assert review(db, rid, "dismiss", "disclosed late, on file") == 0
    assert "open -> dismissed" in capsys.readouterr().out
    assert hf(db, "findings", "show", rid, "--format", "json") == 0
    import json
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "dismissed" and shown["decisions"][0]["reason"] == "disclosed late, on file"
    from highfence.reports.build import build
    with store.reader(db) as con:
        model = build(con, "researcher", "R-0002")
    assert [d["status"] for d in model["decisions"]] == ["dismissed"]
    assert model["decision_chain"]["decisions"] == 1


def test_reconciliation_decision_reopens_when_the_evidence_changes(demo, capsys):
    db, _, rid = demo
    assert review(db, rid, "dismiss", "on file") == 0
    tamper(db, "UPDATE disclosure_findings SET explanation = explanation || ' (and a new record)' WHERE finding_id = ?",
           [rid])  # what a new reconcile run writes when new evidence arrives
    with store.reader(db) as con:
        status, reason = con.execute("SELECT status, status_reason FROM v_finding_status WHERE finding_id = ?",
                                     [rid]).fetchall()[0]
    assert status == "open" and "evidence changed" in reason


@pytest.mark.parametrize("by", ["=HYPERLINK(\"http://evil.example\",\"ok\")", "+1", "-1+2", "@SUM(A1)", "\tx",
                                "\rx"])
def test_formula_as_reviewer_is_refused(demo, capsys, by):
    db, fid, _ = demo
    assert review(db, fid, "dismiss", "x", f"--by={by}") == 1  # --by=-1 is how a shell passes a leading dash
    line = _one_line(capsys.readouterr().err)
    assert "must not start with" in line and "no decision was applied" in line
    assert review(db, fid) == 0  # a clean name still works


def test_formula_as_reviewer_in_an_import_file_is_refused(demo, tmp_path, capsys):
    db, fid, _ = demo
    path = tmp_path / "decisions.csv"
    path.write_text(f"finding_id,decision,reason,by\n{fid},dismiss,namesake,alice\n{fid},confirm,it is,@SUM(A1)\n",
                    encoding="utf-8")
    assert hf(db, "review", "import", str(path)) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"{path}, row 3: " in line and "must not start with" in line and "no decision was applied" in line


def test_formula_as_display_name_is_refused(demo, capsys, monkeypatch):
    db, fid, _ = demo
    monkeypatch.setenv("HIGHFENCE_REVIEWER_NAME", "=cmd|' /C calc'!A0")
    assert review(db, fid) == 1
    assert "display name" in _one_line(capsys.readouterr().err)


def test_by_defaults_to_the_os_user_with_the_display_name(demo, capsys, monkeypatch):
    db, fid, _ = demo
    monkeypatch.setattr("getpass.getuser", lambda: "analyst7")
    monkeypatch.setenv("HIGHFENCE_REVIEWER_NAME", "Hana Sato")
    monkeypatch.setenv("USER", "someone-else")
    assert review(db, fid) == 0
    assert review(db, fid, "escalate", "second look", "--by", "lead") == 0
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT decided_by, decided_by_name, os_user FROM decisions ORDER BY seq").fetchall()
    assert rows == [("analyst7", "Hana Sato", "analyst7"), ("lead", "Hana Sato", "analyst7")]
    capsys.readouterr()
    assert hf(db, "findings", "show", fid) == 0
    assert "Hana Sato (analyst7)" in capsys.readouterr().out


# --- the lock timeout -----------------------------------------------------------------------------------------------

def test_review_honours_the_lock_timeout(demo, capsys, monkeypatch):
    db, fid, _ = demo
    store.migrate(db)
    held, release = threading.Event(), threading.Event()

    def writer():
        with store.connect(db, lock_timeout=5):  # another writer holds the store
            held.set()
            release.wait(60)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(10)
        monkeypatch.setenv("HIGHFENCE_DB_LOCK_TIMEOUT", "1")
        started = time.monotonic()
        code = review(db, fid)
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    assert code == 1
    line = _one_line(capsys.readouterr().err)
    assert "another highfence process is writing it (waited 1s)" in line
    assert waited < 3 * 1 + 2  # the default (30 s) would be far beyond this
    assert review(db, fid) == 0  # and once the writer is gone it goes through
