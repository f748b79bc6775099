"""Pure decisions about snapshots: may a new one become active, and what changed between two."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def check_counts(new_entries: int, active_entries: int | None, max_drop: float, force: bool = False) -> Verdict:
    """A new snapshot may not lose more than ``max_drop`` of the active one's entries unless forced: publishers do
    ship broken files (the CSL once lost ~15,000 SDN rows in one daily file)."""
    if new_entries == 0:
        return Verdict(False, "the file holds no entries")
    if active_entries is None or force or active_entries == 0:
        return Verdict(True)
    drop = (active_entries - new_entries) / active_entries
    if drop > max_drop:
        return Verdict(False, f"entry count drops {drop:.0%} ({active_entries} -> {new_entries}), more than the "
                              f"allowed {max_drop:.0%}; check the file, or load it with --force")
    return Verdict(True)


@dataclass
class EntryChange:
    entry_id: str
    name: str
    fields: dict[str, tuple] = field(default_factory=dict)  # field -> (old, new)


@dataclass
class Diff:
    added: list[dict]
    removed: list[dict]
    changed: list[EntryChange]

    def summary(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}


COMPARED = ("kind", "name", "aliases", "countries", "addresses", "programs", "listed_on", "removed_on")


def diff_entries(old: dict[str, dict], new: dict[str, dict]) -> Diff:
    """Entries keyed by entry id, each a dict with the ``COMPARED`` fields (lists compared as sets)."""
    def norm(value):
        return tuple(sorted(value)) if isinstance(value, (list, tuple)) else value

    added = [new[k] for k in sorted(new.keys() - old.keys())]
    removed = [old[k] for k in sorted(old.keys() - new.keys())]
    changed = []
    for key in sorted(old.keys() & new.keys()):
        fields = {f: (old[key].get(f), new[key].get(f)) for f in COMPARED
                  if norm(old[key].get(f)) != norm(new[key].get(f))}
        if fields:
            changed.append(EntryChange(key, new[key]["name"], fields))
    return Diff(added, removed, changed)
