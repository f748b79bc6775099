"""Answers the stored evidence can give, each with the evidence behind it. Pure: the facts come in, answers go out.
An item whose evidence is incomplete is left for the analyst rather than guessed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PartnershipFacts:
    partners: list[dict]  # [{name, ror_id, subject_id, ror_record|None, findings: [...]}]
    researchers: list[dict]  # [{subject_id, name, disclosed: bool, undisclosed: [...], listed_affiliations: [...]}]


@dataclass
class Prefill:
    value: str
    note: str
    evidence: list[dict] = field(default_factory=list)


def _partner_identity(f: PartnershipFacts) -> Prefill | None:
    evidence, ok = [], True
    for p in f.partners:
        rec = p.get("ror_record")
        if not rec:
            ok = False
            continue
        evidence.append({"partner": p["name"], "ror_id": rec["ror_id"], "ror_name": rec["name"],
                         "country": rec.get("country"), "parents": rec.get("parents") or []})
    if not f.partners or not ok:
        return None
    return Prefill("yes", "identified in ROR" + "".join(
        f"; {e['ror_name']} ({e['ror_id']}), parent(s): {', '.join(e['parents']) or 'none'}" for e in evidence), evidence)


def _partner_not_listed(f: PartnershipFacts) -> Prefill | None:
    if not f.partners:
        return None
    hits = [{"partner": p["name"], "list_id": x["list_id"], "entry_name": x["entry_name"],
             "finding_id": x["finding_id"]} for p in f.partners for x in p.get("findings") or []]
    if hits:
        return Prefill("no", "listed: " + "; ".join(sorted({f"{h['entry_name']} ({h['list_id']})" for h in hits})),
                       hits)
    if any(p.get("subject_id") is None for p in f.partners):
        return None  # a partner never screened: nothing to say
    return Prefill("yes", "screened against the active lists, no match", [{"partner": p["name"]} for p in f.partners])


def _researchers_disclosed(f: PartnershipFacts) -> Prefill | None:
    if not f.researchers:
        return None
    missing = [r["subject_id"] for r in f.researchers if not r["disclosed"]]
    evidence = [{"subject_id": r["subject_id"], "disclosed": r["disclosed"]} for r in f.researchers]
    if missing:
        return Prefill("no", f"no disclosure on file for {', '.join(missing)}", evidence)
    return Prefill("yes", "a current disclosure is on file for every participating researcher", evidence)


def _researchers_reconciled(f: PartnershipFacts) -> Prefill | None:
    if not f.researchers or not all(r["disclosed"] for r in f.researchers):
        return None
    issues = [{"subject_id": r["subject_id"], **u} for r in f.researchers for u in r["undisclosed"]]
    if issues:
        return Prefill("no", "; ".join(f"{i['subject_id']}: {i['relation']} {i['observed_name']}" for i in issues),
                       issues)
    return Prefill("yes", "every disclosure reconciles with the open sources collected",
                   [{"subject_id": r["subject_id"]} for r in f.researchers])


def _members_not_listed(f: PartnershipFacts) -> Prefill | None:
    if not f.researchers:
        return None
    hits = [{"subject_id": r["subject_id"], **h} for r in f.researchers for h in r["listed_affiliations"]]
    if hits:
        return Prefill("no", "; ".join(f"{h['subject_id']}: {h['entry_name']} ({h['list_id']}, {h['year']})"
                                       for h in hits), hits)
    return Prefill("yes", "no participating researcher's own affiliation matches a list entry",
                   [{"subject_id": r["subject_id"]} for r in f.researchers])


RULES = {"partner_identity": _partner_identity, "partner_not_listed": _partner_not_listed,
         "researchers_disclosed": _researchers_disclosed, "researchers_reconciled": _researchers_reconciled,
         "members_not_listed": _members_not_listed}


def prefill(items: list[dict], facts: PartnershipFacts) -> dict[str, Prefill]:
    out = {}
    for item in items:
        rule = RULES.get(item.get("prefill") or "")
        answer = rule(facts) if rule else None
        if answer:
            out[item["id"]] = answer
    return out
