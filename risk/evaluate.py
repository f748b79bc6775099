"""Evaluating a rule pack, as of a date, over a subject's facts: findings (with their status, list entry and
evidence year), disclosed positions, and the technology areas of the research. Pure: no I/O, and no input about
who the person is: a Fact has no field for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from highfence.risk.areas import AreaHit
from highfence.risk.coverage import CANNOT_ASSESS, Coverage, reason_text
from highfence.risk.packs import Pack

COUNTED = ("open", "confirmed", "escalated")  # dismissed, delisted and superseded findings count for nothing


@dataclass(frozen=True)
class Fact:
    finding_id: str
    relation: str
    list_id: str | None
    entry_id: str | None
    programs: tuple[str, ...] = ()
    evidence_id: str | None = None
    year: int | None = None  # the evidence's year
    listed_on: dt.date | None = None
    status: str = "open"
    decision: str = "match"


@dataclass(frozen=True)
class Notice:
    """A retraction or expression of concern on one of the subject's works, dated by the notice."""

    update_type: str
    work_doi: str
    notice_doi: str | None
    notice_date: dt.date | None


@dataclass(frozen=True)
class Position:
    """A disclosed affiliation (kind: employment, concurrent, talent_programme, ...) with its period."""

    kind: str
    organization: str
    start_year: int | None
    end_year: int | None


@dataclass
class Assessment:
    subject_id: str
    pack: str
    pack_version: str
    as_of: dt.date
    outcome: str
    triggers: list[dict] = field(default_factory=list)
    mitigations: dict = field(default_factory=dict)
    areas: list[dict] = field(default_factory=list)
    coverage: dict | None = None  # Coverage.to_json(); None: not recorded (before coverage was)

    def to_json(self) -> dict:
        return {"subject_id": self.subject_id, "pack": self.pack, "pack_version": self.pack_version,
                "as_of": self.as_of.isoformat(), "outcome": self.outcome, "triggers": self.triggers,
                "mitigations": self.mitigations, "areas": self.areas, "coverage": self.coverage}


def _in_time(year: int | None, cond: dict, pack: Pack, as_of: dt.date, listed_on: dt.date | None) -> bool:
    if not cond or cond.get("any"):
        ok = True
    elif cond.get("current"):
        span = int(pack.parameter(pack.doc.get("parameters", {}).get("current_years", 1)))
        ok = year is not None and as_of.year - span <= year <= as_of.year
    elif "within_years" in cond:
        span = int(pack.parameter(cond["within_years"]))
        ok = year is not None and as_of.year - span <= year <= as_of.year
    else:
        ok = True
    if ok and cond.get("after_listing") and listed_on is not None:
        ok = year is not None and year >= listed_on.year
    return ok


def _list_ok(fact: Fact, lists) -> bool:
    if lists in (None, "any"):
        return lists is None or fact.list_id is not None
    for spec in lists:
        list_id, _, program = spec.partition(":")
        if fact.list_id == list_id and (not program or program in fact.programs):
            return True
    return False


def evaluate(pack: Pack, subject_id: str, as_of: dt.date, facts: list[Fact], positions: list[Position] = (),
             areas: list[AreaHit] = (), coverage: Coverage | None = None, notices: list[Notice] = ()) -> Assessment:
    """With ``coverage``, a needed list that was not checked makes the outcome ``cannot_assess``; the factors found on
    the lists that were checked stay as triggers, as what is known so far. ``notices`` count only for a factor that
    names them (``when.integrity``), within its evidence window."""
    result = _evaluate(pack, subject_id, as_of, facts, positions, areas, notices)
    if coverage is None:
        return result
    result.coverage = coverage.to_json()
    if not coverage.complete:
        result.outcome = CANNOT_ASSESS
        result.mitigations = {
            "en": "Cannot assess: a list this pack needs was not checked: "
                  f"{reason_text(coverage.not_checked, 'en')}. Load or refresh it and assess again.",
            "ja": "判断できません。このルールに必要な名簿を確認できていません："
                  f"{reason_text(coverage.not_checked, 'ja')}。名簿を読み込むか更新してから、再度評価してください。"}
    return result


def _evaluate(pack: Pack, subject_id: str, as_of: dt.date, facts: list[Fact], positions: list[Position],
              areas: list[AreaHit], notices: list[Notice] = ()) -> Assessment:
    if as_of < pack.effective_from:
        note = f"as of {as_of} the pack version {pack.version} was not yet in effect (from {pack.effective_from})"
        return Assessment(subject_id, pack.id, pack.version, as_of, pack.doc["default_outcome"],
                          [{"factor": "not_in_effect", "title": note, "evidence": []}])
    triggers = []
    for factor in pack.doc["factors"]:
        when = factor.get("when") or {}
        area_cond = when.get("areas")
        area_evidence = []
        if area_cond:
            wanted = set(area_cond.get("ids") or [])
            matching = [a for a in areas if a.framework == area_cond["framework"] and (not wanted or a.area in wanted)]
            if not matching:
                continue
            area_evidence = [{"area": a.area, "name": a.name, "works": a.works, "terms": a.terms,
                              "confidence": a.confidence} for a in matching]
        evidence = []
        if when.get("disclosure_kinds"):
            for p in positions:
                year = p.end_year or as_of.year
                if p.kind in when["disclosure_kinds"] and _in_time(year, when.get("evidence"), pack, as_of, None):
                    evidence.append({"disclosure": p.kind, "organization": p.organization,
                                     "period": [p.start_year, p.end_year]})
        if when.get("relations"):
            for f in facts:
                if f.status not in COUNTED or (f.decision != "match" and not when.get("include_review")):
                    continue
                if f.relation not in when["relations"] or not _list_ok(f, when.get("lists")):
                    continue
                if _in_time(f.year, when.get("evidence"), pack, as_of, f.listed_on):
                    evidence.append({"finding_id": f.finding_id, "relation": f.relation, "evidence_id": f.evidence_id,
                                     "year": f.year, "list_id": f.list_id, "entry_id": f.entry_id})
        if when.get("integrity"):
            for n in notices:
                year = n.notice_date.year if n.notice_date else None
                if n.update_type in when["integrity"] and _in_time(year, when.get("evidence"), pack, as_of, None):
                    evidence.append({"integrity": n.update_type, "evidence_id": n.work_doi,
                                     "notice_doi": n.notice_doi,
                                     "notice_date": n.notice_date.isoformat() if n.notice_date else None})
        if evidence:
            triggers.append({"factor": factor["id"], "title": factor.get("title"), "outcome": factor["outcome"],
                             "evidence": evidence, "areas": area_evidence})
    outcome = max((t["outcome"] for t in triggers), key=pack.severity, default=pack.doc["default_outcome"])
    mitigation = next((o.get("mitigation", {}) for o in pack.doc["outcomes"] if o["id"] == outcome), {})
    return Assessment(subject_id, pack.id, pack.version, as_of, outcome, triggers, mitigation,
                      [a.to_json() for a in areas])
