"""The `highfence` command. Errors are one line on stderr: exit 1 for a failed operation, 2 for bad usage."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from highfence.flows.tables import render
from highfence import HighfenceError, __version__
from highfence.settings import Settings, load_settings


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def emit_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _prefect_env() -> None:
    from highfence.flows.engine import prepare_prefect

    prepare_prefect()


# --- commands -------------------------------------------------------------------------------------------------

def cmd_version(args, settings: Settings) -> int:
    print(f"highfence {__version__}")
    return 0


def cmd_config_show(args, settings: Settings) -> int:
    if args.format == "json":
        emit_json([{"key": k, "value": v, "source": s} for k, v, s in settings.rows()])
        return 0
    print(f"configuration file: {settings.config_file or 'none (defaults and environment only)'}")
    print(render(["setting", "value", "from"], settings.rows(), max_width=90))
    return 0


def _usage(message: str) -> int:
    raise HighfenceError(message)


def cmd_db_init(args, settings: Settings) -> int:
    from highfence import store

    applied = store.migrate(settings.db_path, lock_timeout=settings.store.lock_timeout)
    version = store.info(settings.db_path)["schema_version"]
    if applied:
        print(f"{settings.db_path}: schema at version {version} (applied {', '.join(f'{m.version:04d}_{m.name}' for m in applied)})")
    else:
        print(f"{settings.db_path}: schema already at version {version}")
    return 0


def cmd_db_info(args, settings: Settings) -> int:
    from highfence import store

    info = store.info(settings.db_path)
    if args.format == "json":
        emit_json(info)
        return 0
    print(f"database: {info['path']} ({info['size_bytes'] / 1024:.0f} KiB)")
    print(f"schema version: {info['schema_version']} (latest {info['latest_version']})")
    print(render(["table", "rows"], sorted(info["tables"].items())))
    return 0


def cmd_demo(args, settings: Settings) -> int:
    from highfence import store

    _prefect_env()
    out = Path(args.out)
    db = Path(args.db) if args.db else out / "highfence-demo.duckdb"
    store.migrate(db)  # a bad database path fails here, in one line, before anything else is written
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HighfenceError(f"{out}: cannot create output folder ({exc.strerror or exc})") from None
    started = time.monotonic()
    print(f"highfence demo: screening the bundled roster against the bundled lists (database {db})", file=sys.stderr)
    from highfence.flows.demo import demo_flow
    from highfence.flows.engine import run_flow

    result = run_flow(demo_flow, db=db, out_dir=out)
    elapsed = time.monotonic() - started
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
    return 0


def cmd_lists_load(args, settings: Settings) -> int:
    from highfence.flows.lists import load_list

    from highfence.store import Store

    r = load_list(Store.from_settings(settings), args.list_id, Path(args.file), force=args.force,
                  max_drop=settings.watchlists.max_drop)
    _print_load(r)
    return 0


def _print_load(r) -> None:
    counts = ", ".join(f"{v} {k}" for k, v in r.counts.items() if v)
    changes = (" (" + ", ".join(f"{v} {k}" for k, v in r.changes.items()) + ")") if r.changes else ""
    verb = "activated" if r.outcome == "activated" else "unchanged, identical to the active snapshot"
    print(f"{r.list_id}: {verb}: {r.snapshot_id}, {r.entries} entries [{counts}]{changes}")


def cmd_lists_refresh(args, settings: Settings) -> int:
    from highfence.flows.refresh import refresh_lists

    failures = 0
    for list_id, result in refresh_lists(settings, args.list_ids or None, force=args.force):
        if isinstance(result, Exception):
            failures += 1
            print(f"highfence: error: {result}", file=sys.stderr)
        else:
            _print_load(result)
    return 1 if failures else 0


def cmd_lists_status(args, settings: Settings) -> int:
    from highfence import store
    from highfence.store import lists as list_store

    with store.reader(settings.db_path) as con:
        rows = list_store.status(con)
    if args.format == "json":
        emit_json([{"list_id": r["list_id"], "snapshot_id": r["snapshot_id"], "entries": r["entries"],
                    "organizations": r["organizations"], "persons": r["persons"], "vessels": r["vessels"],
                    "other": r["other"], "published": r["published"], "retrieved_at": r["retrieved_at"],
                    "activated_at": r["activated_at"], "sha256": r["sha256"], "source": r["source"]}
                   for r in rows])
        return 0
    if not rows:
        print("no lists loaded (highfence watchlists load LIST_ID --file PATH)")
        return 0
    print(render(["list", "published", "retrieved", "entries", "orgs", "persons", "other", "sha256"],
                 [(r["list_id"], r["published"] or "-", f"{r['retrieved_at']:%Y-%m-%d %H:%M}", r["entries"],
                   r["organizations"], r["persons"], r["vessels"] + r["other"], r["sha256"][:16])
                  for r in rows]))
    return 0


def cmd_lists_snapshots(args, settings: Settings) -> int:
    from highfence import store
    from highfence.store import lists as list_store

    with store.reader(settings.db_path) as con:
        rows = list_store.snapshots(con, args.list_id)
    print(render(["snapshot", "published", "retrieved", "entries", "active"],
                 [(r["snapshot_id"], r["published"] or "-", f"{r['retrieved_at']:%Y-%m-%d %H:%M:%S}", r["entries"],
                   "yes" if r["active"] else "") for r in rows]))
    return 0


def cmd_lists_diff(args, settings: Settings) -> int:
    from highfence import store
    from highfence.store import lists as list_store
    from highfence.watchlists.snapshots import diff_entries

    with store.reader(settings.db_path) as con:
        active = list_store.active_snapshot(con, args.list_id)
        to_id = args.to or (active and active["snapshot_id"])
        from_id = args.from_ or list_store.previous_activated(con, args.list_id)
        if not to_id:
            raise HighfenceError(f"{args.list_id}: no active snapshot")
        if not from_id:
            raise HighfenceError(f"{args.list_id}: only one snapshot so far; give --from SNAPSHOT to compare")
        known = {r["snapshot_id"] for r in list_store.snapshots(con, args.list_id)}
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


def cmd_lists_search(args, settings: Settings) -> int:
    from highfence import store
    from highfence.store import lists as list_store

    with store.reader(settings.db_path) as con:
        rows = list_store.search(con, args.text)
    if args.format == "json":
        emit_json(rows)
        return 0
    if not rows:
        print(f"no listed name or alias equals '{args.text}' (exact look-up after folding case and punctuation)")
        return 0
    print(render(["list", "entry", "kind", "name", "matched", "countries"],
                 [(r["list_id"], r["entry_id"], r["kind"], r["name"],
                   f"{r['matched_name']} ({r['name_kind']})", ",".join(r["countries"])) for r in rows]))
    return 0


def cmd_match(args, settings: Settings) -> int:
    from highfence.flows.active_lists import build_matcher
    from highfence.flows.match_csv import match_file
    from highfence.flows.screen import scale_settings
    from highfence.matching import Thresholds

    thresholds = Thresholds(settings.matching.match_threshold, settings.matching.review_threshold)
    if bool(args.text) == bool(args.input):
        raise HighfenceError("give either TEXT or --input FILE.csv (with --output FILE.csv)")
    if args.input and not args.output:
        raise HighfenceError("--input needs --output FILE.csv")
    matcher = build_matcher(settings.db_path, args.lists or None, thresholds)
    runner, address, workers = scale_settings(settings, args.task_runner, args.dask_address)
    if args.input and runner:
        import csv

        from highfence.flows.match_csv import OUTPUT_COLUMNS, read_inputs
        from highfence.flows.scale import match_partitioned

        _prefect_env()
        started = time.monotonic()
        inputs = read_inputs(Path(args.input))
        workers = max(args.workers, 1) if args.workers else workers
        out_rows = match_partitioned(matcher, inputs, runner, address, workers)
        with Path(args.output).open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(OUTPUT_COLUMNS)
            w.writerows(out_rows)
        print(f"matched {len(inputs)} strings on a {runner} task runner in {time.monotonic() - started:.1f}s:"
              f" {len(out_rows)} rows at or above the review threshold -> {args.output}")
        return 0
    if args.input:
        started = time.monotonic()
        n, rows = match_file(matcher, Path(args.input), Path(args.output), max(args.workers or 1, 1))
        elapsed = time.monotonic() - started
        print(f"matched {n} strings in {elapsed:.1f}s: {rows} rows at or above the review threshold -> {args.output}")
        return 0
    results = matcher.match(args.text, args.country)
    matches = [r for r in matcher.match_ror(args.ror)] if args.ror else []
    results = matches + results
    if args.format == "json":
        emit_json([{"list_id": m.list_id, "entry_id": m.entry_id, "entry_name": m.entry_name,
                    "matched_name": m.matched_name, "score": m.score, "decision": m.decision,
                    "explanation": m.explanation} for m in results])
        return 0
    if not results:
        print(f"no list entry at or above the review threshold ({thresholds.review:.0f}) for '{args.text}'")
        return 0
    print(render(["list", "entry", "entry name", "score", "decision"],
                 [(m.list_id, m.entry_id, m.entry_name, f"{m.score:.0f}", m.decision) for m in results]))
    print()
    for m in results:
        print(f"- {m.list_id} {m.entry_id} ({m.score:.0f}, {m.decision}): {m.explanation}")
    return 0


def _since(args, settings: Settings) -> int:
    from datetime import date

    return args.since or date.today().year - settings.screening.window_years


def _print_screen(outcome: dict, db) -> None:
    print(f"run {outcome['run_id']}: {outcome['subjects']} subjects, {outcome['observations_new']} new observations"
          + (f", {outcome['findings_new']} new findings, {outcome['findings_seen_again']} seen again"
             if "findings_new" in outcome else ""))
    if outcome["errors"]:
        print("\nNot collected (the run went on without them):")
        print(render(["subject", "source", "error"], outcome["errors"], max_width=100))
    if outcome["needs_pin"]:
        print("\nResearchers given by name only: pin an OpenAlex author to collect their works")
        from highfence import store

        with store.reader(db) as con:
            rows = con.execute("""SELECT subject_id, openalex_id, display_name, institutions, works_count
                                  FROM author_candidates WHERE list_contains(?, subject_id)
                                  ORDER BY subject_id, works_count DESC""", [outcome["needs_pin"]]).fetchall()
        print(render(["subject", "openalex id", "name", "institutions", "works"], rows))
        print("highfence roster pin SUBJECT_ID OPENALEX_ID")


def cmd_collect(args, settings: Settings, collect_only: bool = True) -> int:
    _prefect_env()
    from highfence.flows.engine import run_flow
    from highfence.flows.screen import screen_flow

    outcome = run_flow(screen_flow, db=settings.db_path, settings=settings, roster=Path(args.roster),
                          since=_since(args, settings), collect_only=collect_only,
                          task_runner=args.task_runner, dask_address=args.dask_address)
    _print_screen(outcome, settings.db_path)
    return 0


def cmd_screen(args, settings: Settings) -> int:
    if args.delta or not args.roster:
        if not args.delta:
            raise HighfenceError("--roster FILE is needed (or --delta to re-screen stored evidence after a list change)")
        from highfence.flows.screen import rescreen

        started = time.monotonic()
        outcome = rescreen(settings.db_path, settings, delta=True, task_runner=args.task_runner,
                           dask_address=args.dask_address)
        print(f"run {outcome['run_id']} (delta, {time.monotonic() - started:.1f}s): {outcome.get('entries_rescreened', 0)} "
              f"changed or added entries re-screened; {outcome['findings_new']} new findings, "
              f"{outcome['findings_retired']} no longer produced; findings of removed entries are now 'delisted'")
        return 0
    return cmd_collect(args, settings, collect_only=False)


def _finding_rows(con, args) -> list[dict]:
    sql = """SELECT f.finding_id, f.subject_id, f.relation, f.observed_name, f.evidence_id, f.evidence_year, f.list_id,
                    f.entry_name, f.score, f.decision, s.status, s.status_reason
             FROM v_findings f JOIN v_finding_status s USING (finding_id) WHERE 1=1"""
    params: list = []
    for col, values in (("s.status", args.status), ("f.subject_id", args.subject), ("f.list_id", args.list)):
        if values:
            sql += f" AND list_contains(?, {col})"
            params.append(values)
    cur = con.execute(sql + " ORDER BY f.subject_id, f.relation, f.list_id, f.evidence_id", params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def cmd_findings_list(args, settings: Settings) -> int:
    from highfence import store

    with store.reader(settings.db_path) as con:
        rows = _finding_rows(con, args)
    if args.format == "json":
        emit_json(rows)
        return 0
    print(render(["finding", "subject", "relation", "observed", "evidence", "year", "list", "entry", "score",
                  "status"],
                 [(r["finding_id"], r["subject_id"], r["relation"], r["observed_name"], r["evidence_id"],
                   r["evidence_year"] or "", r["list_id"], r["entry_name"], f"{r['score']:.0f}", r["status"])
                  for r in rows], max_width=40))
    print(f"{len(rows)} finding(s)")
    return 0


def cmd_findings_show(args, settings: Settings) -> int:
    from highfence import store

    with store.reader(settings.db_path) as con:
        cur = con.execute("""SELECT f.*, s.status, s.status_reason, s.case_key FROM v_findings f
                             JOIN v_finding_status s USING (finding_id) WHERE finding_id = ?""", [args.finding_id])
        rows = cur.fetchall()
        if not rows:
            raise HighfenceError(f"no finding {args.finding_id!r} (see 'highfence findings list')")
        f = dict(zip([d[0] for d in cur.description], rows[0]))
        log = con.execute("""SELECT decided_at, decided_by, previous_status, status, reason FROM decisions
                             WHERE case_key = ? ORDER BY decided_at""", [f["case_key"]]).fetchall()
    if args.format == "json":
        emit_json({**f, "decisions": [dict(zip(("decided_at", "decided_by", "previous_status", "status", "reason"), d))
                                      for d in log]})
        return 0
    sections = [
        ("Finding", [("id", f["finding_id"]), ("status", f"{f['status']}" + (f" ({f['status_reason']})"
                                                                                if f["status_reason"] else "")),
                     ("decision", f"{f['decision']} (score {f['score']:.0f})")]),
        ("Subject", [("id", f["subject_id"]), ("name", f["subject_name"]), ("relation", f["relation"])]),
        ("Observed", [("organisation", f["observed_name"]), ("ROR", f["observed_ror"] or "-"),
                      ("evidence", f"{f['evidence_id']} ({f['evidence_year'] or '-'})"),
                      ("source", f"{f['evidence_source']} {f['evidence_url'] or ''}"),
                      ("retrieved", f["evidence_retrieved_at"])]),
        ("List entry", [("list", f["list_id"]), ("entry", f"{f['entry_id']}: {f['entry_name']}"),
                        ("matched name", f["matched_name"]),
                        ("snapshot", f"{f['snapshot_id']} published {f['list_published'] or '-'}"),
                        ("source", f["list_source_url"] or "-"), ("sha256", f["list_sha256"])]),
        ("Why", [("explanation", f["explanation"])]),
    ]
    for title, items in sections:
        print(title)
        for k, v in items:
            print(f"  {k:<13} {v}")
    if log:
        print("Decisions")
        print(render(["when", "by", "from", "to", "reason"], log, max_width=60))
    return 0


def cmd_review(args, settings: Settings) -> int:
    from highfence import store
    from highfence.store.review import DecisionRequest, apply_all

    store.migrate(settings.db_path)
    by = args.by or os.environ.get("USER") or ""
    with store.connect(settings.db_path) as con, store.transaction(con):
        [done] = apply_all(con, [("", DecisionRequest(args.finding_id, args.decision, args.reason or "", by))])
    print(f"{done['finding_id']}: {done['previous_status']} -> {done['status']} (decision {done['decision_id']})")
    return 0


def cmd_review_import(args, settings: Settings) -> int:
    import csv

    from highfence import store
    from highfence.store.review import DecisionRequest, apply_all

    path = Path(args.file)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in ("finding_id", "decision", "reason") if c not in (reader.fieldnames or [])]
            if missing:
                raise HighfenceError(f"{path}, row 1: missing column(s) {', '.join(missing)} "
                                     "(finding_id,decision,reason[,by])")
            requests = [(f"{path}, row {reader.line_num}: ",
                         DecisionRequest((r["finding_id"] or "").strip(), (r["decision"] or "").strip(),
                                         r["reason"] or "", (r.get("by") or args.by or os.environ.get("USER") or "")))
                        for r in reader]
    except FileNotFoundError:
        raise HighfenceError(f"{path}: file not found") from None
    with store.connect(settings.db_path) as con, store.transaction(con):
        done = apply_all(con, requests)
    print(f"{len(done)} decision(s) applied from {path}")
    return 0


def cmd_db_publish(args, settings: Settings) -> int:
    from highfence import store

    print(f"read copy: {store.publish_read_copy(settings.db_path)}")
    return 0


def cmd_roster_pin(args, settings: Settings) -> int:
    from highfence import store
    from highfence.store.db import utcnow

    store.migrate(settings.db_path)
    openalex_id = args.openalex_id.rstrip("/").rsplit("/", 1)[-1]
    if not (openalex_id[:1] == "A" and openalex_id[1:].isdigit()):
        raise HighfenceError(f"not an OpenAlex author id: {args.openalex_id!r} (like A5023888391)")
    with store.connect(settings.db_path) as con, store.transaction(con):
        con.execute("INSERT INTO roster_pins VALUES (?, ?, ?, ?)",
                    [args.subject_id, openalex_id, utcnow(), args.by or os.environ.get("USER")])
    print(f"{args.subject_id}: pinned to OpenAlex author {openalex_id}; the next collect uses it")
    return 0


def cmd_findings_export(args, settings: Settings) -> int:
    import csv
    import io

    from highfence import store
    from highfence.store.findings_export import EXPORT_COLUMNS, export_rows

    with store.reader(settings.db_path) as con:
        rows = export_rows(con, include_restricted=args.include_restricted)
    if args.format == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=2, default=_json_default) + "\n"
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        text = buf.getvalue()
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(rows)} findings -> {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_disclosures_template(args, settings: Settings) -> int:
    from highfence.disclosures.templates import write_template

    paths = write_template(Path(args.out), args.lang)
    print("\n".join(f"wrote {p}" for p in paths))
    return 0


def cmd_disclosures_load(args, settings: Settings) -> int:
    from highfence.flows.reconcile import load_disclosures

    from highfence.store import Store

    n, ids = load_disclosures(Store.from_settings(settings), Path(args.file))
    print(f"{args.file}: {n} researcher(s) validated; {len(ids)} new disclosure version(s) stored "
          f"({n - len(ids)} unchanged)")
    return 0


def cmd_disclosures_check(args, settings: Settings) -> int:
    from highfence.disclosures.load import DisclosureErrors, read_disclosures

    try:
        found = read_disclosures(Path(args.file))
    except DisclosureErrors as exc:
        print(render(["file", "sheet", "row", "column", "problem"],
                     [(p.file, p.sheet or "", p.row or "", p.column or "", p.message) for p in exc.problems],
                     max_width=80))
        return 1
    print(f"{args.file}: {len(found)} researcher(s), no problems")
    return 0


def cmd_reconcile(args, settings: Settings) -> int:
    from highfence.flows.reconcile import reconcile_store
    from highfence.matching import Thresholds

    from highfence.store import Store

    outcome = reconcile_store(Store.from_settings(settings), args.subject,
                              args.window_years or settings.screening.window_years,
                              Thresholds(settings.matching.match_threshold, settings.matching.review_threshold))
    print(f"run {outcome['run_id']}: {outcome['researchers']} researcher(s) reconciled over "
          f"{outcome['window'][0]}–{outcome['window'][1]}: {outcome['findings']} finding(s)")
    if outcome["by_type"]:
        print(render(["finding type", "count"], sorted(outcome["by_type"].items())))
    return 0


def cmd_report(args, settings: Settings) -> int:
    from highfence import store
    from highfence.reports.build import build
    from highfence.reports.render import write

    if args.report_kind != "roster" and not args.ident:
        raise HighfenceError(f"report {args.report_kind} needs a subject id (or a ROR id for a partner)")
    with store.reader(settings.db_path) as con:
        model = build(con, args.report_kind, args.ident, args.lang, args.include_restricted)
    name = model.get("subject", {}).get("subject_id") or (args.ident if args.report_kind == "partnership" else "roster")
    out = Path(args.out or f"report-{args.report_kind}-{name}-{args.lang}.{args.format}")
    write(model, args.format, out)
    print(f"{args.report_kind} report ({args.lang}, {args.format}): {out}")
    return 0


def cmd_rules_list(args, settings: Settings) -> int:
    from highfence.risk.packs import available

    packs = available()
    print(render(["pack", "version", "effective from", "jurisdiction", "outcomes", "title"],
                 [(p.id, p.version, p.effective_from, p.doc.get("jurisdiction"), " < ".join(p.outcomes),
                   p.doc["title"]["en"]) for p in packs.values()], max_width=70))
    return 0


def cmd_rules_show(args, settings: Settings) -> int:
    from highfence.risk.packs import get

    pack = get(args.pack)
    print(Path(pack.path).read_text(encoding="utf-8"))
    return 0


def cmd_rules_validate(args, settings: Settings) -> int:
    from highfence.risk.packs import load

    pack = load(args.file)
    print(f"{args.file}: valid rule pack {pack.id} {pack.version} ({len(pack.doc['factors'])} factors)")
    return 0


def cmd_assess(args, settings: Settings) -> int:
    import datetime as dt

    from highfence.flows.assess import assess
    from highfence.risk.packs import get

    pack = get(args.pack)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    results = assess(settings.db_path, pack, as_of, args.subject, args.area, settings.store.lock_timeout)
    if args.format == "json":
        emit_json([a.to_json() for a in results])
        return 0
    print(f"{pack.id} {pack.version}, as of {as_of}")
    print(render(["subject", "outcome", "triggered factors", "areas"],
                 [(a.subject_id, a.outcome, ", ".join(t["factor"] for t in a.triggers) or "-",
                   ", ".join(sorted({x["area"] for x in a.areas})) or "-") for a in results], max_width=60))
    return 0


def cmd_partnerships_add(args, settings: Settings) -> int:
    from highfence.flows.partnerships import Partnership, add_partnership, read_partnerships

    if args.file:
        items = read_partnerships(Path(args.file))
    else:
        if not (args.partnership_id and args.title and args.partner):
            raise HighfenceError("give PARTNERSHIP_ID --title ... --partner ... (or --file FILE.csv)")
        items = [Partnership(args.partnership_id, args.title, args.partner, args.researcher or [], args.agreement,
                             args.summary, args.area, args.start, args.end, args.programme)]
    for p in items:
        add_partnership(settings.db_path, p)
        print(f"partnership {p.partnership_id}: {p.title}")
    return 0


def cmd_partnerships_list(args, settings: Settings) -> int:
    from highfence import store

    with store.reader(settings.db_path) as con:
        rows = con.execute("""SELECT partnership_id, title, agreement_type, partners::VARCHAR, researchers::VARCHAR
                              FROM partnerships ORDER BY 1""").fetchall()
    print(render(["partnership", "title", "agreement", "partners", "researchers"],
                 [(a, b, c, ", ".join(x["name"] for x in json.loads(d)), ", ".join(json.loads(e)))
                  for a, b, c, d, e in rows]))
    return 0


def cmd_partnerships_show(args, settings: Settings) -> int:
    from highfence import store
    from highfence.flows.partnerships import get_partnership

    with store.reader(settings.db_path) as con:
        emit_json(get_partnership(con, args.partnership_id))
    return 0


def cmd_checklist_start(args, settings: Settings) -> int:
    from highfence.flows.partnerships import start_checklist

    if not args.partnership_id and not args.institution:
        raise HighfenceError("give PARTNERSHIP_ID, or --institution for the institution readiness checklist")
    iid, n = start_checklist(settings.db_path, None if args.institution else args.partnership_id, args.lang)
    print(f"checklist {iid} started; {n} item(s) pre-filled from the evidence "
          f"(highfence checklist show {iid})")
    return 0


def cmd_checklist_answer(args, settings: Settings) -> int:
    from highfence.flows.partnerships import answer

    answer(settings.db_path, args.instance, args.item, args.value, args.note, args.by or os.environ.get("USER") or "analyst")
    print(f"{args.instance} {args.item}: {args.value}")
    return 0


def cmd_checklist_show(args, settings: Settings) -> int:
    from highfence import store
    from highfence.flows.partnerships import show

    with store.reader(settings.db_path) as con:
        data = show(con, args.instance)
    if args.format == "json":
        emit_json(data["items"])
        return 0
    print(render(["item", "answer", "source", "text", "note"],
                 [(i["item_id"], i["answer"] or "?", i["source"] or "", i["text"], i["note"] or "")
                  for i in data["items"]], max_width=70))
    return 0


def cmd_checklist_readiness(args, settings: Settings) -> int:
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


def cmd_serve(args, settings: Settings) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not os.environ.get("PREFECT_API_URL"):
        raise HighfenceError("schedules need a Prefect server: start one ('prefect server start') and set "
                             "PREFECT_API_URL (e.g. http://127.0.0.1:4200/api), or use Prefect Cloud")
    from highfence.flows.deploy import serve

    print(f"serving refresh-lists ({settings.schedule.refresh_lists}), screen-full "
          f"({settings.schedule.screen_full}), screen-delta and report-roster; timezone "
          f"{settings.schedule.timezone}; database {settings.db_path}", flush=True)
    serve(settings)
    return 0


def cmd_ror_load(args, settings: Settings) -> int:
    from highfence import store
    from highfence.connectors.ror import organisation_row, read_dump
    from highfence.store import organisations as org_store

    store.migrate(settings.db_path)
    rows = [organisation_row(r) for r in read_dump(Path(args.path))]
    with store.connect(settings.db_path) as con, store.transaction(con):
        n = org_store.upsert(con, rows, str(args.path))
    print(f"{n} ROR organisations loaded from {args.path}")
    return 0


# --- parser ---------------------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="highfence", description="Due diligence for research security.")
    p.add_argument("--config", help="configuration file (default ./highfence.toml, or $HIGHFENCE_CONFIG)")
    p.add_argument("--db", help="database file (overrides store.db / $HIGHFENCE_DB)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(parent, name: str, func: Callable, help: str) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help, description=help)
        sp.set_defaults(func=func)
        return sp

    def fmt(sp, choices=("table", "json")):
        sp.add_argument("--format", choices=choices, default="table", help="output format (default table)")

    add(sub, "version", cmd_version, "print the highfence version")

    config = sub.add_parser("config", help="show the effective configuration", description="configuration")
    csub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    fmt(add(csub, "show", cmd_config_show, "print every setting, its value and where the value came from"))

    db = sub.add_parser("db", help="create, upgrade and inspect the database", description="the DuckDB store")
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add(dsub, "init", cmd_db_init, "create the database and bring its schema up to date")
    add(dsub, "migrate", cmd_db_init, "apply pending schema migrations")
    fmt(add(dsub, "info", cmd_db_info, "schema version and row counts"))

    demo = add(sub, "demo", cmd_demo, "run the offline demo screening on the bundled data")
    demo.add_argument("--out", default="demo-output", help="folder for the demo database and files")

    wl = sub.add_parser("watchlists", help="load, refresh and inspect official lists", description="watchlists")
    wsub = wl.add_subparsers(dest="watchlists_command", metavar="ACTION", required=True)
    load = add(wsub, "load", cmd_lists_load, "load a list file as a new snapshot (validated before it is activated)")
    load.add_argument("list_id", metavar="LIST_ID", help="us_csl, us_ofac_sdn, us_ofac_cons, jp_meti_eul, ca_nro, "
                      "un_sc, us_dod_1286, us_dod_1260h, aspi_unitracker, or custom:<name>")
    load.add_argument("--file", required=True, help="the list file (for OFAC CSV sets: the folder or the main file)")
    load.add_argument("--force", action="store_true", help="activate even if the entry count drops sharply")
    refresh = add(wsub, "refresh", cmd_lists_refresh, "download lists from their publishers and load them")
    refresh.add_argument("list_ids", nargs="*", metavar="LIST_ID", help="lists to refresh (default: all downloadable)")
    refresh.add_argument("--force", action="store_true", help="activate even if the entry count drops sharply")
    fmt(add(wsub, "status", cmd_lists_status, "the active snapshot of each list"))
    snaps = add(wsub, "snapshots", cmd_lists_snapshots, "every snapshot of one list")
    snaps.add_argument("list_id", metavar="LIST_ID")
    diff = add(wsub, "diff", cmd_lists_diff, "entries added, removed and changed between two snapshots")
    diff.add_argument("list_id", metavar="LIST_ID")
    diff.add_argument("--from", dest="from_", metavar="SNAPSHOT", help="default: the previously active snapshot")
    diff.add_argument("--to", metavar="SNAPSHOT", help="default: the active snapshot")
    fmt(diff)
    search = add(wsub, "search", cmd_lists_search, "exact look-up of a name or alias in the active lists")
    search.add_argument("text", metavar="TEXT")
    fmt(search)
    match = add(sub, "match", cmd_match, "match affiliation strings to the active lists, with explanations")
    match.add_argument("text", nargs="?", metavar="TEXT", help="one affiliation string: prints the top candidates")
    match.add_argument("--input", metavar="FILE.csv", help="CSV with header id,affiliation[,country]")
    match.add_argument("--output", metavar="FILE.csv",
                       help="CSV: id,list_id,entry_id,matched_name,score,decision,explanation")
    match.add_argument("--lists", nargs="+", metavar="LIST_ID", help="only these lists (default: all active)")
    match.add_argument("--country", help="country of the string's organisation, when known (ISO code or name)")
    match.add_argument("--ror", help="with TEXT: the organisation's ROR id, linked exactly through the crosswalk")
    match.add_argument("--workers", type=int, help="processes for --input (default 1; with a task runner: "
                       "scale.workers)")
    match.add_argument("--task-runner", choices=("thread", "process", "dask"),
                       help="run --input as a Prefect flow partitioned over this task runner")
    match.add_argument("--dask-address", help="with --task-runner dask: an existing cluster (default: a local one)")
    fmt(match)

    collect = add(sub, "collect", cmd_collect, "collect open-source evidence (OpenAlex, ORCID, Crossref, ROR) for a roster")
    screen = add(sub, "screen", cmd_screen, "collect evidence for a roster, then screen it against the active lists")
    for sp in (collect, screen):
        sp.add_argument("--roster", required=sp is collect, help="CSV or XLSX: subject_id,kind,name,orcid,openalex_id,"
                        "ror_id,home_institution")
        sp.add_argument("--since", type=int, help="first publication year (default: this year - window_years)")
        sp.add_argument("--task-runner", choices=("thread", "process", "dask"),
                        help="collect subjects (and match observation chunks) in parallel on this task runner; API "
                             "rate limits hold across workers (default: scale.task_runner)")
        sp.add_argument("--dask-address", help="with --task-runner dask: an existing cluster (default: a local one)")
    screen.add_argument("--delta", action="store_true",
                        help="after a list refresh: re-screen stored evidence against added and changed entries only")

    roster = sub.add_parser("roster", help="pin researchers to OpenAlex authors", description="roster")
    rsub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    pin = add(rsub, "pin", cmd_roster_pin, "pin a name-only researcher to an OpenAlex author id")
    pin.add_argument("subject_id", metavar="SUBJECT_ID")
    pin.add_argument("openalex_id", metavar="OPENALEX_ID")
    pin.add_argument("--by", help="who pinned it (default $USER)")

    findings = sub.add_parser("findings", help="export findings", description="findings")
    fsub = findings.add_subparsers(dest="findings_command", metavar="ACTION", required=True)
    flist = add(fsub, "list", cmd_findings_list, "findings with their review status")
    flist.add_argument("--status", nargs="+", choices=("open", "confirmed", "dismissed", "escalated", "delisted",
                                                         "superseded"))
    flist.add_argument("--subject", nargs="+")
    flist.add_argument("--list", nargs="+")
    fmt(flist)
    fshow = add(fsub, "show", cmd_findings_show, "one finding's whole evidence chain, explanation and decisions")
    fshow.add_argument("finding_id", metavar="FINDING_ID")
    fmt(fshow)
    export = add(fsub, "export", cmd_findings_export, "findings with their evidence as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument("--include-restricted", action="store_true",
                        help="include findings from NDA collaborations (restricted role only)")

    review = sub.add_parser("review", help="record analyst decisions on findings",
                            description="review FINDING_ID --decision ... --reason ..., or review import FILE.csv")
    review.add_argument("finding_id", metavar="FINDING_ID|import")
    review.add_argument("file", nargs="?", metavar="FILE.csv", help="with 'import': finding_id,decision,reason[,by]")
    review.add_argument("--decision", choices=("confirm", "dismiss", "escalate"))
    review.add_argument("--reason")
    review.add_argument("--by", help="who decides (default $USER)")
    review.set_defaults(func=lambda a, s: cmd_review_import(a, s) if a.finding_id == "import" else (
        cmd_review(a, s) if a.decision else _usage("review needs --decision and --reason")))
    add(dsub, "publish", cmd_db_publish, "publish the read copy for notebooks now")

    disc = sub.add_parser("disclosures", help="researchers' self-disclosures", description="disclosures")
    dsub2 = disc.add_subparsers(dest="disclosures_command", metavar="ACTION", required=True)
    tmpl = add(dsub2, "template", cmd_disclosures_template,
               "write a blank template: .xlsx, or a folder of CSV files with the JSON Schema")
    tmpl.add_argument("--lang", choices=("ja", "en"), default="ja")
    tmpl.add_argument("--out", required=True)
    dload = add(dsub2, "load", cmd_disclosures_load, "validate and store disclosures (JSON, XLSX, CSV)")
    dload.add_argument("file", metavar="FILE")
    dcheck = add(dsub2, "check", cmd_disclosures_check, "list every problem in a disclosure file, store nothing")
    dcheck.add_argument("file", metavar="FILE")

    rep = add(sub, "report", cmd_report, "partner, researcher or roster report in Japanese or English")
    rep.add_argument("report_kind", choices=("partner", "researcher", "roster", "partnership"),
                     metavar="partner|researcher|roster|partnership")
    rep.add_argument("ident", nargs="?", metavar="ROR_ID|SUBJECT_ID")
    rep.add_argument("--lang", choices=("ja", "en"), default="en")
    rep.add_argument("--format", choices=("html", "md", "json", "xlsx"), default="html")
    rep.add_argument("--out", help="file to write (default report-KIND-ID-LANG.FORMAT)")
    rep.add_argument("--include-restricted", action="store_true", help="include NDA-restricted items")

    rules = sub.add_parser("rules", help="risk rule packs", description="rule packs")
    rsub2 = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    add(rsub2, "list", cmd_rules_list, "the rule packs available")
    rshow = add(rsub2, "show", cmd_rules_show, "one pack as written")
    rshow.add_argument("pack", metavar="PACK")
    rval = add(rsub2, "validate", cmd_rules_validate, "check a pack file against the schema (and the fairness rule)")
    rval.add_argument("file", metavar="FILE")
    assess_p = add(sub, "assess", cmd_assess, "assess researchers under a rule pack as of a date")
    assess_p.add_argument("--pack", required=True, help="pack id (rules list) or a YAML file")
    assess_p.add_argument("--subject")
    assess_p.add_argument("--as-of", help="YYYY-MM-DD (default today)")
    assess_p.add_argument("--area", help="proposal text to classify into technology areas with the works")
    fmt(assess_p)

    part = sub.add_parser("partnerships", help="partnerships and applications", description="partnerships")
    psub = part.add_subparsers(dest="partnerships_command", metavar="ACTION", required=True)
    padd = add(psub, "add", cmd_partnerships_add, "add a partnership (or load many from CSV)")
    padd.add_argument("partnership_id", nargs="?", metavar="PARTNERSHIP_ID")
    padd.add_argument("--title")
    padd.add_argument("--partner", nargs="+", help="roster subject id, ROR id or name")
    padd.add_argument("--researcher", nargs="+", help="roster subject ids")
    padd.add_argument("--agreement", default="joint_research", choices=("mou", "contract", "joint_research", "nda",
                                                                       "other"))
    padd.add_argument("--summary")
    padd.add_argument("--area", nargs="+")
    padd.add_argument("--start")
    padd.add_argument("--end")
    padd.add_argument("--programme")
    padd.add_argument("--file", help="CSV: partnership_id,title,partners,researchers,agreement_type,...")
    add(psub, "list", cmd_partnerships_list, "every partnership")
    pshow = add(psub, "show", cmd_partnerships_show, "one partnership")
    pshow.add_argument("partnership_id", metavar="PARTNERSHIP_ID")

    chk = sub.add_parser("checklist", help="the guideline's checklists", description="checklists")
    csub2 = chk.add_subparsers(dest="checklist_command", metavar="ACTION", required=True)
    cstart = add(csub2, "start", cmd_checklist_start, "start a checklist, pre-filled from the evidence")
    cstart.add_argument("partnership_id", nargs="?", metavar="PARTNERSHIP_ID")
    cstart.add_argument("--institution", action="store_true", help="the institution readiness checklist")
    cstart.add_argument("--lang", choices=("ja", "en"), default="ja")
    cans = add(csub2, "answer", cmd_checklist_answer, "answer an item (no/unsure need a mitigation note)")
    cans.add_argument("instance", metavar="INSTANCE")
    cans.add_argument("item", metavar="ITEM")
    cans.add_argument("--value", required=True)
    cans.add_argument("--note")
    cans.add_argument("--by")
    cshow = add(csub2, "show", cmd_checklist_show, "a checklist's items, answers and evidence")
    cshow.add_argument("instance", metavar="INSTANCE")
    fmt(cshow)
    fmt(add(csub2, "readiness", cmd_checklist_readiness, "share of institution measures implemented, planned, not"))

    add(sub, "serve", cmd_serve, "register and run the scheduled deployments (needs a Prefect server)")

    rec = add(sub, "reconcile", cmd_reconcile, "compare disclosures with the stored open-source evidence")
    rec.add_argument("--subject", help="one researcher (default: all with a disclosure)")
    rec.add_argument("--window-years", type=int, help="look-back window (default screening.window_years)")

    ror = sub.add_parser("ror", help="ROR organisations", description="ROR")
    rorsub = ror.add_subparsers(dest="ror_command", metavar="ACTION", required=True)
    rload = add(rorsub, "load", cmd_ror_load, "load a ROR data dump (Zenodo zip, JSON, or JSON lines, gzipped or not)")
    rload.add_argument("path", metavar="PATH")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config, overrides={"store.db": args.db})
        return args.func(args, settings)
    except HighfenceError as exc:
        print(f"highfence: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("highfence: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line, full trace only on request
        if os.environ.get("HIGHFENCE_DEBUG"):
            raise
        print(f"highfence: internal error: {type(exc).__name__}: {exc} (set HIGHFENCE_DEBUG=1 for the trace)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
