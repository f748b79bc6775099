"""Loading lists into the store: snapshots, refusals that keep the last good one, diffs."""

from dataclasses import asdict
import json
import shutil

import pytest

from highfence import store
from highfence.flows.lists import LoadRefused, load_list
from highfence.store import lists as list_store
from tests.conftest import fixture
from highfence.watchlists.snapshots import check_counts

CSL = "us_csl/watchman_csl_subset_2019-12.csv"


def status(db):
    with store.connect(db, read_only=True) as con:
        return {r.list_id: asdict(r) for r in list_store.status(con)}


def attempts(db):
    with store.connect(db, read_only=True) as con:
        return con.execute("SELECT outcome, reason FROM list_load_attempts ORDER BY attempted_at").fetchall()


def test_load_activates_and_identical_reload_creates_nothing(db):
    r = load_list(db, "us_csl", fixture(CSL))
    assert r.outcome == "activated" and r.entries == 115
    again = load_list(db, "us_csl", fixture(CSL))
    assert again.outcome == "unchanged" and again.snapshot_id == r.snapshot_id
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM list_snapshots").fetchall()[0][0] == 1
        assert con.execute("SELECT count(*) FROM list_entries").fetchall()[0][0] == 115
    s = status(db)["us_csl"]
    assert s["entries"] == 115 and s["sha256"] and s["source"].endswith("watchman_csl_subset_2019-12.csv")


def _load_good(db, tmp_path):
    good = tmp_path / "csl.csv"
    shutil.copy(fixture(CSL), good)
    return load_list(db, "us_csl", good)


def _assert_kept(db, before):
    after = status(db)["us_csl"]
    assert after["snapshot_id"] == before.snapshot_id and after["entries"] == before.entries
    assert attempts(db)[-1][0] == "refused"


def test_html_page_instead_of_csv_is_refused(db, tmp_path):
    before = _load_good(db, tmp_path)
    bad = tmp_path / "consolidated.csv"
    bad.write_text("<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>Down</body></html>")
    with pytest.raises(LoadRefused, match="HTML page"):
        load_list(db, "us_csl", bad)
    _assert_kept(db, before)


def test_file_cut_in_half_is_refused(db, tmp_path):
    before = _load_good(db, tmp_path)
    data = fixture(CSL).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadRefused) as err:
        load_list(db, "us_csl", cut)
    assert "truncated" in str(err.value) or "drops" in str(err.value)
    _assert_kept(db, before)


def test_cut_file_refused_even_without_previous_snapshot(db, tmp_path):
    data = fixture(CSL).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadRefused, match="truncated|wrong number of fields|malformed"):
        load_list(db, "us_csl", cut)
    assert status(db) == {}


def test_twenty_percent_drop_is_refused_unless_forced(db, tmp_path):
    before = _load_good(db, tmp_path)
    lines = fixture(CSL).read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    keep = len(rows) - len(rows) // 5  # 20% fewer
    smaller = tmp_path / "smaller.csv"
    smaller.write_text(header + "".join(rows[:keep]), encoding="utf-8")
    with pytest.raises(LoadRefused, match="drops 20%"):
        load_list(db, "us_csl", smaller)
    _assert_kept(db, before)
    forced = load_list(db, "us_csl", smaller, force=True)
    assert forced.outcome == "activated" and forced.entries == keep
    assert forced.changes["removed"] == len(rows) - keep


def test_wrong_format_file_is_refused(db, tmp_path):
    before = _load_good(db, tmp_path)
    with pytest.raises(LoadRefused, match="missing required column"):
        load_list(db, "us_csl", fixture("canada/canada_named_research_organizations_2024-09-09.parsed.csv"))
    with pytest.raises(LoadRefused):
        load_list(db, "us_csl", fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx"))
    _assert_kept(db, before)
    with pytest.raises(LoadRefused, match="not an xlsx"):
        load_list(db, "jp_meti_eul", fixture(CSL))
    with pytest.raises(LoadRefused, match="malformed XML|CONSOLIDATED_LIST"):
        load_list(db, "un_sc", fixture("aspi_unitracker/misp_galaxy_china-defence-universities.json"))
    assert set(status(db)) == {"us_csl"}


def test_empty_file_is_refused(db, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(LoadRefused, match="empty file"):
        load_list(db, "us_csl", empty)


def test_diff_added_removed_changed(db, tmp_path):
    rows = [
        {"entry_id": "A", "name": "Alpha Institute", "aliases": "AI", "kind": "organization", "country": "CN"},
        {"entry_id": "B", "name": "Beta Academy", "aliases": "", "kind": "organization", "country": "RU"},
        {"entry_id": "C", "name": "Gamma Lab", "aliases": "", "kind": "organization", "country": "IR"},
    ]

    def write(name, records):
        path = tmp_path / name
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        return path

    first = load_list(db, "custom:test", write("v1.jsonl", rows))
    rows2 = [dict(rows[0], aliases="AI|Alpha Inst"), rows[1], {"entry_id": "D", "name": "Delta Works",
                                                               "kind": "organization"}]
    second = load_list(db, "custom:test", write("v2.jsonl", rows2), max_drop=0.5)
    assert second.changes == {"added": 1, "removed": 1, "changed": 1}
    from highfence.watchlists.snapshots import diff_entries

    with store.connect(db, read_only=True) as con:
        d = diff_entries(list_store.entries_for_diff(con, first.snapshot_id),
                         list_store.entries_for_diff(con, second.snapshot_id))
    assert [e["entry_id"] for e in d.added] == ["D"] and [e["entry_id"] for e in d.removed] == ["C"]
    assert d.changed[0].entry_id == "A" and list(d.changed[0].fields) == ["aliases"]


def test_count_rule():
    assert check_counts(90, 100, 0.10).ok
    assert not check_counts(89, 100, 0.10).ok
    assert check_counts(10, 100, 0.10, force=True).ok
    assert not check_counts(0, None, 0.10).ok
    assert check_counts(5, None, 0.10).ok
