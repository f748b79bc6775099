"""Rebuild data/matching/name_stats.tsv.gz: how many organisations a name denotes, registry-wide (run by hand).

For every Latin-script name in the ROR records in ../shared/fixtures/ror (CC0; labels and aliases, not acronyms),
in the matcher's own canonical tokens:
- ``exact``: how many organisations bear that name (organisations joined by ROR's parent/child and
  predecessor/successor relationships count once: a university's campuses and its former names are one family);
- ``total``: ``exact`` plus the other families whose names contain it where the matcher itself would accept it as
  written (its prefix and suffix rules), i.e. the organisations a string with that name could mean.
Names that contain it as a name of their own unit or branch (same family) are not counted twice.

data/matching/registry_acronyms.txt: every acronym ROR records and how many families bear it.

The file is read by highfence.matching.resources.name_stats(); `highfence ror load` of a full dump does not change
it (the counts are only ever more ambiguous in a larger registry, so the shipped subset errs on the side of
distinctiveness; rebuild it from a full dump with --ror FILE for a stricter reading).

    .venv/bin/python scripts/build_name_stats.py [--ror FILE.jsonl[.gz] ...]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from highfence.connectors.ror import read_dump  # noqa: E402
from highfence.matching.cjk import has_cjk  # noqa: E402
from highfence.matching.parse import content_indexes, tokenize  # noqa: E402
from highfence.matching.rules import is_place, prefix_rule, suffix_rule  # noqa: E402
from highfence.matching.vocab import LEGAL_FORMS, UNIT_WORDS  # noqa: E402
from highfence.watchlists.text import split_parentheses  # noqa: E402

SHARED = REPO.parent / "shared"
# the shipped records of the crosswalked organisations last, so every listed organisation's names are known
DEFAULT_ROR = [SHARED / "fixtures/ror/ror_v2_records_latest_35990.jsonl.gz",
               SHARED / "fixtures/ror/ror_v2_records_CN_HK_MO_TW.jsonl",
               REPO / "data/crosswalk/ror_orgs.jsonl"]
MAX_SPAN = 8


def read_records(paths: list[Path]) -> dict[str, dict]:
    return {r["id"]: r for path in paths for r in read_dump(path)}  # a later file's record wins


def families(records: dict[str, dict]) -> dict[str, str]:
    parent = {k: k for k in records}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, r in records.items():
        for rel in r.get("relationships", []):
            if rel.get("type") in ("parent", "child", "predecessor", "successor") and rel.get("id") in parent:
                a, b = find(k), find(rel["id"])
                if a != b:
                    parent[b] = a
    return {k: find(k) for k in records}


def name_tokens(value: str) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    main, _ = split_parentheses(value)
    tokens = tokenize(main.replace(",", " "))
    content = list(content_indexes(tokens))
    while len(content) > 1 and tokens[content[-1]] in LEGAL_FORMS:
        content.pop()
    return (tokens, tuple(content)) if content else None


def unit_of(suffix: list[str]) -> bool:
    """Whether what follows a name inside a longer one makes it that organisation's unit, branch or campus
    ('..., Shenzhen', '... School of Medicine') rather than a name of its own ('... Higher School of Economics')."""
    while suffix and suffix[0] == "the":
        suffix = suffix[1:]
    if not suffix or suffix[0] in UNIT_WORDS or suffix[0] == "and" or suffix[:2] in (["named", "after"],
                                                                                     ["named", "for"]):
        return True
    rest = suffix[1:] if suffix[0] in ("of", "in", "at") else suffix
    if rest and is_place(rest):
        return True
    # a branch or campus named by its place: '... Sari Branch', '... Shenzhen Campus'
    for k in range(1, min(len(rest), 3)):
        if rest[k] in UNIT_WORDS and is_place(rest[:k]):
            return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ror", nargs="+", type=Path, default=DEFAULT_ROR)
    args = ap.parse_args()
    records = read_records(args.ror)
    family = families(records)
    exact: dict[str, set[str]] = collections.defaultdict(set)
    within: dict[str, set[str]] = collections.defaultdict(set)  # any accepted occurrence inside a longer name
    foreign: dict[str, set[str]] = collections.defaultdict(set)  # ... other than as the name of that name's unit
    acronyms: dict[str, set[str]] = collections.defaultdict(set)
    for k, r in records.items():
        fam = family[k]
        for n in r.get("names", []):
            value = n.get("value") or ""
            if "acronym" in n.get("types", []):
                acronyms[value.replace(".", "").replace(" ", "").upper()].add(fam)
                continue
            if not value or has_cjk(value):
                continue
            parsed = name_tokens(value)
            if parsed is None:
                continue
            tokens, content = parsed
            words = [tokens[i] for i in content]
            exact[" ".join(words)].add(fam)
            for i in range(len(content)):
                for j in range(i + 1, min(len(content), i + MAX_SPAN) + 1):
                    if i == 0 and j == len(content):
                        continue
                    prefix, suffix = list(tokens[:content[i]]), list(tokens[content[j - 1] + 1:])
                    if not (prefix_rule(prefix)[0] and suffix_rule(suffix)[0]):
                        continue
                    key = " ".join(words[i:j])
                    within[key].add(fam)
                    if not unit_of(suffix):
                        foreign[key].add(fam)
    out = REPO / "data/matching/name_stats.tsv.gz"
    rows = 0
    with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz, \
            io.TextIOWrapper(gz, encoding="utf-8") as f:
        f.write("# canonical name tokens\tfamilies bearing it as their name\tfamilies whose names "
                "it is in, as the matcher reads it\tother families whose names continue it into a name of their own "
                "(built by scripts/build_name_stats.py from ROR, CC0)\n")
        for key in sorted(set(exact) | set(within)):
            e = exact.get(key, set())
            seen_in = len(e | within.get(key, set()))
            other = len(foreign.get(key, set()) - e)
            if e or seen_in >= 2:
                f.write(f"{key}\t{len(e)}\t{seen_in}\t{other}\n")
                rows += 1
    with (REPO / "data/matching/registry_acronyms.txt").open("w", encoding="utf-8") as f:
        f.write("# acronyms of ROR organisations (CC0)<TAB>how many organisation families bear it "
                "(built by scripts/build_name_stats.py)\n")
        for key in sorted(acronyms):
            if key:
                f.write(f"{key}\t{len(acronyms[key])}\n")
    print(f"{len(records)} ROR records, {len(set(family.values()))} families, {rows} names -> {out} "
          f"({out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
