"""Matching quality on the labelled development set in ../shared/eval (run by hand).

Loads the four evaluation lists as custom lists, matches every string, writes the `highfence match` output format
and scores it with the set's own score.py.

    .venv/bin/python bench/match_quality.py [--out /tmp/dev_matches.csv] [--errors]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from highfence.matching.matcher import Matcher  # noqa: E402
from highfence.matching.model import ListedEntry  # noqa: E402
from highfence.watchlists import custom  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"
LISTS = ("bis_entity_list", "meti_end_user_list", "ca_named_research_orgs", "dod_1286")


def load_entries() -> list[ListedEntry]:
    entries = []
    for name in LISTS:
        parsed = custom.parse(EVAL / "lists" / f"{name}.csv", f"custom:{name}")
        entries += [ListedEntry(e.list_id, e.entry_id, e.name, e.aliases, e.countries, e.kind) for e in parsed.entries]
    return entries


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/dev_matches.csv")
    ap.add_argument("--errors", action="store_true", help="print false matches and misses")
    args = ap.parse_args()
    t0 = time.perf_counter()
    matcher = Matcher(load_entries())
    t1 = time.perf_counter()
    with open(EVAL / "affiliations_dev.csv", encoding="utf-8") as f:
        cases = list(csv.DictReader(f))
    rows = []
    for case in cases:
        for m in matcher.match(case["affiliation"]):
            rows.append((case["id"], m.list_id, m.entry_id, m.matched_name, m.score, m.decision, m.explanation))
    t2 = time.perf_counter()
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "list_id", "entry_id", "matched_name", "score", "decision", "explanation"])
        w.writerows(rows)
    print(f"index built in {t1 - t0:.1f}s ({len(matcher.index.variants)} name variants); "
          f"{len(cases)} strings matched in {t2 - t1:.1f}s")
    subprocess.run([sys.executable, str(EVAL / "score.py"), str(EVAL / "affiliations_dev.csv"), args.out], check=True)
    if args.errors:
        expected = {c["id"]: {x.strip() for x in c["expected"].split("|") if x.strip()} for c in cases}
        text = {c["id"]: (c["affiliation"], c["slice"], c["note"]) for c in cases}
        got: dict[str, dict[str, tuple]] = {}
        for r in rows:
            if r[5] == "match":
                got.setdefault(r[0], {})[r[2]] = r
        for cid, exp in expected.items():
            g = got.get(cid, {})
            for e in sorted(set(g) - exp):
                print(f"FP {cid} [{text[cid][1]}] {text[cid][0][:140]!r}\n     -> {e}: {g[e][6][:220]}")
            for e in sorted(exp - set(g)):
                print(f"FN {cid} [{text[cid][1]}] {text[cid][0][:140]!r}\n     -> {e}  ({text[cid][2][:80]})")


if __name__ == "__main__":
    main()
