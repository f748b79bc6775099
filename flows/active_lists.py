"""The matcher over the store's active lists: the one place it is built, for screening, reconciliation and
``highfence match``. ROR records of crosswalked organisations come from the store (newer than the shipped copy
once a ROR dump is loaded).

The store (and so DuckDB) is imported where it is used: a ``highfence match`` served by the saved matcher
(matching.persist) never opens the database, and that is most of its start-up."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from highfence.errors import InputError
from highfence.matching import Matcher, Thresholds, persist
from highfence.matching.resources import crosswalk

if TYPE_CHECKING:
    from highfence.store.lists import ActiveEntry

SCREENED_KINDS = ("organization", "other")  # organisations are screened; listed persons and vessels are not


def screened_entries(con, list_ids: list[str] | None = None) -> list[ActiveEntry]:
    from highfence.store import lists as list_store

    return list_store.active_entries(con, list_ids, kinds=SCREENED_KINDS)


def _crosswalk_ror_ids() -> list[str]:
    return sorted({row.ror_id for row in crosswalk()})


def crosswalk_ror_records(con) -> dict[str, dict]:
    """The store's ROR records of the organisations the reviewed crosswalk links to list entries, each with its
    family (units, predecessors, successors) under "family" once 'highfence ror load' has computed it."""
    from highfence.store.organisations import family_of, names_for

    roots = _crosswalk_ror_ids()
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
    """The matcher for ``highfence match``: the active lists, or only ``list_ids``; an error when empty. Built once
    and saved beside the database until the lists, the reference data or the code change."""
    code = persist.code_fingerprint()
    seen = persist.stamp(db, list_ids, code)  # before reading: a write from now on changes what is seen next time
    key = persist.recall(db, seen)
    matcher = persist.load(db, key) if key else None
    if matcher is None:
        key, matcher, built = _from_store(db, list_ids, thresholds, code)
        if built:
            persist.save(db, key, matcher)
        persist.remember(db, seen, key)
    matcher.thresholds = thresholds  # not part of the index: a saved matcher serves any thresholds
    return matcher


def _from_store(db: Path, list_ids: list[str] | None, thresholds: Thresholds, code: str) -> tuple[str, Matcher, bool]:
    """(key, matcher, whether it was built now) for the store's active lists: the saved one if the key finds it."""
    from highfence import store
    from highfence.store import lists as list_store
    from highfence.store.organisations import family_text_for, names_text_for

    with store.reader(db) as con:
        if list_ids:
            active = {r.list_id for r in list_store.status(con)}
            missing = [x for x in list_ids if x not in active]
            if missing:
                raise InputError(f"no active snapshot for list(s) {', '.join(missing)} "
                                 "(see 'highfence watchlists status')")
        key = persist.matcher_key(code, [list_store.matcher_inputs(con, list_ids, SCREENED_KINDS),
                                         names_text_for(con, _crosswalk_ror_ids()),
                                         family_text_for(con, _crosswalk_ror_ids())])
        matcher = persist.load(db, key)
        if matcher is not None:
            return key, matcher, False
        matcher = active_matcher(con, thresholds, list_store.active_entries(con, list_ids, SCREENED_KINDS))
    if matcher is None:
        raise InputError("no organisations on the active lists to match against (load lists first)")
    return key, matcher, True
