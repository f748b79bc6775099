"""Rebuild the matcher's shipped reference data from public sources in ../shared (run by hand).

- data/matching/token_countries.tsv: for each canonical token, in how many countries' ROR (CC0) organisation names it
  occurs: words such as 'institute', 'applied', 'naval' occur everywhere and cannot identify an organisation alone.
- data/matching/places.tsv: place names (GeoNames cities and subdivisions as ROR records them) and their countries,
  so a string's country can be read from its city.
- data/matching/cjk_names.tsv: Chinese/Japanese organisation names, folded to one script, and the countries of the
  organisations that bear them: 東北大学 is Tohoku University (JP) as well as 东北大学, Northeastern University (CN).
- data/crosswalk/crosswalk.csv: the reviewed list-entry -> ROR crosswalk, keyed by the entry's name and country so
  it applies to every list that names the organisation the same way.
- data/crosswalk/ror_orgs.jsonl: the ROR records (names, acronyms, labels, parents) of the crosswalked organisations.

Their ROR families (units, predecessors, successors) are data/crosswalk/ror_family.jsonl, built next by
scripts/build_ror_family.py from this crosswalk.
"""

from __future__ import annotations

import collections
import csv
import gzip
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from highfence.matching.normalize import fold  # noqa: E402
from highfence.matching.vocab import canon  # noqa: E402

SHARED = REPO.parent / "shared"
ROR_FILES = [SHARED / "fixtures/ror/ror_v2_records_latest_35990.jsonl.gz",
             SHARED / "fixtures/ror/ror_v2_records_CN_HK_MO_TW.jsonl"]


def ror_records():
    for path in ROR_FILES:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def main() -> None:
    out_m = REPO / "data/matching"
    out_c = REPO / "data/crosswalk"
    out_m.mkdir(parents=True, exist_ok=True)
    out_c.mkdir(parents=True, exist_ok=True)

    from highfence.matching.cjk import has_cjk, simplify, strip_legal_form

    countries_of = collections.defaultdict(set)
    cjk_names = collections.defaultdict(set)
    places = collections.defaultdict(set)
    records = {}
    for r in ror_records():
        records[r["id"]] = r
    for r in records.values():
        cc = {loc["geonames_details"]["country_code"] for loc in r.get("locations", [])}
        for loc in r.get("locations", []):
            g = loc["geonames_details"]
            for place in (g.get("name"), g.get("country_subdivision_name")):
                key = fold(place)
                if key and not any(ch.isdigit() for ch in key):
                    places[key].add(g["country_code"])
        for name in r["names"]:
            if has_cjk(name["value"]):
                key = strip_legal_form("".join(simplify(name["value"]).split()))
                if len(key) >= 4:
                    cjk_names[key] |= cc
            for token in fold(name["value"]).split():
                for c in cc:
                    countries_of[canon(token)].add(c)
    generic = sorted((t, len(cc)) for t, cc in countries_of.items() if len(cc) >= 1 and not t.isdigit())
    (out_m / "token_countries.tsv").write_text(
        "# canonical token<TAB>number of countries whose ROR organisation names use it (built by "
        "scripts/build_matching_data.py)\n" + "".join(f"{t}\t{n}\n" for t, n in generic), encoding="utf-8")
    with (out_m / "places.tsv").open("w", encoding="utf-8") as f:
        f.write("# place\tcountries (GeoNames names as recorded in ROR, CC0; built by scripts/build_matching_data.py)\n")
        for key in sorted(places):
            f.write(f"{key}\t{','.join(sorted(places[key]))}\n")

    with (out_m / "cjk_names.tsv").open("w", encoding="utf-8") as f:
        f.write("# CJK organisation name (folded to simplified)\tcountries of the ROR organisations bearing it "
                "(built by scripts/build_matching_data.py)\n")
        for key in sorted(cjk_names):
            f.write(f"{key}\t{','.join(sorted(cjk_names[key]))}\n")

    lists = {}
    for path in sorted((SHARED / "eval/lists").glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                lists[row["entry_id"]] = row
    rows, wanted = [], set()
    with (SHARED / "eval/crosswalk.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            entry = lists.get(row["entity_id"])
            if entry is None:
                continue
            rows.append({"entry_name": entry["name"], "country": entry["country"], "ror_id": row["ror_id"],
                         "relation": row["relation"], "note": row["note"]})
            wanted.add(row["ror_id"])
    seen, unique = set(), []
    for row in rows:
        key = (fold(row["entry_name"]), row["country"], row["ror_id"], row["relation"])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    with (out_c / "crosswalk.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["entry_name", "country", "ror_id", "relation", "note"])
        w.writeheader()
        w.writerows(sorted(unique, key=lambda r: (r["entry_name"], r["ror_id"])))
    missing = 0
    with (out_c / "ror_orgs.jsonl").open("w", encoding="utf-8") as f:
        for ror_id in sorted(wanted):
            r = records.get(ror_id)
            if r is None:
                missing += 1
                continue
            keep = {k: r[k] for k in ("id", "names", "relationships", "status", "types") if k in r}
            keep["country"] = sorted({loc["geonames_details"]["country_code"] for loc in r.get("locations", [])})
            keep["relationships"] = [x for x in r.get("relationships", []) if x.get("type") in ("parent", "child")]
            f.write(json.dumps(keep, ensure_ascii=False) + "\n")
    print(f"tokens {len(generic)}, places {len(places)}, crosswalk rows {len(unique)}, "
          f"ROR orgs {len(wanted) - missing} ({missing} not in the ROR subset)")


if __name__ == "__main__":
    main()
