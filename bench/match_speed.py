"""Matching speed and candidate-retrieval recall against every list in the fixtures (run by hand).

    .venv/bin/python bench/match_speed.py [--strings 100000] [--workers 2] [--recall-sample 2000] [--no-cli]

In-process: the matcher built here, strings matched by forked workers. Then the command itself, as a user runs it,
on a temporary store with the lists loaded (CSL once, as us_csl: a store has one active snapshot per list): a
single `highfence match TEXT` with no saved matcher (cold) and with one (warm, median of 5), and
`highfence match --input --output --workers` on all the strings, timed from start to exit (start-up, reading the
saved matcher, CSV in and out) with the peak memory of its process tree (sum of the processes' RSS, sampled).

Lists: CSL (both layouts), OFAC SDN and non-SDN, METI, Canada NRO, UN, DoD 1286 and 1260H, ASPI. Organisation and
unclassified entries are indexed (the matcher screens organisations, not people). Strings: the development set's
real affiliation strings, recombined (departments, institutions and places from different strings) into distinct
strings until there are enough.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from highfence.matching.matcher import Matcher  # noqa: E402
from highfence.matching.model import ListedEntry  # noqa: E402
from highfence.watchlists import aspi, canada, csl, dod, meti, ofac, un  # noqa: E402

FIX = REPO.parent / "shared" / "fixtures"
EVAL = REPO.parent / "shared" / "eval"
LISTS = [
    (csl.parse, "us_csl/watchman_csl_subset_2019-12.csv", "us_csl"),
    (csl.parse, "us_csl/watchman_consolidated_subset_2025-06.csv", "us_csl_2025"),
    (ofac.parse, "ofac/watchman_bench_2021-07", "us_ofac_sdn"),
    (ofac.parse, "ofac/watchman_nonsdn_cons_2025-12", "us_ofac_cons"),
    (meti.parse, "meti_end_user_list/meti_foreign_user_list_20250929.xlsx", "jp_meti_eul"),
    (canada.parse, "canada/science_gc_ca_named-research-organizations_2024-09-09.html", "ca_nro"),
    (un.parse, "sanctions_misc/un_consolidated_2026-02-27.xml", "un_sc"),
    (dod.parse_1286, "dod/opensanctions_section_1286.csv", "us_dod_1286"),
    (dod.parse_1260h, "dod/opensanctions_dod_1260h_chinese_military_companies.csv", "us_dod_1260h"),
    (aspi.parse, "aspi_unitracker/misp_galaxy_china-defence-universities.json", "aspi_unitracker"),
]

_matcher: Matcher | None = None
CLI_LISTS = [(rel, list_id) for _, rel, list_id in LISTS if list_id != "us_csl"]
CLI_LISTS = [(rel, "us_csl" if list_id == "us_csl_2025" else list_id) for rel, list_id in CLI_LISTS]
HIGHFENCE = [sys.executable, "-m", "highfence.cli"]


def load_entries() -> list[ListedEntry]:
    out = []
    for parse, rel, list_id in LISTS:
        for e in parse(FIX / rel, list_id).entries:
            if e.kind in ("organization", "other"):
                out.append(ListedEntry(e.list_id, e.entry_id, e.name, e.aliases, e.countries, e.kind))
    return out


def make_strings(n: int, seed: int = 7) -> list[str]:
    with open(EVAL / "affiliations_dev.csv", encoding="utf-8") as f:
        base = [r["affiliation"] for r in csv.DictReader(f)]
    parts = [[p.strip() for p in s.split(",") if p.strip()] for s in base]
    heads = [p[0] for p in parts if len(p) > 1]
    tails = [", ".join(p[1:]) for p in parts if len(p) > 1]
    rng = random.Random(seed)
    out, seen = list(base), set(base)
    while len(out) < n:
        s = f"{rng.choice(heads)}, {rng.choice(tails)}"
        if s not in seen:
            seen.add(s)
            out.append(s)
    rng.shuffle(out)
    return out[:n]


def _init() -> None:
    global _matcher
    _matcher = Matcher(load_entries())


def _work(batch: list[str]) -> int:
    return sum(len(_matcher.match(s)) for s in batch)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--strings", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--recall-sample", type=int, default=2000)
    ap.add_argument("--no-cli", action="store_true", help="leave out the runs of the command itself")
    ap.add_argument("--no-recall", action="store_true", help="leave out the recall measurement (minutes)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    entries = load_entries()
    t1 = time.perf_counter()
    matcher = Matcher(entries)
    t2 = time.perf_counter()
    print(f"lists parsed in {t1 - t0:.1f}s: {len(entries)} organisation entries; index built in {t2 - t1:.1f}s "
          f"({len(matcher.index.variants)} name variants)")
    strings = make_strings(args.strings)

    global _matcher
    _matcher = matcher  # forked workers inherit the built index
    batches = [strings[i:i + 2000] for i in range(0, len(strings), 2000)]
    t3 = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            rows = sum(pool.map(_work, batches))
    else:
        rows = sum(_work(b) for b in batches)
    t4 = time.perf_counter()
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"matched {len(strings)} strings with {args.workers} worker(s) in {t4 - t3:.1f}s: "
          f"{len(strings) / (t4 - t3):,.0f} strings/s, {rows} result rows; peak RSS parent {self_rss:.0f} MiB, "
          f"largest worker {child_rss:.0f} MiB")

    if not args.no_cli:
        bench_cli(strings, args.workers)
    if args.no_recall:
        return
    sample = random.Random(11).sample(strings, min(args.recall_sample, len(strings)))
    everything = range(len(matcher.index.variants))
    found = expected = 0
    t5 = time.perf_counter()
    for s in sample:
        exhaustive = {(m.list_id, m.entry_id) for m in matcher.match(s, candidates=everything)}
        indexed = {(m.list_id, m.entry_id) for m in matcher.match(s)}
        expected += len(exhaustive)
        found += len(exhaustive & indexed)
    t6 = time.perf_counter()
    recall = found / expected if expected else 1.0
    print(f"candidate retrieval recall vs exhaustive scoring on {len(sample)} strings: {recall:.4f} "
          f"({found}/{expected} results at or above the review threshold; exhaustive pass {t6 - t5:.0f}s)")


def _tree_rss(pid: int) -> tuple[int, int]:
    """(sum, largest) RSS in bytes of a process and its descendants; (0, 0) once it is gone."""
    import psutil

    try:
        procs = [psutil.Process(pid)]
        procs += procs[0].children(recursive=True)
    except psutil.Error:
        return 0, 0
    sizes = []
    for p in procs:
        try:
            sizes.append(p.memory_info().rss)
        except psutil.Error:
            pass
    return sum(sizes), max(sizes, default=0)


def _timed(args: list[str], env: dict) -> tuple[float, int, int, str]:
    """(seconds from start to exit, peak tree RSS, peak single-process RSS, stdout) of a highfence command."""
    started = time.perf_counter()
    proc = subprocess.Popen(HIGHFENCE + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_sum = peak_one = 0
    while proc.poll() is None:
        total, one = _tree_rss(proc.pid)
        peak_sum, peak_one = max(peak_sum, total), max(peak_one, one)
        time.sleep(0.05)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"highfence {' '.join(args)} failed: {err.strip()}")
    return elapsed, peak_sum, peak_one, out


def bench_cli(strings: list[str], workers: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="hf-match-speed-"))
    try:
        db = folder / "hf.duckdb"
        env = {**os.environ, "HIGHFENCE_DB": str(db)}
        for rel, list_id in CLI_LISTS:
            subprocess.run(HIGHFENCE + ["watchlists", "load", list_id, "--file", str(FIX / rel)], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        text = "School of Astronautics, Harbin Institute of Technology, Harbin 150001, China"
        cold = _timed(["match", text], env)[0]
        warm = [_timed(["match", text], env)[0] for _ in range(5)]
        print(f"`highfence match TEXT` on a store of {len(CLI_LISTS)} lists: {cold:.2f}s with no saved matcher, "
              f"{statistics.median(warm):.2f}s warm (median of 5; {min(warm):.2f}-{max(warm):.2f}s)")

        inp, out = folder / "in.csv", folder / "out.csv"
        with inp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "affiliation"])
            w.writerows((f"s{i}", s) for i, s in enumerate(strings))
        for label, clear in (("saved matcher", False), ("no saved matcher", True)):
            if clear:
                shutil.rmtree(db.with_name(db.name + ".cache"), ignore_errors=True)
            elapsed, peak_sum, peak_one, _ = _timed(
                ["match", "--input", str(inp), "--output", str(out), "--workers", str(workers)], env)
            with out.open(encoding="utf-8") as f:
                rows = sum(1 for _ in f) - 1
            print(f"`highfence match --input` ({label}), {len(strings)} strings, {workers} worker(s): {elapsed:.1f}s "
                  f"start to exit, {len(strings) / elapsed:,.0f} strings/s, {rows} rows; peak RSS "
                  f"{peak_sum / 2**20:.0f} MiB summed over its processes (largest {peak_one / 2**20:.0f} MiB)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
