"""Coverage: which lists an assessment checked and which it could not. A rule pack names the lists it needs; a
needed list that is not loaded, or whose active snapshot is older than the maximum age as of the assessment date,
makes the pack's outcome ``cannot_assess``: an assessment that did not look must not read as one that found nothing.
Pure: the snapshots come in as records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from highfence.watchlists.registry import official

CANNOT_ASSESS = "cannot_assess"


@dataclass(frozen=True)
class Snapshot:
    """A list's active snapshot, as coverage needs it."""

    list_id: str
    snapshot_id: str
    published: dt.date | None
    retrieved_at: dt.datetime


@dataclass
class Coverage:
    as_of: dt.date
    max_age_days: int
    checked: list[dict] = field(default_factory=list)
    not_checked: list[dict] = field(default_factory=list)  # each with state missing | stale and a reason

    @property
    def complete(self) -> bool:
        """Every list the pack needs was checked (lists it does not need may still be stale)."""
        return not any(n["required"] for n in self.not_checked)

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "max_age_days": self.max_age_days, "checked": self.checked,
                "not_checked": self.not_checked}


def _base(list_id: str, required: bool) -> dict:
    return {"list_id": list_id, "official": official(list_id), "required": required}


def coverage(required: list[str], snapshots: list[Snapshot], as_of: dt.date, max_age_days: int) -> Coverage:
    """The needed lists, then every other loaded list: checked when loaded and no older than ``max_age_days`` as
    of ``as_of``."""
    active = {s.list_id: s for s in snapshots}
    out = Coverage(as_of, max_age_days)
    for list_id in list(dict.fromkeys(required)) + sorted(set(active) - set(required)):
        need = list_id in required
        snap = active.get(list_id)
        if snap is None:
            out.not_checked.append({**_base(list_id, need), "state": "missing", "reason": "not loaded"})
            continue
        taken = snap.retrieved_at.date()
        age = max((as_of - taken).days, 0)  # a snapshot taken after the as-of date is as fresh as it gets
        row = {**_base(list_id, need), "snapshot_id": snap.snapshot_id,
               "published": snap.published.isoformat() if snap.published else None,
               "snapshot_date": taken.isoformat(), "age_days": age}
        if age > max_age_days:
            out.not_checked.append({**row, "state": "stale",
                                    "reason": f"snapshot {age} days old (more than {max_age_days})"})
        else:
            out.checked.append(row)
    return out


def reason_text(not_checked: list[dict], lang: str) -> str:
    """'<official name> (not loaded); ...' for the needed lists, in the report's language."""
    parts = []
    for n in not_checked:
        if not n["required"]:
            continue
        name = n["official"][lang]["name"]
        if lang == "ja":
            why = "未読込" if n["state"] == "missing" else f"{n['age_days']}日前のスナップショット（上限を超過）"
        else:
            why = n["reason"]
        parts.append(f"{name} [{n['list_id']}] ({why})")
    return "; ".join(parts) if lang == "en" else "；".join(parts)
