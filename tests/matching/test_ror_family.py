"""The ROR family (units at any depth, predecessors, successors) of crosswalked organisations, on small fictional
ROR v2 records: what it holds, which of its names the listed entry takes, and 'highfence ror load' recomputing it."""

import json

import pytest

from highfence.cli import main
from highfence.matching import ListedEntry, Matcher
from highfence.matching import index as index_module
from highfence.matching import resources
from highfence.matching.resources import CrosswalkRow
from highfence.matching.ror_family import FamilyMember, family


def ror(suffix: str) -> str:
    return f"https://ror.org/0zz{suffix}"


def record(suffix, names, rels=(), status="active", city="Dravensk", country="RU", acronyms=()):
    out = [{"value": n, "types": ["label", "ror_display"] if k == 0 else ["alias"], "lang": "en"}
           for k, n in enumerate(names)]
    out += [{"value": a, "types": ["acronym"], "lang": None} for a in acronyms]
    return {"id": ror(suffix), "names": out, "status": status, "types": ["facility"],
            "relationships": [{"type": t, "id": ror(o), "label": label} for t, o, label in rels],
            "locations": [{"geonames_id": 1, "geonames_details": {"name": city, "country_code": country}}]}


# Ostrovia National Research Centre (listed, the same as 0zzroot1) and its family. The grandchild is known from its
# own record only (its parent does not list it), the shared centre also has a parent outside the family.
RECORDS = {r["id"]: r for r in [
    record("root1", ["Ostrovia National Research Centre", "Островский национальный исследовательский центр"],
           [("child", "kid01", "Dravensk Institute for High Energy Studies"),
            ("child", "gen01", "Institute of Applied Physics"),
            ("child", "shr01", "Brannock Collaborative Centre for Plasma Studies"),
            ("child", "lbl01", "Pelvarin Observatory of Deep Space Radio Astronomy"),
            ("predecessor", "old01", "Zoltrin Institute of Atomic Energy")]),
    record("kid01", ["Dravensk Institute for High Energy Studies",
                     "Дравенский институт физики высоких энергий"],
           [("parent", "root1", "Ostrovia National Research Centre")], acronyms=("DIHES",)),
    record("gkid1", ["Kelmarsh Laboratory of Cryogenic Magnet Engineering"],
           [("parent", "kid01", "Dravensk Institute for High Energy Studies")]),
    record("gen01", ["Institute of Applied Physics", "Институт прикладной физики", "应用物理研究所"],
           [("parent", "root1", "Ostrovia National Research Centre")]),
    record("shr01", ["Brannock Collaborative Centre for Plasma Studies"],
           [("parent", "root1", "Ostrovia National Research Centre"), ("parent", "othr1", "Some Other University")]),
    record("old01", ["Zoltrin Institute of Atomic Energy"],
           [("successor", "root1", "Ostrovia National Research Centre")], status="inactive"),
    # Grenmark State Corporation: the listed Vostrel Design Bureau is one of its units
    record("corp1", ["Grenmark State Corporation"],
           [("child", "corpk", "Ulvaring Research Institute of Marine Engines")]),
    record("corpk", ["Ulvaring Research Institute of Marine Engines"],
           [("parent", "corp1", "Grenmark State Corporation")]),
    # a closed school continued by a renamed university; an active institute that some other body continues too
    record("root2", ["Kastrel Higher School of Aviation"], [("successor", "new02", "Kastrel Aviation University")],
           status="inactive"),
    record("new02", ["Kastrel Aviation University"], [("predecessor", "root2", "Kastrel Higher School of Aviation")]),
    record("root3", ["Varnholm Research Institute of Optics"],
           [("successor", "new03", "Varnholm Optical Technology Park")]),
    record("new03", ["Varnholm Optical Technology Park"]),
]}

CROSSWALK = (
    CrosswalkRow("Ostrovia National Research Centre", "RU", ror("root1"), "same", "fictional"),
    CrosswalkRow("Vostrel Design Bureau", "RU", ror("corp1"), "listed_is_sub_unit", "fictional"),
    CrosswalkRow("Kastrel Higher School of Aviation", "RU", ror("root2"), "same", "fictional"),
    CrosswalkRow("Varnholm Research Institute of Optics", "RU", ror("root3"), "same", "fictional"),
)
ENTRIES = [ListedEntry("custom:test", "1", "Ostrovia National Research Centre", (), ("RU",)),
           ListedEntry("custom:test", "2", "Vostrel Design Bureau", (), ("RU",)),
           ListedEntry("custom:test", "3", "Kastrel Higher School of Aviation", (), ("RU",)),
           ListedEntry("custom:test", "4", "Varnholm Research Institute of Optics", (), ("RU",))]


