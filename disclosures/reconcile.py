"""Reconciling a disclosure with open-source evidence: what the evidence shows that the researcher did not
disclose, what the researcher disclosed that is on a list, and what the evidence cannot confirm.

Organisations are compared with the matcher, both ways: directly (a department matches its university) and
through the lists and the crosswalk (哈爾濱工業大學 disclosed is Harbin Institute of Technology observed, because
both resolve to the same listed organisation)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from highfence.disclosures.model import Disclosure, Item
from highfence.records import digest
from highfence.matching import ListedEntry, Match, Matcher

AFFILIATION_RELATIONS = ("affiliation", "employment")  # never 'coauthor_affiliation': co-authorship is no affiliation


@dataclass
class Observed:
    name: str
    relation: str
    source: str
    evidence_id: str | None
    year: int | None
    url: str | None
    ror: str | None = None


@dataclass
class _Group:
    name: str
    ror: str | None
    listed: list[Match]
    items: list[Observed] = field(default_factory=list)


def _listed(resolver: Matcher, name: str, ror: str | None) -> list[Match]:
    found = {(m.list_id, m.entry_id): m for m in resolver.match(name) if m.decision == "match"}
    for m in resolver.match_ror(ror):
        found.setdefault((m.list_id, m.entry_id), m)
    return sorted(found.values(), key=lambda m: (-m.score, m.list_id, m.entry_id))


def _disclosed_matcher(names: list[str]) -> Matcher:
    return Matcher([ListedEntry("disclosed", str(i), n) for i, n in enumerate(names)], use_crosswalk=False)


def _same(observed: str, ror: str | None, listed: list[Match], disclosed: Matcher,
          disclosed_listed: list[set[tuple[str, str]]]) -> set[int]:
    """Indexes of the disclosed items naming the observed organisation."""
    hits = {int(m.entry_id) for m in disclosed.match(observed) if m.decision == "match"}
    keys = {(m.list_id, m.entry_id) for m in listed}
    hits |= {i for i, k in enumerate(disclosed_listed) if k & keys}
    return hits


def _evidence(items: list[Observed]) -> list[dict]:
    seen, out = set(), []
    for o in sorted(items, key=lambda o: (o.year or 0, o.evidence_id or ""), reverse=True):
        key = (o.source, o.evidence_id)
        if key not in seen:
            seen.add(key)
            out.append({"source": o.source, "evidence_id": o.evidence_id, "year": o.year, "url": o.url,
                        "observed_name": o.name, "relation": o.relation})
    return out


def _confidence(items: list[Observed], listed: list[Match]) -> str:
    sources = {(o.source, o.evidence_id) for o in items}
    return "high" if len(sources) >= 2 or any(o.source == "orcid" for o in items) else "medium"


def _row(subject: str, relation: str, name: str, disclosure_id: str, explanation: str, evidence: list[dict],
         confidence: str, listed: list[Match] | None = None, ror: str | None = None, restricted: bool = False,
         evidence_id: str | None = None, year: int | None = None) -> dict:
    top = listed[0] if listed else None
    return {
        "finding_id": digest(subject, relation, name.casefold(), top.list_id if top else "", top.entry_id if top else ""),
        "subject_id": subject, "relation": relation, "observed_name": name, "observed_ror": ror,
        "evidence_id": evidence_id or ", ".join(str(e["evidence_id"]) for e in evidence[:5] if e["evidence_id"]),
        "evidence_year": year if year is not None else max((e["year"] for e in evidence if e.get("year")),
                                                           default=None),
        "list_id": top.list_id if top else None, "entry_id": top.entry_id if top else None,
        "entry_name": top.entry_name if top else None, "score": top.score if top else None,
        "decision": top.decision if top else None, "confidence": confidence, "explanation": explanation,
        "evidence": evidence, "disclosure_id": disclosure_id, "restricted": restricted,
    }


def reconcile(disclosure: Disclosure, disclosure_id: str, observed: list[Observed], resolver: Matcher,
              window: tuple[int, int]) -> list[dict]:
    subject = disclosure.researcher_id
    first, last = window
    out: list[dict] = []
    in_window = [o for o in observed if o.year is None or first <= o.year <= last]

    aff_items = disclosure.affiliations
    aff_matcher = _disclosed_matcher([i.get("organization") for i in aff_items])
    aff_listed = [{(m.list_id, m.entry_id) for m in _listed(resolver, i.get("organization"), None)} for i in aff_items]

    # what the evidence shows the researcher affiliated with, grouped by organisation
    groups: dict[str, _Group] = {}
    for o in in_window:
        if o.relation not in AFFILIATION_RELATIONS:
            continue
        listed = _listed(resolver, o.name, o.ror)
        if not (o.ror or o.source == "orcid" or listed):
            continue  # a bare raw string: its institution-level twin (with ROR id) speaks for it
        # one group per organisation: the listed entry it resolves to, else its ROR id, else its name
        key = (f"list:{listed[0].list_id}:{listed[0].entry_id}" if listed
               else f"ror:{o.ror}" if o.ror else f"name:{o.name.casefold()}")
        g = groups.setdefault(key, _Group(o.name, o.ror, listed))
        g.items.append(o)
        if listed and not g.listed:
            g.listed = listed
    matched_disclosed: set[int] = set()
    for g in groups.values():
        covered_years, unmatched = [], []
        for o in g.items:
            same = _same(o.name, o.ror, g.listed, aff_matcher, aff_listed)
            matched_disclosed |= same
            if same and (o.year is None or any(aff_items[i].covers_year(o.year) for i in same)):
                covered_years.append(o)
            else:
                unmatched.append((o, same))
        if not unmatched:
            continue
        ended = [aff_items[i] for _, same in unmatched for i in same]
        why = (f"disclosed, but the disclosed period ({ended[0].get('start', '?')}–{ended[0].get('end', 'now')}) "
               f"does not cover the years observed" if ended else "no disclosed affiliation names this organisation")
        listed_note = f"; the organisation is listed ({g.listed[0].list_id}: {g.listed[0].entry_name})" \
            if g.listed else ""
        evidence = _evidence([o for o, _ in unmatched])
        out.append(_row(subject, "undisclosed_affiliation", g.name, disclosure_id,
                        f"affiliated with '{g.name}' in {len(evidence)} source record(s) in {first}–{last}: {why}"
                        f"{listed_note}", evidence, _confidence([o for o, _ in unmatched], g.listed), g.listed, g.ror))

    # funders the researcher's works or ORCID acknowledge
    fund_items = disclosure.funding
    fund_matcher = _disclosed_matcher([i.get("funder") for i in fund_items])
    fund_listed = [{(m.list_id, m.entry_id) for m in _listed(resolver, i.get("funder"), None)} for i in fund_items]
    funders: dict[str, list[Observed]] = defaultdict(list)
    for o in in_window:
        if o.relation == "funder":
            funders[o.name.casefold()].append(o)
    matched_funds: set[int] = set()
    for items in funders.values():
        name = items[0].name
        listed = _listed(resolver, name, None)
        same = _same(name, None, listed, fund_matcher, fund_listed)
        matched_funds |= same
        if same:
            continue
        evidence = _evidence(items)
        listed_note = f"; the funder is listed ({listed[0].list_id}: {listed[0].entry_name})" if listed else ""
        out.append(_row(subject, "undisclosed_funding", name, disclosure_id,
                        f"'{name}' is acknowledged as a funder in {len(evidence)} record(s) in {first}–{last}; no "
                        f"disclosed fund names it{listed_note}", evidence, _confidence(items, listed), listed))

    # disclosed organisations that are on a list
    for section, key in (("affiliations", "organization"), ("funding", "funder"), ("in_kind", "provider"),
                         ("nda_collaborations", "partner")):
        for item in getattr(disclosure, section):
            listed = _listed(resolver, item.get(key), None)
            if listed:
                restricted = section == "nda_collaborations"
                out.append(_row(subject, "listed_entity_involvement", item.get(key), disclosure_id,
                                f"disclosed {section.replace('_', ' ')} '{item.get(key)}' is listed: "
                                f"{listed[0].explanation}", [{"source": "disclosure", "evidence_id": section,
                                                               "year": None, "url": None,
                                                               "observed_name": item.get(key)}],
                                "high", listed, restricted=restricted, evidence_id=f"disclosure:{section}"))

    # disclosed items the open sources do not show (informational)
    def in_scope(item: Item) -> bool:
        start, end = item.period()
        return (end is None or end.year >= first) and (start is None or start.year <= last)

    for i, item in enumerate(aff_items):
        if i not in matched_disclosed and in_scope(item):
            out.append(_row(subject, "unverified_disclosure", item.get("organization"), disclosure_id,
                            "disclosed affiliation not found in the open sources collected (informational)",
                            [], "low", evidence_id="disclosure:affiliations"))
    for i, item in enumerate(fund_items):
        if i not in matched_funds and item.get("status") == "received" and in_scope(item):
            out.append(_row(subject, "unverified_disclosure", item.get("funder"), disclosure_id,
                            "disclosed fund not acknowledged in the works collected (informational)",
                            [], "low", evidence_id="disclosure:funding"))
    return out
