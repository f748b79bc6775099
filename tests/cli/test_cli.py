import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from highfence.cli import main
from tests.conftest import fixture


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    code, out, _ = run(capsys, "version")
    assert code == 0 and out.startswith("highfence ")


def test_every_subcommand_has_help():
    for args in (["--help"], ["db", "--help"], ["db", "info", "--help"], ["watchlists", "load", "--help"],
                 ["watchlists", "diff", "--help"], ["config", "show", "--help"], ["demo", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        assert exit_.value.code == 0


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["watchlists", "load", "us_csl"])  # --file missing
    assert exit_.value.code == 2


def test_db_init_and_info(tmp_path, capsys):
    db = tmp_path / "x.duckdb"
    code, out, _ = run(capsys, "--db", str(db), "db", "init")
    assert code == 0 and "schema at version" in out
    code, out, _ = run(capsys, "--db", str(db), "db", "info", "--format", "json")
    info = json.loads(out)
    assert info["schema_version"] == info["latest_version"] and info["tables"]["screening_runs"] == 0
    code, out, _ = run(capsys, "--db", str(db), "db", "info")
    assert "schema version" in out and "screening_runs" in out


def test_config_show_names_sources(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HIGHFENCE_DB", str(tmp_path / "env.duckdb"))
    code, out, _ = run(capsys, "config", "show")
    assert code == 0 and "env HIGHFENCE_DB" in out and "store.db" in out
    code, out, _ = run(capsys, "config", "show", "--format", "json")
    rows = {r["key"]: r for r in json.loads(out)}
    assert rows["store.db"]["source"] == "env HIGHFENCE_DB" and rows["http.timeout"]["source"] == "default"


def test_corrupted_database_is_one_line_error(tmp_path, capsys):
    db = tmp_path / "bad.duckdb"
    db.write_bytes(b"\x00garbage" * 100)
    before = db.read_bytes()
    code, out, err = run(capsys, "--db", str(db), "db", "init")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and str(db) in err and err.startswith("highfence: error:")
    assert db.read_bytes() == before


def test_unwritable_database_path_is_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "--db", str(blocker / "db.duckdb"), "demo", "--out", str(tmp_path / "out"))
    assert code == 1 and err.strip().count("\n") <= 1 and str(blocker / "db.duckdb") in err


def test_watchlists_load_status_search_diff(tmp_path, capsys):
    db = str(tmp_path / "x.duckdb")
    assert run(capsys, "--db", db, "db", "init")[0] == 0
    code, out, _ = run(capsys, "--db", db, "watchlists", "load", "jp_meti_eul", "--file",
                       str(fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx")))
    assert code == 0 and "835 entries" in out
    code, out, _ = run(capsys, "--db", db, "watchlists", "status", "--format", "json")
    [row] = json.loads(out)
    assert {k: row[k] for k in ("list_id", "entries", "organizations", "persons", "published")} == \
        {"list_id": "jp_meti_eul", "entries": 835, "organizations": 835, "persons": 0, "published": "2025-09-29"}
    assert len(row["sha256"]) == 64
    code, out, _ = run(capsys, "--db", db, "watchlists", "search", "北京航空航天大学")
    assert code == 0 and "Beijing University of Aeronautics and Astronautics" in out
    code, out, _ = run(capsys, "--db", db, "watchlists", "search", "beihang university")
    assert "Beijing University of Aeronautics and Astronautics" in out
    code, _, err = run(capsys, "--db", db, "watchlists", "diff", "jp_meti_eul")
    assert code == 1 and "only one snapshot" in err
    # a refused load: one line, exit 1, status unchanged
    html = tmp_path / "page.xlsx"
    html.write_text("<!DOCTYPE html><html><body>error</body></html>")
    code, _, err = run(capsys, "--db", db, "watchlists", "load", "jp_meti_eul", "--file", str(html))
    assert code == 1 and "load refused" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "--db", db, "watchlists", "status")
    assert "835" in out


def test_watchlists_diff_cli(tmp_path, capsys):
    db = str(tmp_path / "x.duckdb")
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_text("entry_id,name,aliases\nA,Alpha Institute,AI\nB,Beta Academy,\n")
    v2.write_text("entry_id,name,aliases\nA,Alpha Institute,AI|Alpha Inst\nB,Beta Academy,\nC,Gamma Lab,\n")
    run(capsys, "--db", db, "db", "init")
    run(capsys, "--db", db, "watchlists", "load", "custom:mine", "--file", str(v1))
    run(capsys, "--db", db, "watchlists", "load", "custom:mine", "--file", str(v2))
    code, out, _ = run(capsys, "--db", db, "watchlists", "diff", "custom:mine", "--format", "json")
    d = json.loads(out)
    assert (d["added"], d["removed"], d["changed"]) == (1, 0, 1)
    assert d["changed_entries"][0]["fields"]["aliases"]["new"] == ["AI", "Alpha Inst"]


def test_unknown_list_id(tmp_path, capsys):
    code, _, err = run(capsys, "--db", str(tmp_path / "x.duckdb"), "watchlists", "load", "nope",
                       "--file", "x.csv")
    assert code == 1 and "unknown list 'nope'" in err


def test_console_script_exit_code_and_single_line(tmp_path):
    exe = Path(sys.executable).with_name("highfence")
    if not exe.exists():
        pytest.skip("highfence console script not installed in this environment")
    proc = subprocess.run([str(exe), "--db", str(tmp_path / "missing" / "x.duckdb"), "db", "info"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "not found" in proc.stderr


def test_match_cli_file_and_text(tmp_path, capsys):
    db = str(tmp_path / "x.duckdb")
    lst = tmp_path / "mine.csv"
    lst.write_text("entry_id,name,aliases,kind,country\nE1,Harbin Institute of Technology,HIT|哈尔滨工业大学,organization,CN\n"
                   "E2,Academy of Military Medical Sciences,AMMS,organization,CN\n", encoding="utf-8")
    assert run(capsys, "--db", db, "watchlists", "load", "custom:mine", "--file", str(lst))[0] == 0
    inp = tmp_path / "in.csv"
    inp.write_text("id,affiliation,country\n1,\"School of Astronautics, Harbin Institute of Technology, Harbin\",\n"
                   "2,Harbin Medical University,\n3,哈爾濱工業大學,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, text, _ = run(capsys, "--db", db, "match", "--input", str(inp), "--output", str(out))
    assert code == 0 and "matched 3 strings" in text
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "list_id", "entry_id", "matched_name", "score", "decision", "explanation"]
    assert [(r["id"], r["entry_id"], r["decision"]) for r in rows] == [("1", "E1", "match"), ("3", "E1", "match")]
    code, text, _ = run(capsys, "--db", db, "match", "哈爾濱工業大學 計算機學院")
    assert code == 0 and "E1" in text and "Chinese/Japanese characters" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    code, _, err = run(capsys, "--db", db, "match", "--input", str(bad), "--output", str(out))
    assert code == 1 and "missing column(s) id, affiliation" in err and str(bad) in err
    code, _, err = run(capsys, "--db", db, "match", "x", "--lists", "custom:other")
    assert code == 1 and "no active snapshot for list(s) custom:other" in err


@pytest.mark.parametrize("args", [
    ["match"],                                   # neither TEXT nor --input
    ["match", "x", "--input", "in.csv"],         # both
    ["match", "--input", "in.csv"],              # --input without --output
    ["review", "F1"],
    ["review", "F1", "--decision", "confirm"],   # no --reason
    ["review", "F1", "extra.csv", "--decision", "confirm", "--reason", "r"],
    ["review", "import"],                        # no FILE.csv
    ["screen"],                                  # neither --roster nor --delta
    ["report", "partner"],
    ["partnerships", "add", "PS-1"],
    ["checklist", "start"],
    ["assess", "--pack", "jp-guideline", "--as-of", "next week"],
])
def test_called_wrong_is_a_usage_error_exit_2(tmp_path, capsys, args):
    db = tmp_path / "x.duckdb"
    code, out, err = run(capsys, "--db", str(db), *args)
    assert code == 2 and out == ""
    assert err.startswith("highfence: error: ") and err.count("\n") == 1
    assert not db.exists()  # refused before anything was done


def test_usage_error_is_a_highfence_error_with_exit_2():
    from highfence.errors import HighfenceError, UsageError

    assert issubclass(UsageError, HighfenceError) and UsageError.exit_code == 2 and HighfenceError.exit_code == 1


@pytest.mark.parametrize("args", [["config", "show"], ["findings", "list"]])
def test_closed_pipe_exits_quietly(tmp_path, args):
    """`highfence ... | true`: the reader is gone before a byte is written. No traceback, no error line, exit 0."""
    db = tmp_path / "x.duckdb"
    assert main(["--db", str(db), "db", "init"]) == 0
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "highfence.cli", "--db", str(db), *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert proc.stderr == "" and proc.returncode == 0


def test_module_entry_point_runs_the_cli():
    proc = subprocess.run([sys.executable, "-m", "highfence.cli", "version"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("highfence ") and proc.stderr == ""
