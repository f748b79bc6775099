"""Rule packs: YAML files with a closed schema. The schema has no way to name a person's nationality, citizenship,
ethnicity, name, name origin, country of birth or language; a pack that tries is rejected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from highfence.errors import InputError
from highfence.packaged import data_dir
from highfence.risk.coverage import CANNOT_ASSESS
from highfence.watchlists.registry import known

RULES = data_dir() / "rules"
TOP_KEYS = {"id", "title", "jurisdiction", "version", "effective_from", "sources", "verification", "configurable",
            "parameters", "outcomes", "default_outcome", "factors", "required_lists"}
FACTOR_KEYS = {"id", "title", "outcome", "when"}
CONDITION_KEYS = {"relations", "lists", "evidence", "areas", "disclosure_kinds", "include_review", "integrity"}
# Research-integrity notices on the subject's own works (records.INTEGRITY_TYPES): a factor a pack may use
# ("when: integrity: [retraction]"); none does by default.
INTEGRITY = {"retraction", "expression_of_concern"}
EVIDENCE_KEYS = {"current", "within_years", "after_listing", "any"}
RELATIONS = {"partner_institution", "affiliation", "coauthor_affiliation", "employment", "education", "funder",
             "undisclosed_affiliation", "undisclosed_funding", "listed_entity_involvement", "unverified_disclosure"}
# Words that would make a rule about who a person is. Screening is about organisations, funding and affiliations.
FORBIDDEN = ("nationality", "citizenship", "citizen", "ethnic", "race", "religion", "name", "origin", "birth",
             "language", "gender", "person_country", "surname", "passport")


@dataclass(frozen=True)
class Pack:
    id: str
    version: str
    effective_from: dt.date
    doc: dict
    path: str

    @property
    def outcomes(self) -> list[str]:
        return [o["id"] for o in self.doc["outcomes"]]

    @property
    def required_lists(self) -> list[str]:
        """The lists the pack cannot be assessed without (``list:programme`` specs name their list)."""
        return list(self.doc.get("required_lists") or [])

    def severity(self, outcome: str) -> int:
        return self.outcomes.index(outcome)

    def parameter(self, value):
        """A number, or the name of a pack parameter."""
        if isinstance(value, str):
            return self.doc.get("parameters", {})[value]
        return value


def _forbidden(key: str) -> str | None:
    low = key.lower()
    return next((w for w in FORBIDDEN if w in low), None)


def validate(doc, where: str) -> list[str]:
    problems: list[str] = []
    if not isinstance(doc, dict):
        return [f"{where}: a rule pack is a mapping"]

    def walk(node, path: str) -> None:  # no key anywhere may refer to a person's attributes
        if isinstance(node, dict):
            for k, v in node.items():
                bad = _forbidden(str(k)) if path.startswith("factors") else None
                if bad:
                    problems.append(f"{where}: {path}.{k}: rules may not use a person's {bad} (fairness: screening "
                                    "is about organisations, funding and affiliations)")
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    walk(doc.get("factors"), "factors")
    for k in sorted(set(doc) - TOP_KEYS):
        problems.append(f"{where}: unknown key '{k}'")
    for k in ("id", "version", "effective_from", "outcomes", "default_outcome", "factors", "sources"):
        if k not in doc:
            problems.append(f"{where}: missing '{k}'")
    if problems:
        return problems
    outcomes = [o.get("id") for o in doc["outcomes"] if isinstance(o, dict)]
    if CANNOT_ASSESS in outcomes:
        problems.append(f"{where}: outcome '{CANNOT_ASSESS}' is reserved (highfence gives it when a needed list is "
                        "missing or stale)")
    required = doc.get("required_lists", [])
    if not isinstance(required, list) or not all(isinstance(x, str) for x in required):
        problems.append(f"{where}: required_lists is a list of list ids")
    else:
        for list_id in required:
            if not known(list_id):
                problems.append(f"{where}: required_lists: unknown list '{list_id}'")
    if doc["default_outcome"] not in outcomes:
        problems.append(f"{where}: default_outcome '{doc['default_outcome']}' is not one of the outcomes")
    if not all(isinstance(s, dict) and s.get("url") and s.get("document") for s in doc["sources"]):
        problems.append(f"{where}: every source needs url and document")
    for i, f in enumerate(doc["factors"]):
        at = f"{where}: factors[{i}]"
        if not isinstance(f, dict):
            problems.append(f"{at}: a factor is a mapping")
            continue
        for k in sorted(set(f) - FACTOR_KEYS):
            problems.append(f"{at}: unknown key '{k}'")
        if f.get("outcome") not in outcomes:
            problems.append(f"{at}: outcome '{f.get('outcome')}' is not one of the outcomes")
        when = f.get("when") or {}
        for k in sorted(set(when) - CONDITION_KEYS):
            if not _forbidden(k):
                problems.append(f"{at}.when: unknown condition '{k}' (known: {', '.join(sorted(CONDITION_KEYS))})")
        for r in when.get("relations") or []:
            if r not in RELATIONS:
                problems.append(f"{at}.when.relations: unknown relation '{r}'")
        integrity = when.get("integrity")
        if integrity is not None and (not isinstance(integrity, list) or not integrity):
            problems.append(f"{at}.when.integrity: a list of notice types ({', '.join(sorted(INTEGRITY))})")
        for r in integrity if isinstance(integrity, list) else []:
            if r not in INTEGRITY:
                problems.append(f"{at}.when.integrity: unknown notice type '{r}' (known: {', '.join(sorted(INTEGRITY))})")
        ev = when.get("evidence") or {}
        for k in sorted(set(ev) - EVIDENCE_KEYS):
            problems.append(f"{at}.when.evidence: unknown key '{k}'")
        within = ev.get("within_years")
        if isinstance(within, str) and within not in (doc.get("parameters") or {}):
            problems.append(f"{at}.when.evidence.within_years: no parameter '{within}'")
    return problems


def load(path: str | Path) -> Pack:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("rule pack not found", file=str(path)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML ({exc})", file=str(path)) from None
    problems = validate(doc, str(path))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(problems[0] + more)
    eff = doc["effective_from"]
    eff = eff if isinstance(eff, dt.date) else dt.date.fromisoformat(str(eff))
    return Pack(doc["id"], str(doc["version"]), eff, doc, str(path))


def available(extra_dirs: list[Path] | None = None) -> dict[str, Pack]:
    packs = {}
    for folder in [RULES, *(extra_dirs or [])]:
        for path in sorted(Path(folder).glob("*.yaml")):
            pack = load(path)
            packs[pack.id] = pack
    return packs


def get(pack_id_or_path: str) -> Pack:
    if pack_id_or_path.endswith((".yaml", ".yml")):
        return load(pack_id_or_path)
    packs = available()
    if pack_id_or_path not in packs:
        raise InputError(f"unknown rule pack '{pack_id_or_path}' (known: {', '.join(packs)})")
    return packs[pack_id_or_path]
