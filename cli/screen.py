"""``highfence collect``, ``screen`` and ``roster pin``: evidence for a roster, screened against the lists."""

from __future__ import annotations

import argparse
import os
import time
from datetime import date
from pathlib import Path

from highfence.cli.command import Command, Group, prefect_env
from highfence.errors import HighfenceError, UsageError
from highfence.cli.tables import render
from highfence.settings import Settings


class Collect(Command):
    name = "collect"
    help = "collect open-source evidence (OpenAlex, ORCID, Crossref, ROR) for a roster"
    collect_only = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--roster", required=self.collect_only, help="CSV or XLSX: subject_id,kind,name,orcid,"
                            "openalex_id,ror_id,home_institution")
        parser.add_argument("--since", type=int, help="first publication year (default: this year - window_years)")
        parser.add_argument("--task-runner", choices=("thread", "process", "dask"),
                            help="collect subjects (and match observation chunks) in parallel on this task runner; "
                                 "API rate limits hold across workers (default: scale.task_runner)")
        parser.add_argument("--dask-address",
                            help="with --task-runner dask: an existing cluster (default: a local one)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        prefect_env()
        from highfence.flows.engine import run_flow
        from highfence.flows.screen import screen_flow

        since = args.since or date.today().year - settings.screening.window_years
        # flow parameters are recorded by Prefect: no secret among them (the flow reads them again itself)
        outcome = run_flow(screen_flow, db=settings.db_path, settings=settings.without_secrets(),
                           roster=Path(args.roster), since=since, collect_only=self.collect_only,
                           task_runner=args.task_runner, dask_address=args.dask_address)
        _print_screen(outcome, settings.db_path)
        return 0


class Screen(Collect):
    name = "screen"
    help = "collect evidence for a roster, then screen it against the active lists"
    collect_only = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--delta", action="store_true", help="after a list refresh: re-screen stored evidence "
                            "against added and changed entries only")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        if not args.delta:
            if not args.roster:
                raise UsageError("--roster FILE is needed (or --delta to re-screen stored evidence after a list "
                                 "change)")
            return super().run(args, settings)
        from highfence.flows.screen import rescreen

        started = time.monotonic()
        outcome = rescreen(settings.db_path, settings, delta=True, task_runner=args.task_runner,
                           dask_address=args.dask_address)
        print(f"run {outcome['run_id']} (delta, {time.monotonic() - started:.1f}s): "
              f"{outcome.get('entries_rescreened', 0)} changed or added entries re-screened; "
              f"{outcome['findings_new']} new findings, {outcome['findings_retired']} no longer produced; "
              f"findings of removed entries are now 'delisted'")
        return 0


def _print_screen(outcome: dict, db: Path) -> None:
    print(f"run {outcome['run_id']}: {outcome['subjects']} subjects, {outcome['observations_new']} new observations"
          + (f", {outcome['findings_new']} new findings, {outcome['findings_seen_again']} seen again"
             if "findings_new" in outcome else ""))
    if outcome["errors"]:
        print("\nNot collected (the run went on without them):")
        print(render(["subject", "source", "error"], outcome["errors"], max_width=100))
    if outcome["needs_pin"]:
        from highfence import store
        from highfence.store import collection as collection_store

        print("\nResearchers given by name only: pin an OpenAlex author to collect their works")
        with store.reader(db) as con:
            candidates = collection_store.author_candidates(con, outcome["needs_pin"])
        print(render(["subject", "openalex id", "name", "institutions", "works"],
                     [(c.subject_id, c.openalex_id, c.display_name, c.institutions, c.works_count)
                      for c in candidates]))
        print("highfence roster pin SUBJECT_ID OPENALEX_ID")


class RosterPin(Command):
    name = "pin"
    help = "pin a name-only researcher to an OpenAlex author id"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("subject_id", metavar="SUBJECT_ID")
        parser.add_argument("openalex_id", metavar="OPENALEX_ID")
        parser.add_argument("--by", help="who pinned it (default $USER)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.store import Store
        from highfence.store import collection as collection_store

        st = Store.from_settings(settings)
        st.migrate()
        openalex_id = args.openalex_id.rstrip("/").rsplit("/", 1)[-1]  # a full https://openalex.org/A... URL too
        if not (openalex_id[:1] == "A" and openalex_id[1:].isdigit()):
            raise HighfenceError(f"not an OpenAlex author id: {args.openalex_id!r} (like A5023888391)")
        with st.writer() as con:
            collection_store.pin_author(con, args.subject_id, openalex_id, args.by or os.environ.get("USER"))
        print(f"{args.subject_id}: pinned to OpenAlex author {openalex_id}; the next collect uses it")
        return 0


ROSTER = Group("roster", "pin researchers to OpenAlex authors", "roster", (RosterPin,))
