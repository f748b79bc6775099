"""Matching and screening partitioned over Prefect task runners, a local Dask cluster among them, give the
single-process result."""

import pytest

from highfence import store
from highfence.flows.lists import load_list
from highfence.flows.scale import match_partitioned
from highfence.flows.screen import partition_for, rescreen
from highfence.matching.screening import findings_for
from highfence.records import Observation, Subject
from highfence.settings import load_settings
from highfence.matching import ListedEntry, Matcher
from highfence.store import evidence as evidence_store

ENTRIES = [ListedEntry("custom:x", "E1", "Harbin Institute of Technology", ("HIT", "哈尔滨工业大学"), ("CN",)),
           ListedEntry("custom:x", "E2", "Beihang University", ("BUAA",), ("CN",))]
ROWS = [(str(i), text, None) for i, text in enumerate([
    "School of Astronautics, Harbin Institute of Technology, Harbin, China", "Beihang University, Beijing",
    "Harbin Medical University", "哈爾濱工業大學", "Tohoku University"] * 20)]


@pytest.mark.parametrize("kind", ["thread", pytest.param("dask", marks=pytest.mark.dask)])
def test_partitioned_matching_equals_single_process(kind, prefect_harness):
    m = Matcher(ENTRIES)
    expected = [(rid, x.entry_id, x.decision) for rid, text, c in ROWS for x in m.match(text, c)]
    got = match_partitioned(m, ROWS, kind, workers=2, chunk=25)
    assert [(r[0], r[2], r[5]) for r in got] == expected


OBSERVED = [Observation("R1", "coauthor_affiliation", text, "openalex", ror, f"10.1/{i}", 2024)
            for i, (text, ror) in enumerate([
                ("School of Astronautics, Harbin Institute of Technology, Harbin, China", None),
                ("State Key Laboratory of Software Development Environment", "https://ror.org/017r4dj03"),
                ("Beihang University, Beijing", None), ("Harbin Medical University", None),
                ("哈爾濱工業大學", None), ("Tohoku University", None)] * 5)]


def finding_keys(findings):
    return [(f.observation_id, f.entry_id, f.score, f.decision, f.explanation) for f in findings]


@pytest.mark.dask
@pytest.mark.parametrize("only", [None, {1}], ids=["full", "delta"])
def test_screening_matched_on_dask_equals_in_process(only, prefect_harness):
    m = Matcher(ENTRIES)
    expected = findings_for(OBSERVED, m, only)
    assert {f.entry_id for f in expected} == ({"E1", "E2"} if only is None else {"E2"})
    assert any("crosswalk" in f.explanation for f in expected)  # the ROR id path runs on the workers too
    got = findings_for(OBSERVED, m, only, partition_for("dask", workers=2))
    assert finding_keys(got) == finding_keys(expected)


def test_rescreen_on_a_task_runner_writes_the_same_findings(tmp_path, prefect_harness):
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("entry_id,name,aliases,kind,country\nE1,Harbin Institute of Technology,HIT,organization,CN\n"
                        "E2,Beihang University,BUAA,organization,CN\n", encoding="utf-8")

    def screened(name: str, runner: str | None) -> list[tuple]:
        db = tmp_path / f"{name}.duckdb"
        load_list(db, "custom:x", csv_path)
        with store.connect(db) as con, store.transaction(con):
            evidence_store.upsert_subjects(con, [Subject("R1", "researcher", "Fictional")], "test")
            evidence_store.add_observations(con, OBSERVED, "run-test")
        settings = load_settings(env={"HIGHFENCE_DB": str(db)})
        rescreen(db, settings, task_runner=runner)
        with store.connect(db, read_only=True) as con:
            return con.execute("""SELECT subject_id, evidence_id, entry_id, score, decision, explanation
                                  FROM v_findings ORDER BY ALL""").fetchall()

    in_process = screened("a", None)
    assert len(in_process) >= 2
    assert screened("b", "thread") == in_process


def test_rate_limits_never_allow_more_than_the_rate_in_any_second(prefect_harness):
    from prefect.client.orchestration import get_client

    from highfence.flows.scale import ensure_rate_limits

    ensure_rate_limits({"bench-api": 8.0})
    ensure_rate_limits({"bench-api": 8.0})  # a second start updates, not duplicates
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("highfence-bench-api")
    # a full bucket plus one second of decay is the most any one second can see
    assert limit.limit + limit.slot_decay_per_second == 8.0 and limit.limit >= 1
