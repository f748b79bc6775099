"""The ROR family of an organisation: itself, its units at any depth, and the organisations it continues or that
continue it. The matcher gives a listed organisation the names of its family, so a string naming only a unit
('an institute of the listed academy') or a predecessor still finds the listed entry.

Read from ROR v2 records (``relationships[].type`` parent/child/related/predecessor/successor). An edge is taken
from either side, since a subset of the dump may hold one end's record only; a member known only through a
relationship of a record at hand gets the relationship's label as its one name."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Iterable, Mapping

MAX_DESCENDANT_DEPTH = 6  # ROR hierarchies are 2-3 deep; the bound only guards against a malformed cycle-free chain
MAX_HISTORY_DEPTH = 3  # predecessors of predecessors: renames and mergers a few steps back
RELATIONS = ("self", "descendant", "predecessor", "successor")


@dataclass(frozen=True)
class FamilyName:
    value: str
    lang: str | None
    types: tuple[str, ...]  # label, alias, acronym, ror_display

    @property
    def is_acronym(self) -> bool:
        return "acronym" in self.types


@dataclass(frozen=True)
class FamilyMember:
    root: str  # the crosswalked ROR id this member is family of
    ror_id: str
    relation: str  # self | descendant | predecessor | successor
    depth: int  # 0 for self; generations below the root, or steps back/forward in history
    path: tuple[str, ...]  # ROR ids from the root to this member, both included
    names: tuple[FamilyName, ...]
    status: str  # active | inactive | withdrawn | unknown (known only through another record's relationship)
    countries: tuple[str, ...]
    cities: tuple[str, ...]
    parents: tuple[str, ...] = ()  # the member's own ROR parents: a unit shared with another organisation has several

    def to_json(self) -> dict:
        return {"root": self.root, "ror_id": self.ror_id, "relation": self.relation, "depth": self.depth,
                "path": list(self.path), "status": self.status, "countries": list(self.countries),
                "cities": list(self.cities), "parents": list(self.parents),
                "names": [{"value": n.value, "lang": n.lang, "types": list(n.types)} for n in self.names]}

    @classmethod
    def from_json(cls, d: Mapping) -> "FamilyMember":
        return cls(d["root"], d["ror_id"], d["relation"], int(d["depth"]), tuple(d["path"]),
                   tuple(FamilyName(n["value"], n.get("lang"), tuple(n.get("types") or ())) for n in d["names"]),
                   d.get("status") or "unknown", tuple(d.get("countries") or ()), tuple(d.get("cities") or ()),
                   tuple(d.get("parents") or ()))


_INVERSE = {"parent": "child", "child": "parent", "predecessor": "successor", "successor": "predecessor"}


def _edges(records: Mapping[str, dict]) -> tuple[dict[str, dict[str, set[str]]], dict[str, str]]:
    """{type: {from: {to}}} over both directions of every relationship, and the labels relationships give ids."""
    edges: dict[str, dict[str, set[str]]] = {t: defaultdict(set) for t in _INVERSE}
    labels: dict[str, str] = {}
    for rid, rec in records.items():
        for rel in rec.get("relationships") or ():
            kind, other = rel.get("type"), rel.get("id")
            if kind not in _INVERSE or not other or other == rid:
                continue
            edges[kind][rid].add(other)
            edges[_INVERSE[kind]][other].add(rid)
            if rel.get("label"):
                labels.setdefault(other, rel["label"])
    return edges, labels


def _member(root: str, rid: str, relation: str, path: tuple[str, ...], records: Mapping[str, dict],
            labels: Mapping[str, str], parents: Mapping[str, set[str]]) -> FamilyMember | None:
    rec = records.get(rid)
    ups = tuple(sorted(parents.get(rid, ())))
    if rec is None:
        if rid not in labels:
            return None
        return FamilyMember(root, rid, relation, len(path) - 1, path, (FamilyName(labels[rid], None, ("label",)),),
                            "unknown", (), (), ups)
    names = tuple(FamilyName(n["value"], n.get("lang"), tuple(n.get("types") or ()))
                  for n in rec.get("names") or () if n.get("value"))
    geo = [loc.get("geonames_details") or {} for loc in rec.get("locations") or ()]
    return FamilyMember(root, rid, relation, len(path) - 1, path, names, rec.get("status") or "active",
                        tuple(sorted({g["country_code"] for g in geo if g.get("country_code")})),
                        tuple(sorted({g["name"] for g in geo if g.get("name")})), ups)


def _walk(root: str, step: Mapping[str, set[str]], max_depth: int) -> list[tuple[str, ...]]:
    """Paths from ``root`` along ``step``, breadth first: each id once, by its shortest (then smallest) path."""
    seen, out = {root}, []
    queue = deque([(root,)])
    while queue:
        path = queue.popleft()
        if len(path) > max_depth:
            continue
        for nxt in sorted(step.get(path[-1], ())):
            if nxt not in seen:
                seen.add(nxt)
                out.append(path + (nxt,))
                queue.append(path + (nxt,))
    return out


def family(records: Mapping[str, dict], roots: Iterable[str], *, max_depth: int = MAX_DESCENDANT_DEPTH,
           history_depth: int = MAX_HISTORY_DEPTH) -> list[FamilyMember]:
    """Every root's family, sorted by root, relation, depth and id: the root itself (when its record is at hand),
    its descendants, its predecessors and its successors."""
    edges, labels = _edges(records)
    out: list[FamilyMember] = []
    for root in sorted(set(roots)):
        found = []
        me = _member(root, root, "self", (root,), records, {}, edges["parent"]) if root in records else None
        if me:
            found.append(me)
        for relation, kind, depth in (("descendant", "child", max_depth), ("predecessor", "predecessor", history_depth),
                                      ("successor", "successor", history_depth)):
            for path in _walk(root, edges[kind], depth):
                m = _member(root, path[-1], relation, path, records, labels, edges["parent"])
                if m:
                    found.append(m)
        out += sorted(found, key=lambda m: (RELATIONS.index(m.relation), m.depth, m.ror_id))
    return out


def by_root(members: Iterable[FamilyMember]) -> dict[str, list[FamilyMember]]:
    out: dict[str, list[FamilyMember]] = defaultdict(list)
    for m in members:
        out[m.root].append(m)
    return dict(out)
