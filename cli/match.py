"""``highfence match``: affiliation strings against the active lists, one on the command line or a CSV file."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from highfence.cli.command import Command, add_format, emit_json, prefect_env
from highfence.errors import UsageError
from highfence.cli.tables import render
from highfence.settings import Settings

if TYPE_CHECKING:
    from highfence.matching import Matcher, Thresholds


class Match(Command):
    name = "match"
    help = "match affiliation strings to the active lists, with explanations"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("text", nargs="?", metavar="TEXT", help="one affiliation string: prints the top candidates")
        parser.add_argument("--input", metavar="FILE.csv", help="CSV with header id,affiliation[,country]")
        parser.add_argument("--output", metavar="FILE.csv",
                            help="CSV: id,list_id,entry_id,matched_name,score,decision,explanation")
        parser.add_argument("--lists", nargs="+", metavar="LIST_ID", help="only these lists (default: all active)")
        parser.add_argument("--country", help="country of the string's organisation, when known (ISO code or name)")
        parser.add_argument("--ror", help="with TEXT: the organisation's ROR id, linked exactly through the crosswalk")
        parser.add_argument("--workers", type=int, help="processes for --input (default: one per core, at most 8; "
                            "with a task runner: scale.workers)")
        parser.add_argument("--task-runner", choices=("thread", "process", "dask"),
                            help="run --input as a Prefect flow partitioned over this task runner")
        parser.add_argument("--dask-address",
                            help="with --task-runner dask: an existing cluster (default: a local one)")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.active_lists import build_matcher
        from highfence.matching import Thresholds

        if bool(args.text) == bool(args.input):
            raise UsageError("give either TEXT or --input FILE.csv (with --output FILE.csv)")
        if args.input and not args.output:
            raise UsageError("--input needs --output FILE.csv")
        thresholds = Thresholds(settings.matching.match_threshold, settings.matching.review_threshold)
        matcher = build_matcher(settings.db_path, args.lists or None, thresholds)
        if args.input:
            _match_file(matcher, args, settings)
        else:
            _match_text(matcher, thresholds, args)
        return 0


def _match_file(matcher: Matcher, args: argparse.Namespace, settings: Settings) -> None:
    from highfence.flows.match_csv import default_workers, match_file
    from highfence.flows.engine import scale_settings  # not flows.screen: that imports Prefect

    runner, address, workers = scale_settings(settings, args.task_runner, args.dask_address)
    started = time.monotonic()
    if not runner:
        n, rows = match_file(matcher, Path(args.input), Path(args.output), max(args.workers or default_workers(), 1))
        print(f"matched {n} strings in {time.monotonic() - started:.1f}s: {rows} rows at or above the review "
              f"threshold -> {args.output}")
        return
    from highfence.flows.match_csv import OUTPUT_COLUMNS, read_inputs
    from highfence.flows.scale import match_partitioned
    from highfence.reports.cells import CsvWriter

    prefect_env()
    inputs = read_inputs(Path(args.input))
    out_rows = match_partitioned(matcher, inputs, runner, address, max(args.workers, 1) if args.workers else workers)
    with Path(args.output).open("w", encoding="utf-8", newline="") as f:
        w = CsvWriter(f)
        w.writerow(OUTPUT_COLUMNS)
        w.writerows(out_rows)
    print(f"matched {len(inputs)} strings on a {runner} task runner in {time.monotonic() - started:.1f}s:"
          f" {len(out_rows)} rows at or above the review threshold -> {args.output}")


def _match_text(matcher: Matcher, thresholds: Thresholds, args: argparse.Namespace) -> None:
    results = matcher.match(args.text, args.country)
    if args.ror:
        results = matcher.match_ror(args.ror) + results
    if args.format == "json":
        emit_json([{"list_id": m.list_id, "entry_id": m.entry_id, "entry_name": m.entry_name,
                    "matched_name": m.matched_name, "score": m.score, "decision": m.decision,
                    "explanation": m.explanation} for m in results])
        return
    if not results:
        print(f"no list entry at or above the review threshold ({thresholds.review:.0f}) for '{args.text}'")
        return
    print(render(["list", "entry", "entry name", "score", "decision"],
                 [(m.list_id, m.entry_id, m.entry_name, f"{m.score:.0f}", m.decision) for m in results]))
    print()
    for m in results:
        print(f"- {m.list_id} {m.entry_id} ({m.score:.0f}, {m.decision}): {m.explanation}")
