"""Keeping highfence itself: version, configuration, the database, the demo, schedules and ROR data."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import highfence
from highfence.cli.command import Command, Group, add_format, emit_json, prefect_env
from highfence.errors import HighfenceError
from highfence.cli.tables import render
from highfence.settings import Settings


class Version(Command):
    name = "version"
    help = "print the highfence version"

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        print(f"highfence {highfence.__version__}")
        return 0


class ConfigShow(Command):
    name = "show"
    help = "print every setting, its value and where the value came from"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        if args.format == "json":
            emit_json([{"key": k, "value": v, "source": s} for k, v, s in settings.rows()])
            return 0
        print(f"configuration file: {settings.config_file or 'none (defaults and environment only)'}")
        print(render(["setting", "value", "from"], settings.rows(), max_width=90))
        return 0


class DbInit(Command):
    name = "init"
    help = "create the database and bring its schema up to date"

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store
        from highfence.store import Store

        applied = Store.from_settings(settings).migrate()
        version = store.info(settings.db_path)["schema_version"]
        if applied:
            names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied)
            print(f"{settings.db_path}: schema at version {version} (applied {names})")
        else:
            print(f"{settings.db_path}: schema already at version {version}")
        return 0


class DbMigrate(DbInit):
    name = "migrate"
    help = "apply pending schema migrations"


class DbInfo(Command):
    name = "info"
    help = "schema version and row counts"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store

        info = store.info(settings.db_path)
        if args.format == "json":
            emit_json(info)
            return 0
        print(f"database: {info['path']} ({info['size_bytes'] / 1024:.0f} KiB)")
        print(f"schema version: {info['schema_version']} (latest {info['latest_version']})")
        print(render(["table", "rows"], sorted(info["tables"].items())))
        return 0


class DbVerify(Command):
    name = "verify"
    help = "check the decision log's hash chain: the first broken link, or the head to note down"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.store import Store
        from highfence.store.decision_chain import verify

        with Store.from_settings(settings).reader() as con:
            state = verify(con)
        b = state.broken
        if args.format == "json":
            emit_json({"decisions": state.decisions, "intact": b is None,
                       "head": None if b else state.head,
                       "broken": None if b is None else {"seq": b.seq, "decision_id": b.decision_id,
                                                         "problem": b.problem}})
        elif b is None:
            print(f"decision log intact: {state.decisions} decision(s), head {state.head}")
        if b is not None:
            raise HighfenceError(f"decision log broken at #{b.seq}"
                                 f"{f' (decision {b.decision_id})' if b.decision_id else ''}: {b.problem}")
        return 0


class DbPublish(Command):
    name = "publish"
    help = "publish the read copy for notebooks now"

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store

        print(f"read copy: {store.publish_read_copy(settings.db_path)}")
        return 0


class Demo(Command):
    name = "demo"
    help = "run the offline demo screening on the bundled data"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--out", default="demo-output", help="folder for the demo database and files")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence import store

        prefect_env()
        out = Path(args.out)
        db = Path(args.db) if args.db else out / "highfence-demo.duckdb"
        store.migrate(db)  # a bad database path fails here, in one line, before anything else is written
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HighfenceError(f"{out}: cannot create output folder ({exc.strerror or exc})") from None
        started = time.monotonic()
        print(f"highfence demo: screening the bundled roster against the bundled lists (database {db})",
              file=sys.stderr)
        from highfence.flows.demo import demo_flow
        from highfence.flows.engine import run_flow

        result = run_flow(demo_flow, db=db, out_dir=out)
        _print_demo(result, time.monotonic() - started)
        return 0


def _print_demo(result: dict, elapsed: float) -> None:
    print("\nLists (active snapshots)")
    print(render(["list", "outcome", "published", "entries", "snapshot"],
                 [(r["list_id"], r["outcome"], r["published"] or "", r["entries"], r["snapshot_id"])
                  for r in result["lists"]]))
    print("\nSubjects")
    print(render(["subject", "kind", "name", "observations", "findings", "lists", "relations", "disclosure"],
                 [(s["subject_id"], s["kind"], s["name"], s["observations"], s["findings"], s["lists"] or "-",
                   s["relations"] or "-", s["reconciliation"] or ("-" if s["kind"] == "institution" else "none"))
                  for s in result["subjects"]], max_width=48))
    if result["assessments"]:
        packs = sorted({p for v in result["assessments"].values() for p in v})
        print("\nRisk assessment (as of today)")
        print(render(["subject", *packs], [(sid, *[v.get(p, "-") for p in packs])
                                           for sid, v in sorted(result["assessments"].items())]))
    cl = result["checklist"]
    print(f"\nPartnership {cl['partnership']}: checklist {cl['instance']} started, {cl['prefilled']} of "
          f"{cl['items']} items pre-filled from the evidence (highfence checklist show {cl['instance']})")
    sc = result["screening"]
    print(f"\nrun {sc['run_id']}: succeeded in {elapsed:.1f}s; {sc['findings_new']} new findings, "
          f"{sc['findings_seen_again']} seen again, {sc['observations_new']} new observations "
          f"(evidence from the bundled offline mirror of OpenAlex and ROR)")
    print(f"database:  {result['db']}")
    print(f"read copy: {result['db'].removesuffix('.duckdb')}.read.duckdb (open this one from notebooks)")
    print(f"findings:  {result['findings_csv']}")
    for path in result["reports"]:
        print(f"report:    {path}")


class Serve(Command):
    name = "serve"
    help = "register and run the scheduled deployments (needs a Prefect server)"

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.flows.engine import prefect_api_configured

        prefect_env()
        if not prefect_api_configured():
            raise HighfenceError("schedules need a Prefect server: start one ('prefect server start') and set "
                                 "PREFECT_API_URL (e.g. http://127.0.0.1:4200/api), or use Prefect Cloud")
        from highfence.flows.deploy import serve

        print(f"serving refresh-lists ({settings.schedule.refresh_lists}), screen-full "
              f"({settings.schedule.screen_full}), screen-delta and report-roster; timezone "
              f"{settings.schedule.timezone}; database {settings.db_path}", flush=True)
        serve(settings)
        return 0


class RorLoad(Command):
    name = "load"
    help = "load a ROR data dump (Zenodo zip, JSON, or JSON lines, gzipped or not)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("path", metavar="PATH")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.connectors.ror import organisation_row, read_dump
        from highfence.matching.resources import crosswalk
        from highfence.matching.ror_family import family
        from highfence.store import Store
        from highfence.store import organisations as org_store

        st = Store.from_settings(settings)
        st.migrate()
        rows = [organisation_row(r) for r in read_dump(Path(args.path))]
        roots = sorted({row.ror_id for row in crosswalk()})
        with st.writer() as con:
            n = org_store.upsert(con, rows, str(args.path))
            # the family from everything the store now holds: a dump loaded in parts still gives whole families
            members = family(org_store.family_records(con), roots)
            org_store.replace_family(con, [m.to_json() for m in members])
        counts = {r: sum(1 for m in members if m.relation == r) for r in ("descendant", "predecessor", "successor")}
        print(f"{n} ROR organisations loaded from {args.path}")
        print(f"ROR family of {len({m.root for m in members})} of {len(roots)} crosswalked organisations: "
              f"{counts['descendant']} units, {counts['predecessor']} predecessors, {counts['successor']} successors")
        return 0


CONFIG = Group("config", "show the effective configuration", "configuration", (ConfigShow,))
DB = Group("db", "create, upgrade and inspect the database", "the DuckDB store",
           (DbInit, DbMigrate, DbInfo, DbVerify, DbPublish))
ROR = Group("ror", "ROR organisations", "ROR", (RorLoad,))
