"""``highfence report``: a partner, researcher, roster or partnership report, in Japanese or English."""

from __future__ import annotations

import argparse
from pathlib import Path

from highfence.cli.command import Command
from highfence.errors import UsageError
from highfence.settings import Settings


class Report(Command):
    name = "report"
    help = "partner, researcher or roster report in Japanese or English"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("report_kind", choices=("partner", "researcher", "roster", "partnership"),
                            metavar="partner|researcher|roster|partnership")
        parser.add_argument("ident", nargs="?", metavar="ROR_ID|SUBJECT_ID")
        parser.add_argument("--lang", choices=("ja", "en"), default="en")
        parser.add_argument("--format", choices=("html", "md", "json", "xlsx"), default="html")
        parser.add_argument("--out", help="file to write (default report-KIND-ID-LANG.FORMAT)")
        parser.add_argument("--include-restricted", action="store_true",
                            help="include NDA-restricted items (needs the restricted key; the read is logged)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.reports.build import build
        from highfence.reports.render import write

        from highfence.store import restricted as restricted_store

        if args.report_kind != "roster" and not args.ident:
            raise UsageError(f"report {args.report_kind} needs a subject id (or a ROR id for a partner)")
        restricted = (restricted_store.require(settings, f"report {args.report_kind}", "--include-restricted")
                      if args.include_restricted else None)
        with store.reader(settings.db_path) as con:
            model = build(con, args.report_kind, args.ident, args.lang, restricted)
        name = model.get("subject", {}).get("subject_id") or (
            args.ident if args.report_kind == "partnership" else "roster")
        out = Path(args.out or f"report-{args.report_kind}-{name}-{args.lang}.{args.format}")
        if restricted is None:
            write(model, args.format, out)
        else:  # restricted circulation: the file is its owner's only, from the moment it exists
            from highfence.store.db import private_files

            with private_files():
                write(model, args.format, out)
        print(f"{args.report_kind} report ({args.lang}, {args.format}): {out}")
        return 0
