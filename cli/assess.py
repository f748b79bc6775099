"""``highfence rules`` and ``assess``: the risk rule packs, and researchers assessed under one as of a date."""

from __future__ import annotations

import argparse
from pathlib import Path

from highfence.cli.command import Command, Group, add_format, emit_json
from highfence.errors import UsageError
from highfence.cli.tables import render
from highfence.settings import Settings


class RulesList(Command):
    name = "list"
    help = "the rule packs available"

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.risk.packs import available

        print(render(["pack", "version", "effective from", "jurisdiction", "outcomes", "title"],
                     [(p.id, p.version, p.effective_from, p.doc.get("jurisdiction"), " < ".join(p.outcomes),
                       p.doc["title"]["en"]) for p in available().values()], max_width=70))
        return 0


class RulesShow(Command):
    name = "show"
    help = "one pack as written"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("pack", metavar="PACK")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.risk.packs import get

        print(Path(get(args.pack).path).read_text(encoding="utf-8"))
        return 0


class RulesValidate(Command):
    name = "validate"
    help = "check a pack file against the schema (and the fairness rule)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.risk.packs import load

        pack = load(args.file)
        print(f"{args.file}: valid rule pack {pack.id} {pack.version} ({len(pack.doc['factors'])} factors)")
        return 0


class Assess(Command):
    name = "assess"
    help = "assess researchers under a rule pack as of a date"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--pack", required=True, help="pack id (rules list) or a YAML file")
        parser.add_argument("--subject")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")
        parser.add_argument("--area", help="proposal text to classify into technology areas with the works")
        parser.add_argument("--include-restricted", action="store_true",
                            help="count findings from NDA collaborations too (needs the restricted key; the results "
                                 "are sealed in the restricted store and the read is logged)")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        import datetime as dt

        from highfence.flows.assess import assess
        from highfence.risk.packs import get
        from highfence.store import restricted as restricted_store

        try:
            as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
        except ValueError:
            raise UsageError(f"--as-of {args.as_of!r}: not a date (YYYY-MM-DD)") from None
        pack = get(args.pack)
        restricted = (restricted_store.require(settings, "assess", "--include-restricted")
                      if args.include_restricted else None)
        results = assess(settings.db_path, pack, as_of, args.subject, args.area, settings.store.lock_timeout,
                         restricted=restricted, max_list_age_days=settings.assessment.max_list_age_days)
        if args.format == "json":
            emit_json([a.to_json() for a in results])
            return 0
        print(f"{pack.id} {pack.version}, as of {as_of}"
              + (" (with NDA-restricted findings: restricted circulation)" if restricted else ""))
        print(render(["subject", "outcome", "triggered factors", "areas"],
                     [(a.subject_id, a.outcome, ", ".join(t["factor"] for t in a.triggers) or "-",
                       ", ".join(sorted({x["area"] for x in a.areas})) or "-") for a in results], max_width=60))
        if results and results[0].coverage is not None:
            _print_coverage(results[0].coverage)  # one snapshot set per run: the same for every subject
        return 0


def _print_coverage(cov: dict) -> None:
    print(f"\nLists checked (snapshots at most {cov['max_age_days']} days old as of {cov['as_of']}):")
    print(render(["list", "official name", "publisher", "published", "snapshot", "age (days)"],
                 [(c["list_id"], c["official"]["en"]["name"], c["official"]["en"]["publisher"], c["published"] or "-",
                   c["snapshot_date"], c["age_days"]) for c in cov["checked"]], max_width=50)
          if cov["checked"] else "(none)")
    if cov["not_checked"]:
        print("\nLists not checked:")
        print(render(["list", "official name", "needed by the pack", "state", "reason"],
                     [(n["list_id"], n["official"]["en"]["name"], "yes" if n["required"] else "no", n["state"],
                       n["reason"]) for n in cov["not_checked"]], max_width=50))
        missing = [n["list_id"] for n in cov["not_checked"] if n["required"]]
        if missing:
            print(f"\ncannot_assess: the pack needs {', '.join(missing)}; load or refresh "
                  "(highfence watchlists load ...) and assess again")


RULES = Group("rules", "risk rule packs", "rule packs", (RulesList, RulesShow, RulesValidate))