@pytest.fixture
def fictional_crosswalk(monkeypatch):
    """The fictional crosswalk in place of the shipped one, and no shipped family or ROR records for its ids."""
    from highfence.flows import active_lists

    monkeypatch.setattr(index_module, "crosswalk", lambda: CROSSWALK)
    monkeypatch.setattr(resources, "crosswalk", lambda: CROSSWALK)
    monkeypatch.setattr(active_lists, "crosswalk", lambda: CROSSWALK)
    monkeypatch.setattr(resources, "ror_family", lambda: {})


def matched(matcher: Matcher, text: str) -> set[str]:
    return {m.entry_id for m in matcher.match(text) if m.decision == "match"}


# --- the family -----------------------------------------------------------------------------------------------

def test_family_holds_descendants_at_any_depth_with_their_path():
    members = {m.ror_id: m for m in family(RECORDS, [ror("root1")])}
    assert members[ror("root1")].relation == "self"
    kid, grandkid = members[ror("kid01")], members[ror("gkid1")]
    assert (kid.relation, kid.depth, kid.path) == ("descendant", 1, (ror("root1"), ror("kid01")))
    # reached through the grandchild's own parent relationship: its parent's record does not list it
    assert (grandkid.relation, grandkid.depth) == ("descendant", 2)
    assert grandkid.path == (ror("root1"), ror("kid01"), ror("gkid1"))
    assert grandkid.cities == ("Dravensk",) and grandkid.countries == ("RU",)
    assert {n.value for n in kid.names if n.is_acronym} == {"DIHES"}
    assert members[ror("old01")].relation == "predecessor" and members[ror("old01")].status == "inactive"
    assert members[ror("shr01")].parents == (ror("othr1"), ror("root1"))


def test_member_known_only_through_a_relationship_keeps_its_label():
    label_only = {m.ror_id: m for m in family(RECORDS, [ror("root1")])}[ror("lbl01")]
    assert label_only.status == "unknown"
    assert [n.value for n in label_only.names] == ["Pelvarin Observatory of Deep Space Radio Astronomy"]


def test_family_is_sorted_bounded_and_survives_cycles():
    looped = dict(RECORDS)
    looped[ror("gkid1")] = record("gkid1", ["Kelmarsh Laboratory of Cryogenic Magnet Engineering"],
                                  [("parent", "kid01", ""), ("child", "root1", "")])  # a malformed cycle
    members = family(looped, [ror("root1"), ror("corp1")])
    assert members == family(dict(reversed(list(looped.items()))), [ror("corp1"), ror("root1")])
    assert [m.root for m in members] == sorted(m.root for m in members)
    assert sum(1 for m in members if m.ror_id == ror("root1")) == 1  # the cycle does not bring the root back
    assert ror("gkid1") not in {m.ror_id for m in family(looped, [ror("root1")], max_depth=1)}
    assert all(FamilyMember.from_json(m.to_json()) == m for m in members)


def test_shipped_family_covers_crosswalked_organisations_only():
    shipped = resources.ror_family()
    roots = {row.ror_id for row in resources.crosswalk()}
    assert shipped and set(shipped) <= roots
    for root, members in shipped.items():
        assert all(m.root == root for m in members)
        assert all(m.path[0] == root and m.path[-1] == m.ror_id for m in members)


# --- what the listed entry takes ------------------------------------------------------------------------------

@pytest.fixture
def matcher(fictional_crosswalk):
    return Matcher(ENTRIES, ror_records={r: {**RECORDS[r], "family": [m.to_json() for m in fam]}
                                         for r, fam in _families().items()})


def _families():
    from highfence.matching.ror_family import by_root

    return by_root(family(RECORDS, [row.ror_id for row in CROSSWALK]))


def test_unit_names_at_depth_one_and_two_match_the_listed_organisation(matcher):
    assert matched(matcher, "Dravensk Institute for High Energy Studies, Dravensk, Russia") == {"1"}
    assert matched(matcher, "Kelmarsh Laboratory of Cryogenic Magnet Engineering, Russia") == {"1"}
    assert matched(matcher, "Дравенский институт физики высоких энергий") == {"1"}
    explanation = next(m.explanation for m in matcher.match("Kelmarsh Laboratory of Cryogenic Magnet Engineering"))
    assert "ror sub-unit (0zzgkid1) of (0zzroot1)" in explanation


