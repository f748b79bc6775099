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
        parser.add_argument("--plan", action="store_true",
                            help="print, without any request, the calls the roster needs per source and cost class "
                                 "and what they cost against the OpenAlex daily budget")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        if args.plan:
            if not args.roster:
                raise UsageError("--plan needs --roster FILE")
            since = args.since or date.today().year - settings.screening.window_years
            _print_plan(Path(args.roster), since, settings)
            return 0
        from highfence.connectors.openalex import require_key

        require_key(settings.apis.openalex.url, settings.apis.openalex.api_key)  # before any run is recorded
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
        if not args.delta or args.plan:
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


def _money(value) -> str:
    return "-" if value is None else f"${value:,.4f}"


def _print_usage(sources: dict) -> None:
    """Calls per priced source and cost class, and the budget the source reported."""
    from highfence.connectors.budget import CLASSES

    for source, used in sources.items():
        rows = [(source, c, used["calls"].get(c, 0), used["cached"].get(c, 0)) for c in CLASSES]
        print(f"\n{source} calls this run (cost classes: single = by id, free; list = filter pages; search):")
        print(render(["source", "class", "calls", "from cache"], rows))
        budget = (f"remaining budget {_money(used.get('remaining_usd'))} of {_money(used.get('limit_usd'))} "
                  f"(X-RateLimit headers)" if used.get("remaining_usd") is not None
                  else "no budget headers received")
        print(f"{source}: spent {_money(used.get('spent_usd'))}; {budget}")
        if used.get("status") == "budget exhausted":
            print(f"{source}: budget exhausted; resets {used['resets_at']} (UTC). The evidence collected so far "
                  f"is committed; run the same command after the reset and it resumes (cached responses are not "
                  f"fetched again)")


def _print_screen(outcome: dict, db: Path) -> None:
    print(f"run {outcome['run_id']}: {outcome['subjects']} subjects, {outcome['observations_new']} new observations"
          + (f", {outcome['findings_new']} new findings, {outcome['findings_seen_again']} seen again"
             if "findings_new" in outcome else ""))
    if outcome["errors"]:
        print("\nNot collected (the run went on without them):")
        print(render(["subject", "source", "error"], outcome["errors"], max_width=100))
    if outcome.get("sources"):
        _print_usage(outcome["sources"])
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


def _print_plan(roster: Path, since: int, settings: Settings) -> None:
    """The calls a roster needs, before any request, priced against the OpenAlex daily budget (the last run's
    remaining figure when it is from today, UTC, else the configured daily budget)."""
    from datetime import datetime, timezone

    from highfence.connectors.budget import CLASSES, Costs
    from highfence.connectors.openalex import needs_key, works_page_url
    from highfence.flows.collect import plan_calls, source_rates
    from highfence.flows.roster import read_roster
    from highfence.store import Store
    from highfence.store import collection as collection_store
    from highfence.store import runs
    from highfence.store.cache import StoreCache

    subjects = read_roster(roster)
    pins, fresh, last = {}, set(), None
    st = Store.from_settings(settings)
    if st.path.exists():
        st.migrate()
        with st.connect(read_only=True) as con:
            pins = collection_store.latest_pins(con)
            last = runs.latest_source_usage(con, "openalex")
        fresh = StoreCache(st, settings.http.cache_ttl_hours).fresh_urls("openalex")
    base, email = settings.apis.openalex.url, settings.contact.email
    plan = plan_calls(subjects, pins, since, lambda a, y: works_page_url(base, a, y, email), fresh)
    costs = Costs.from_settings(settings)
    rates = source_rates(settings)
    print(f"plan for {roster} ({plan.researchers} researchers, {plan.institutions} institutions, works since "
          f"{since}); no request made")
    rows = []
    for source in ("openalex", "orcid", "crossref", "ror"):
        for c in CLASSES:
            calls = plan.calls.get(source, {}).get(c, 0)
            cached = plan.cached.get(source, {}).get(c, 0)
            if calls or cached:
                usd = _money(calls * costs.of(c)) if source == "openalex" else "free"
                rows.append((source, c, calls, cached, usd, rates[source].limit))
    print(render(["source", "class", "calls", "cached (free)", "cost", "rate limit"], rows))
    total = sum(plan.calls.get("openalex", {}).get(c, 0) * costs.of(c) for c in CLASSES)
    budget, said = costs.daily_budget, f"the configured daily budget {_money(costs.daily_budget)}"
    if last and last[0].date() == datetime.now(timezone.utc).date() and last[1].get("remaining_usd") is not None:
        budget = last[1]["remaining_usd"]
        said = f"{_money(budget)} remaining today (reported to the run that ended {last[0]:%H:%M} UTC)"
    print(f"\nopenalex: about {_money(total)} (one page of 200 works per researcher; each further page is one more "
          f"list call) against {said}")
    if total > budget:
        days = -(-total // costs.daily_budget) if costs.daily_budget > 0 else float("inf")
        print(f"openalex: more than the budget: the run stops OpenAlex when the budget is spent and the next run "
              f"resumes; about {days:.0f} days at {_money(costs.daily_budget)}/day")
    orcid_reads = plan.calls.get("orcid", {}).get("single", 0)
    if orcid_reads > settings["sources.orcid.daily_reads"]:
        print(f"orcid: {orcid_reads:,} reads is more than the {settings['sources.orcid.daily_reads']:,} a day")
    if not settings.apis.openalex.api_key and needs_key(base):
        print("openalex: no API key configured: set sources.openalex.api_key (or HIGHFENCE_OPENALEX_API_KEY) "
              "before the run")


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
