"""Matching quality on the labelled development set in ../shared/eval (run by hand).

Loads the four evaluation lists as custom lists, matches every string, writes the `highfence match` output format
and scores it with the set's own score.py.

    .venv/bin/python bench/match_quality.py [--out /tmp/dev_matches.csv] [--errors] [--folds 5] [--hold-out 0]

Organisation-level cross-validation (``--folds K``): the listed organisations (entries pooled as one organisation by
the matcher: same names across lists, same reviewed ROR id) are split into K folds by a stable hash of the
organisation; a case belongs to the fold of the organisation it names (negatives: a stable hash of the case id).
Each fold is scored on its own with the set's score.py. ``--hold-out K`` keeps fold K's errors out of ``--errors``:
rules are developed on the other folds' errors only, and fold K's figures say how the rules do on organisations
they were not developed against.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
import zlib
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
    ap.add_argument("--folds", type=int, default=0, help="organisation-level cross-validation with this many folds")
    ap.add_argument("--hold-out", type=int, default=None, metavar="K",
                    help="with --folds: never print the errors of fold K")
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
    fold_of = case_folds(matcher, cases, args.folds) if args.folds else {}
    if args.folds:
        score_folds(cases, rows, fold_of, args.folds, args.hold_out)
    if args.errors:
        expected = {c["id"]: {x.strip() for x in c["expected"].split("|") if x.strip()} for c in cases}
        text = {c["id"]: (c["affiliation"], c["slice"], c["note"]) for c in cases}
        got: dict[str, dict[str, tuple]] = {}
        for r in rows:
            if r[5] == "match":
                got.setdefault(r[0], {})[r[2]] = r
        for cid, exp in expected.items():
            if args.hold_out is not None and fold_of.get(cid) == args.hold_out:
                continue
            g = got.get(cid, {})
            for e in sorted(set(g) - exp):
                print(f"FP {cid} [{text[cid][1]}] {text[cid][0][:140]!r}\n     -> {e}: {g[e][6][:220]}")
            for e in sorted(exp - set(g)):
                print(f"FN {cid} [{text[cid][1]}] {text[cid][0][:140]!r}\n     -> {e}  ({text[cid][2][:80]})")


def case_folds(matcher: Matcher, cases: list[dict], k: int) -> dict[str, int]:
    """Case id -> fold. An organisation is a group of entries the matcher pools as one (its fold: a stable hash of
    the group's sorted entry ids), so no organisation has cases in two folds."""
    index = matcher.index
    by_id = {e.entry_id: i for i, e in enumerate(index.entries)}
    fold_of_group: dict[int, int] = {}
    for root, members in index.groups.items():
        key = "|".join(sorted(index.entries[i].entry_id for i in members))
        fold_of_group[root] = zlib.crc32(key.encode()) % k
    out = {}
    for c in cases:
        exp = sorted(x.strip() for x in c["expected"].split("|") if x.strip() in by_id)
        if exp:
            out[c["id"]] = min(fold_of_group[index.group_of[by_id[x]]] for x in exp)
        else:
            out[c["id"]] = zlib.crc32(c["id"].encode()) % k
    return out


def score_folds(cases: list[dict], rows: list[tuple], fold_of: dict[str, int], k: int, hold_out: int | None) -> None:
    import json

    print(f"\norganisation-level cross-validation, {k} folds" + (f" (fold {hold_out} held out of development)"
                                                              if hold_out is not None else ""))
    print(f"{'fold':<6}{'cases':>7}{'pos':>6}{'P':>8}{'R':>8}{'F1':>8}{'FP/10k':>8}{'pos F1':>8}{'cjk R':>8}"
          f"{'hard FP':>8}{'review':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for f in range(k):
            ids = {c["id"] for c in cases if fold_of[c["id"]] == f}
            lab, mat = Path(tmp) / f"labels_{f}.csv", Path(tmp) / f"matches_{f}.csv"
            with lab.open("w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=list(cases[0]))
                w.writeheader()
                w.writerows(c for c in cases if c["id"] in ids)
            with mat.open("w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["id", "list_id", "entry_id", "matched_name", "score", "decision", "explanation"])
                w.writerows(r for r in rows if r[0] in ids)
            out = json.loads(subprocess.run([sys.executable, str(EVAL / "score.py"), str(lab), str(mat), "--json"],
                                            check=True, capture_output=True, text=True).stdout)
            o, cjk = out["overall"], out["slices"].get("cjk", {})
            positive, hard = out["slices"].get("positive", {}), out["slices"].get("hard_negative", {})
            pos = sum(1 for c in cases if c["id"] in ids and c["expected"].strip())
            mark = " *" if f == hold_out else ""
            print(f"{f:<6}{o['cases']:>7}{pos:>6}{o['precision']:>8}{o['recall']:>8}{o['f1']:>8}"
                  f"{o['negative_fp_per_10k']:>8}{positive.get('f1', 1.0):>8}{cjk.get('recall', 1.0):>8}"
                  f"{hard.get('fp', 0):>8}{o['review_pairs']:>8}{mark}")


if __name__ == "__main__":
    main()
