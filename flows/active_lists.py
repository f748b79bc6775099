"""The matcher over the store's active lists: the one place it is built, for screening, reconciliation and
``highfence match``. ROR records of crosswalked organisations come from the store (newer than the shipped copy
once a ROR dump is loaded)."""

from __future__ import annotations

from pathlib import Path

from highfence import store
from highfence.errors import InputError
from highfence.matching import Matcher, Thresholds
from highfence.matching.resources import crosswalk
from highfence.store import lists as list_store
from highfence.store.lists import ActiveEntry
from highfence.store.organisations import family_of, names_for

SCREENED_KINDS = ("organization", "other")  # organisations are screened; listed persons and vessels are not


def screened_entries(con, list_ids: list[str] | None = None) -> list[ActiveEntry]:
    return list_store.active_entries(con, list_ids, kinds=SCREENED_KINDS)


def crosswalk_ror_records(con) -> dict[str, dict]:
    """The store's ROR records of the organisations the reviewed crosswalk links to list entries, each with its
    family (units, predecessors, successors) under "family" once 'highfence ror load' has computed it."""
    roots = sorted({row.ror_id for row in crosswalk()})
    records = names_for(con, roots)
    for root, members in family_of(con, roots).items():
        if root in records:
            records[root]["family"] = members
    return records


def active_matcher(con, thresholds: Thresholds = Thresholds(),
                   entries: list[ActiveEntry] | None = None) -> Matcher | None:
    """A matcher over ``entries`` (default: every screened entry of the active lists); None when there are none."""
    entries = screened_entries(con) if entries is None else entries
    if not entries:
        return None
    return Matcher([e.listed() for e in entries], thresholds, ror_records=crosswalk_ror_records(con))


def build_matcher(db: Path, list_ids: list[str] | None = None, thresholds: Thresholds = Thresholds()) -> Matcher:
    """The matcher for ``highfence match``: the active lists, or only ``list_ids``; an error when empty."""
    with store.reader(db) as con:
        if list_ids:
            active = {r.list_id for r in list_store.status(con)}
            missing = [x for x in list_ids if x not in active]
            if missing:
                raise InputError(f"no active snapshot for list(s) {', '.join(missing)} "
                                 "(see 'highfence watchlists status')")
        matcher = active_matcher(con, thresholds, list_store.active_entries(con, list_ids))
    if matcher is None:
        raise InputError("no organisations on the active lists to match against (load lists first)")
    return matcher
