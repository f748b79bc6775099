"""``highfence disclosures`` and ``reconcile``: researchers' self-disclosures, compared with the evidence."""

from __future__ import annotations

import argparse
from pathlib import Path

from highfence.cli.command import Command, Group
from highfence.cli.tables import render
from highfence.settings import Settings


class Template(Command):
    name = "template"
    help = "write a blank template: .xlsx, or a folder of CSV files with the JSON Schema"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--lang", choices=("ja", "en"), default="ja")
        parser.add_argument("--out", required=True)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.disclosures.templates import write_template

        print("\n".join(f"wrote {p}" for p in write_template(Path(args.out), args.lang)))
        return 0


class Load(Command):
    name = "load"
    help = "validate and store disclosures (JSON, XLSX, CSV)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.reconcile import load_disclosures
        from highfence.store import Store
        from highfence.store import restricted as restricted_store

        n, ids = load_disclosures(Store.from_settings(settings), Path(args.file),
                                  restricted_store.from_settings(settings, "disclosures load"))
        print(f"{args.file}: {n} researcher(s) validated; {len(ids)} new disclosure version(s) stored "
              f"({n - len(ids)} unchanged)")
        return 0


class Check(Command):
    name = "check"
    help = "list every problem in a disclosure file, store nothing"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.disclosures.load import DisclosureErrors, read_disclosures

        try:
            found = read_disclosures(Path(args.file))
        except DisclosureErrors as exc:  # every problem as a table, not the first one as an error line
            print(render(["file", "sheet", "row", "column", "problem"],
                         [(p.file, p.sheet or "", p.row or "", p.column or "", p.message) for p in exc.problems],
                         max_width=80))
            return 1
        print(f"{args.file}: {len(found)} researcher(s), no problems")
        return 0


class Reconcile(Command):
    name = "reconcile"
    help = "compare disclosures with the stored open-source evidence"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--subject", help="one researcher (default: all with a disclosure)")
        parser.add_argument("--window-years", type=int, help="look-back window (default screening.window_years)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.reconcile import reconcile_store
        from highfence.matching import Thresholds
        from highfence.restricted_key import HOW
        from highfence.store import Store
        from highfence.store import restricted as restricted_store

        outcome = reconcile_store(Store.from_settings(settings), args.subject,
                                  args.window_years or settings.screening.window_years,
                                  Thresholds(settings.matching.match_threshold, settings.matching.review_threshold),
                                  restricted=restricted_store.from_settings(settings, "reconcile"))
        print(f"run {outcome['run_id']}: {outcome['researchers']} researcher(s) reconciled over "
              f"{outcome['window'][0]}–{outcome['window'][1]}: {outcome['findings']} finding(s)"
              + (f", {outcome['restricted_findings']} restricted (sealed)" if "restricted_findings" in outcome else ""))
        if outcome.get("restricted_skipped"):
            print(f"NDA collaborations not reconciled: they are restricted and need the restricted key; {HOW}")
        if outcome["by_type"]:
            print(render(["finding type", "count"], sorted(outcome["by_type"].items())))
        return 0


DISCLOSURES = Group("disclosures", "researchers' self-disclosures", "disclosures", (Template, Load, Check))
