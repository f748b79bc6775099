"""Rebuild data/crosswalk/ror_family.jsonl from the ROR (v2, CC0) fixtures in ../shared/fixtures/ror (run by hand,
after scripts/build_matching_data.py has written the crosswalk).

For every ROR organisation the reviewed crosswalk names (any relation), one line per family member: the
organisation itself, its descendants at any depth, its predecessors and successors (matching/ror_family.py), with
names (value, lang, types), status, countries, cities, and how it relates to the crosswalked organisation. Only
those records, only those fields: the file stays small. Sorted, so a rebuild from the same inputs is byte-identical.

A full ROR dump loaded with ``highfence ror load`` recomputes the same family from the whole dump into the store.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from highfence.connectors.ror import read_dump  # noqa: E402
from highfence.matching.ror_family import family  # noqa: E402

FIXTURES = REPO.parent / "shared" / "fixtures" / "ror"
JSONL = ["ror_v2_records_latest_35990.jsonl.gz", "ror_v2_records_CN_HK_MO_TW.jsonl"]
SEARCH = "ror_api_test_data_search_es7_v2.json"  # an Elasticsearch answer: records under hits.hits[]._source


def read_records() -> dict[str, dict]:
    records: dict[str, dict] = {}
    with (FIXTURES / SEARCH).open(encoding="utf-8") as f:
        for hit in json.load(f)["hits"]["hits"]:
            records[hit["_source"]["id"]] = hit["_source"]
    for name in JSONL:  # the dumps are newer than the search sample and win
        records.update((rec["id"], rec) for rec in read_dump(FIXTURES / name))
    return records


def main() -> None:
    with (REPO / "data/crosswalk/crosswalk.csv").open(encoding="utf-8") as f:
        roots = sorted({row["ror_id"] for row in csv.DictReader(f)})
    members = family(read_records(), roots)
    out = REPO / "data/crosswalk/ror_family.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for m in members:
            f.write(json.dumps(m.to_json(), ensure_ascii=False, sort_keys=True) + "\n")
    counts: dict[str, int] = {}
    for m in members:
        counts[m.relation] = counts.get(m.relation, 0) + 1
    print(f"{len(roots)} crosswalked organisations, {len({m.root for m in members})} with a family in the "
          f"fixtures; members: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}; wrote {out}")


if __name__ == "__main__":
    main()
