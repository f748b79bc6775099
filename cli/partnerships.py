"""``highfence partnerships`` and ``checklist``: the partnerships decided on, and the guideline's checklists."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from highfence.cli.command import Command, Group, add_format, emit_json
from highfence.errors import UsageError
from highfence.cli.tables import render
from highfence.settings import Settings


class PartnershipsAdd(Command):
    name = "add"
    help = "add a partnership (or load many from CSV)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("partnership_id", nargs="?", metavar="PARTNERSHIP_ID")
        parser.add_argument("--title")
        parser.add_argument("--partner", nargs="+", help="roster subject id, ROR id or name")
        parser.add_argument("--researcher", nargs="+", help="roster subject ids")
        parser.add_argument("--agreement", default="joint_research",
                            choices=("mou", "contract", "joint_research", "nda", "other"))
        parser.add_argument("--summary")
        parser.add_argument("--area", nargs="+")
        parser.add_argument("--start")
        parser.add_argument("--end")
        parser.add_argument("--programme")
        parser.add_argument("--file", help="CSV: partnership_id,title,partners,researchers,agreement_type,...")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.partnerships import Partnership, add_partnership, read_partnerships

        if args.file:
            items = read_partnerships(Path(args.file))
        elif args.partnership_id and args.title and args.partner:
            items = [Partnership(args.partnership_id, args.title, args.partner, args.researcher or [], args.agreement,
                                 args.summary, args.area, args.start, args.end, args.programme)]
        else:
            raise UsageError("give PARTNERSHIP_ID --title ... --partner ... (or --file FILE.csv)")
        for p in items:
            add_partnership(settings.db_path, p)
            print(f"partnership {p.partnership_id}: {p.title}")
        return 0


class PartnershipsList(Command):
    name = "list"
    help = "every partnership"

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.store import partnerships as partnership_store

        with store.reader(settings.db_path) as con:
            rows = partnership_store.summaries(con)
        print(render(["partnership", "title", "agreement", "partners", "researchers"],
                     [(p.partnership_id, p.title, p.agreement_type, ", ".join(p.partner_names),
                       ", ".join(p.researchers)) for p in rows]))
        return 0


class PartnershipsShow(Command):
    name = "show"
    help = "one partnership"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("partnership_id", metavar="PARTNERSHIP_ID")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.flows.partnerships import get_partnership

        with store.reader(settings.db_path) as con:
            emit_json(get_partnership(con, args.partnership_id))
        return 0


class ChecklistStart(Command):
    name = "start"
    help = "start a checklist, pre-filled from the evidence"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("partnership_id", nargs="?", metavar="PARTNERSHIP_ID")
        parser.add_argument("--institution", action="store_true", help="the institution readiness checklist")
        parser.add_argument("--lang", choices=("ja", "en"), default="ja")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.partnerships import start_checklist

        if not args.partnership_id and not args.institution:
            raise UsageError("give PARTNERSHIP_ID, or --institution for the institution readiness checklist")
        iid, n = start_checklist(settings.db_path, None if args.institution else args.partnership_id, args.lang)
        print(f"checklist {iid} started; {n} item(s) pre-filled from the evidence (highfence checklist show {iid})")
        return 0


class ChecklistAnswer(Command):
    name = "answer"
    help = "answer an item (no/unsure need a mitigation note)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("instance", metavar="INSTANCE")
        parser.add_argument("item", metavar="ITEM")
        parser.add_argument("--value", required=True)
        parser.add_argument("--note")
        parser.add_argument("--by")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.partnerships import answer

        answer(settings.db_path, args.instance, args.item, args.value, args.note,
               args.by or os.environ.get("USER") or "analyst")
        print(f"{args.instance} {args.item}: {args.value}")
        return 0


class ChecklistShow(Command):
    name = "show"
    help = "a checklist's items, answers and evidence"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("instance", metavar="INSTANCE")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.flows.partnerships import show

        with store.reader(settings.db_path) as con:
            items = show(con, args.instance)["items"]
        if args.format == "json":
            emit_json(items)
            return 0
        print(render(["item", "answer", "source", "text", "note"],
                     [(i["item_id"], i["answer"] or "?", i["source"] or "", i["text"], i["note"] or "")
                      for i in items], max_width=70))
        return 0


class ChecklistReadiness(Command):
    name = "readiness"
    help = "share of institution measures implemented, planned, not"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.flows.partnerships import readiness

        with store.reader(settings.db_path) as con:
            r = readiness(con)
        if args.format == "json":
            emit_json(r)
            return 0
        print(render(["implemented", "planned", "not implemented", "answered"],
                     [(f"{r['implemented']:.0%}", f"{r['planned']:.0%}", f"{r['not_implemented']:.0%}",
                       f"{r['answered']}/{r['items']}")]))
        return 0


PARTNERSHIPS = Group("partnerships", "partnerships and applications", "partnerships",
                     (PartnershipsAdd, PartnershipsList, PartnershipsShow))
CHECKLIST = Group("checklist", "the guideline's checklists", "checklists",
                  (ChecklistStart, ChecklistAnswer, ChecklistShow, ChecklistReadiness))
