"""Delta re-screening against a full re-screen on a store with 100,000+ observations (run by hand).

    .venv/bin/python bench/rescreen.py [--observations 100000]

Builds a store with the four evaluation lists (custom lists) and observations made of real affiliation strings
(the development set, recombined), screens it fully, then refreshes one list with a realistic change (aliases
added to 5 entries, 3 entries removed, 2 added), and times `screen --delta` and a full re-screen. The two must leave
identical open findings."""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from highfence import store  # noqa: E402
from highfence.flows.lists import load_list  # noqa: E402
from highfence.flows.screen import rescreen  # noqa: E402
from highfence.records import Observation, Subject  # noqa: E402
from highfence.settings import load_settings  # noqa: E402
from match_speed import make_strings  # noqa: E402
from highfence.store import evidence as evidence_store  # noqa: E402

EVAL = REPO.parent / "shared" / "eval" / "lists"
OPEN_SQL = "SELECT finding_id, status FROM v_finding_status WHERE status <> 'superseded' ORDER BY 1"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--observations", type=int, default=100_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hf-rescreen-"))
    db = tmp / "bench.duckdb"
    settings = load_settings(env={"HIGHFENCE_DB": str(db)})
    for name in ("bis_entity_list", "meti_end_user_list", "ca_named_research_orgs", "dod_1286"):
        load_list(db, f"custom:{name}", EVAL / f"{name}.csv")
    strings = make_strings(args.observations)
    subjects = [Subject(f"S{i:05d}", "researcher", f"Subject {i}") for i in range(2000)]
    obs = [Observation(f"S{i % 2000:05d}", "coauthor_affiliation", s, "bench", None, f"10.5555/bench.{i}", 2024)
           for i, s in enumerate(strings)]
    with store.connect(db) as con, store.transaction(con):
        evidence_store.upsert_subjects(con, subjects, "bench")
        evidence_store.add_observations(con, obs, "bench")
    t = time.perf_counter()
    first = rescreen(db, settings)
    print(f"initial full screen of {len(obs)} observations: {time.perf_counter() - t:.1f}s, "
          f"{first['findings_new']} findings")

    # the refresh: one list changes a little
    with open(EVAL / "dod_1286.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows[:5]:
        r["aliases"] = "|".join(x for x in [r["aliases"], r["name"].upper() + " (BENCH ALIAS)"] if x)
    rows = rows[3:]
    rows.append({**rows[0], "entry_id": "dod_1286:9001", "name": "Tsinghua University", "aliases": ""})
    rows.append({**rows[0], "entry_id": "dod_1286:9002", "name": "Zhejiang University", "aliases": ""})
    changed = tmp / "dod_1286_v2.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    load_list(db, "custom:dod_1286", changed)

    t = time.perf_counter()
    delta = rescreen(db, settings, delta=True)
    t_delta = time.perf_counter() - t
    with store.connect(db, read_only=True) as con:
        after_delta = con.execute(OPEN_SQL).fetchall()
    t = time.perf_counter()
    rescreen(db, settings)
    t_full = time.perf_counter() - t
    with store.connect(db, read_only=True) as con:
        after_full = con.execute(OPEN_SQL).fetchall()
    print(f"delta re-screen: {t_delta:.1f}s ({delta['entries_rescreened']} entries re-screened, "
          f"{delta['findings_new']} new findings, {delta['findings_retired']} retired)")
    print(f"full re-screen:  {t_full:.1f}s")
    print(f"identical open findings: {after_delta == after_full} ({len(after_full)} findings with a status)")


if __name__ == "__main__":
    main()