def test_predecessor_name_matches_its_successor(matcher):
    found = matcher.match("Zoltrin Institute of Atomic Energy, Dravensk")
    assert {m.entry_id for m in found if m.decision == "match"} == {"1"}
    assert "ror former name (0zzold01)" in found[0].explanation


def test_a_closed_organisation_is_found_by_its_successor_an_active_one_is_not(matcher):
    assert matched(matcher, "Kastrel Aviation University, Russia") == {"3"}
    assert matched(matcher, "Varnholm Optical Technology Park, Russia") == set()
    assert matched(matcher, "Varnholm Research Institute of Optics, Russia") == {"4"}


def test_unit_acronym_common_name_and_shared_unit_do_not_fire(matcher):
    assert matched(matcher, "DIHES, Dravensk, Russia") == set()
    assert matched(matcher, "Institute of Applied Physics, Moscow, Russia") == set()
    # the same common name in another script is as common, whatever the word statistics say
    assert matched(matcher, "Институт прикладной физики, Москва") == set()
    assert matched(matcher, "应用物理研究所") == set()
    assert matched(matcher, "Brannock Collaborative Centre for Plasma Studies") == set()


def test_parent_of_a_listed_unit_and_its_other_units_do_not_match_it(matcher):
    assert matched(matcher, "Grenmark State Corporation, Russia") == set()
    assert matched(matcher, "Ulvaring Research Institute of Marine Engines, Russia") == set()
    assert matched(matcher, "Vostrel Design Bureau, Russia") == {"2"}


def test_without_the_family_the_unit_is_unknown(fictional_crosswalk):
    bare = Matcher(ENTRIES, ror_records={r: RECORDS[r] for r in (ror("root1"), ror("corp1"))})
    assert matched(bare, "Kelmarsh Laboratory of Cryogenic Magnet Engineering, Russia") == set()


# --- highfence ror load ---------------------------------------------------------------------------------------

def test_ror_load_recomputes_the_family_from_the_whole_store(fictional_crosswalk, tmp_path, capsys):
    from highfence import store
    from highfence.flows.active_lists import crosswalk_ror_records

    db = tmp_path / "hf.duckdb"
    first = tmp_path / "part1.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for k, r in RECORDS.items() if k != ror("gkid1")), encoding="utf-8")
    assert main(["--db", str(db), "ror", "load", str(first)]) == 0
    assert "ROR family of 4 of 4 crosswalked organisations" in capsys.readouterr().out
    with store.reader(db) as con:
        m = Matcher(ENTRIES, ror_records=crosswalk_ror_records(con))
    assert matched(m, "Dravensk Institute for High Energy Studies, Russia") == {"1"}
    assert matched(m, "Kelmarsh Laboratory of Cryogenic Magnet Engineering, Russia") == set()

    # a second part of the dump: the grandchild names its parent only, and the family is recomputed from both parts
    second = tmp_path / "part2.jsonl"
    second.write_text(json.dumps(RECORDS[ror("gkid1")]) + "\n", encoding="utf-8")
    assert main(["--db", str(db), "ror", "load", str(second)]) == 0
    with store.reader(db) as con:
        records = crosswalk_ror_records(con)
        m = Matcher(ENTRIES, ror_records=records)
    assert matched(m, "Kelmarsh Laboratory of Cryogenic Magnet Engineering, Russia") == {"1"}
    grandkid = next(x for x in records[ror("root1")]["family"] if x["ror_id"] == ror("gkid1"))
    assert grandkid["depth"] == 2 and grandkid["cities"] == ["Dravensk"]


def test_a_family_members_ror_id_links_exactly(matcher):
    """An observation that carries only a unit's or a predecessor's ROR id (OpenAlex) links to the listed entry;
    a parent of a listed unit and an outside organisation's jointly run unit do not."""
    unit = matcher.match_ror(ror("gkid1"))
    assert [(m.entry_id, m.decision) for m in unit] == [("1", "match")] and "unit" in unit[0].explanation
    assert [m.entry_id for m in matcher.match_ror(ror("old01"))] == ["1"]
    assert matcher.match_ror(ror("corp1")) == []  # the listed entry is part of it, not the other way round
    assert matcher.match_ror(ror("shr01")) == []
