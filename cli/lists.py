"""``highfence watchlists``: load, refresh and inspect the official lists."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from highfence.cli.command import Command, Group, add_format, emit_json
from highfence.errors import HighfenceError
from highfence.cli.tables import render
from highfence.settings import Settings

if TYPE_CHECKING:
    from highfence.flows.lists import LoadResult

_FORCE_HELP = "activate even if the entry count drops sharply"


def _print_load(r: LoadResult) -> None:
    counts = ", ".join(f"{v} {k}" for k, v in r.counts.items() if v)
    changes = (" (" + ", ".join(f"{v} {k}" for k, v in r.changes.items()) + ")") if r.changes else ""
    verb = "activated" if r.outcome == "activated" else "unchanged, identical to the active snapshot"
    print(f"{r.list_id}: {verb}: {r.snapshot_id}, {r.entries} entries [{counts}]{changes}")


class Load(Command):
    name = "load"
    help = "load a list file as a new snapshot (validated before it is activated)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("list_id", metavar="LIST_ID", help="us_csl, us_ofac_sdn, us_ofac_cons, jp_meti_eul, "
                            "ca_nro, un_sc, us_dod_1286, us_dod_1260h, aspi_unitracker, custom:<name>, or "
                            "opensanctions:<dataset> (a FollowTheMoney entities.ftm.json or targets.simple.csv; "
                            "OpenSanctions data is CC BY-NC 4.0)")
        parser.add_argument("--file", required=True,
                            help="the list file (for OFAC CSV sets: the folder or the main file)")
        parser.add_argument("--force", action="store_true", help=_FORCE_HELP)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.lists import load_list

        from highfence.store import Store

        _print_load(load_list(Store.from_settings(settings), args.list_id, Path(args.file), force=args.force,
                              max_drop=settings.watchlists.max_drop))
        return 0


class Refresh(Command):
    name = "refresh"
    help = "download lists from their publishers and load them"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("list_ids", nargs="*", metavar="LIST_ID",
                            help="lists to refresh (default: all downloadable)")
        parser.add_argument("--force", action="store_true", help=_FORCE_HELP)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.refresh import refresh_lists

        failures = 0
        for _list_id, result in refresh_lists(settings, args.list_ids or None, force=args.force):
            if isinstance(result, Exception):  # one list failing does not stop the others
                failures += 1
                print(f"highfence: error: {result}", file=sys.stderr)
            else:
                _print_load(result)
        return 1 if failures else 0


class Status(Command):
    name = "status"
    help = "the active snapshot of each list"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.store import lists as list_store
        from highfence.watchlists.registry import licence_of

        with store.reader(settings.db_path) as con:
            rows = list_store.status(con)
        if args.format == "json":
            emit_json([{**{k: getattr(r, k) for k in ("list_id", "snapshot_id", "entries", "organizations", "persons",
                                                      "vessels", "other", "published", "retrieved_at",
                                                      "activated_at", "sha256", "source")},
                        "licence": licence_of(r.list_id)}
                       for r in rows])
            return 0
        if not rows:
            print("no lists loaded (highfence watchlists load LIST_ID --file PATH)")
            return 0
        print(render(["list", "published", "retrieved", "entries", "orgs", "persons", "other", "sha256"],
                     [(r.list_id, r.published or "-", f"{r.retrieved_at:%Y-%m-%d %H:%M}", r.entries,
                       r.organizations, r.persons, r.vessels + r.other, r.sha256[:16])
                      for r in rows]))
        # the terms matter as much as the figures: a CC BY-NC list may not be used commercially
        print("\nLicences:")
        print(render(["list", "licence"], [(r.list_id, licence_of(r.list_id)) for r in rows], max_width=110))
        return 0


class Snapshots(Command):
    name = "snapshots"
    help = "every snapshot of one list"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("list_id", metavar="LIST_ID")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.store import lists as list_store

        with store.reader(settings.db_path) as con:
            rows = list_store.snapshots(con, args.list_id)
        print(render(["snapshot", "published", "retrieved", "entries", "active"],
                     [(r.snapshot_id, r.published or "-", f"{r.retrieved_at:%Y-%m-%d %H:%M:%S}",
                       r.entries, "yes" if r.active else "") for r in rows]))
        return 0


class Diff(Command):
    name = "diff"
    help = "entries added, removed and changed between two snapshots"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("list_id", metavar="LIST_ID")
        parser.add_argument("--from", dest="from_", metavar="SNAPSHOT", help="default: the previously active snapshot")
        parser.add_argument("--to", metavar="SNAPSHOT", help="default: the active snapshot")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.store import lists as list_store
        from highfence.watchlists.snapshots import diff_entries

        with store.reader(settings.db_path) as con:
            active = list_store.active_snapshot(con, args.list_id)
            to_id = args.to or (active and active.snapshot_id)
            from_id = args.from_ or list_store.previous_activated(con, args.list_id)
            if not to_id:
                raise HighfenceError(f"{args.list_id}: no active snapshot")
            if not from_id:
                raise HighfenceError(f"{args.list_id}: only one snapshot so far; give --from SNAPSHOT to compare")
            known = {r.snapshot_id for r in list_store.snapshots(con, args.list_id)}
            for sid in (from_id, to_id):
                if sid not in known:
                    raise HighfenceError(f"{args.list_id}: no snapshot {sid} (see 'highfence watchlists snapshots')")
            diff = diff_entries(list_store.entries_for_diff(con, from_id), list_store.entries_for_diff(con, to_id))
        if args.format == "json":
            emit_json({"from": from_id, "to": to_id, **diff.summary(),
                       "added_entries": diff.added, "removed_entries": diff.removed,
                       "changed_entries": [{"entry_id": c.entry_id, "name": c.name,
                                            "fields": {k: {"old": o, "new": n} for k, (o, n) in c.fields.items()}}
                                           for c in diff.changed]})
            return 0
        print(f"{args.list_id}: {from_id} -> {to_id}: {len(diff.added)} added, {len(diff.removed)} removed, "
              f"{len(diff.changed)} changed")
        rows = [("added", e["entry_id"], e["name"], "") for e in diff.added]
        rows += [("removed", e["entry_id"], e["name"], "") for e in diff.removed]
        rows += [("changed", c.entry_id, c.name, ", ".join(c.fields)) for c in diff.changed]
        if rows:
            print(render(["change", "entry", "name", "fields"], rows))
        return 0


class Search(Command):
    name = "search"
    help = "exact look-up of a name or alias in the active lists"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("text", metavar="TEXT")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.store import lists as list_store

        with store.reader(settings.db_path) as con:
            rows = list_store.search(con, args.text)
        if args.format == "json":
            emit_json([asdict(r) for r in rows])
            return 0
        if not rows:
            print(f"no listed name or alias equals '{args.text}' (exact look-up after folding case and punctuation)")
            return 0
        print(render(["list", "entry", "kind", "name", "matched", "countries"],
                     [(r.list_id, r.entry_id, r.kind, r.name, f"{r.matched_name} ({r.name_kind})",
                       ",".join(r.countries)) for r in rows]))
        return 0


WATCHLISTS = Group("watchlists", "load, refresh and inspect official lists", "watchlists",
                   (Load, Refresh, Status, Snapshots, Diff, Search))
