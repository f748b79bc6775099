"""``highfence findings`` and ``review``: what screening found, and the analysts' decisions on it."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from highfence.cli.command import Command, Group, add_format, emit_json, to_json
from highfence.errors import HighfenceError, UsageError
from highfence.cli.tables import render
from highfence.settings import Settings

if TYPE_CHECKING:
    from highfence.store.findings import FindingDetail, ReconciliationDetail
    from highfence.store.review import DecisionRequest


class FindingsList(Command):
    name = "list"
    help = "findings with their review status"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--status", nargs="+", choices=("open", "confirmed", "dismissed", "escalated", "delisted",
                                                            "superseded"))
        parser.add_argument("--subject", nargs="+")
        parser.add_argument("--list", nargs="+")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.store import Store
        from highfence.store import findings as finding_store

        with Store.from_settings(settings).reader() as con:
            rows = finding_store.with_status(con, args.status, args.subject, args.list)
        if args.format == "json":
            emit_json([asdict(r) for r in rows])
            return 0
        print(render(["finding", "subject", "relation", "observed", "evidence", "year", "list", "entry", "score",
                      "status"],
                     [(r.finding_id, r.subject_id, r.relation, r.observed_name, r.evidence_id, r.evidence_year or "",
                       r.list_id, r.entry_name, f"{r.score:.0f}", r.status) for r in rows], max_width=40))
        print(f"{len(rows)} finding(s)")
        return 0


class FindingsShow(Command):
    name = "show"
    help = "one finding's whole evidence chain, explanation and decisions"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("finding_id", metavar="FINDING_ID")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.store import Store
        from highfence.store import findings as finding_store
        from highfence.store.review import decision_log

        with Store.from_settings(settings).reader() as con:
            f = finding_store.detail(con, args.finding_id) or finding_store.reconciliation_detail(con, args.finding_id)
            if f is None:
                raise HighfenceError(f"no finding {args.finding_id!r} (see 'highfence findings list' or "
                                     "'highfence findings export')")
            if getattr(f, "restricted", False):
                raise HighfenceError(f"finding {args.finding_id} is restricted (from an NDA collaboration): not shown "
                                     "here")
            log = decision_log(con, f.case_key)
        if args.format == "json":
            emit_json({**asdict(f), "decisions": [asdict(d) for d in log]})
            return 0
        if isinstance(f, finding_store.ReconciliationDetail):
            _print_reconciliation(f)
        else:
            _print_detail(f)
        if log:
            print("Decisions")
            print(render(["when", "by", "from", "to", "reason"],
                         [(d.decided_at, _who(d.decided_by, d.decided_by_name), d.previous_status, d.status, d.reason)
                          for d in log], max_width=60))
        return 0


def _who(by: str, name: str | None) -> str:
    return f"{name} ({by})" if name else by


def _print_detail(f: FindingDetail) -> None:
    sections = [
        ("Finding", [("id", f.finding_id),
                     ("status", f.status + (f" ({f.status_reason})" if f.status_reason else "")),
                     ("decision", f"{f.decision} (score {f.score:.0f})")]),
        ("Subject", [("id", f.subject_id), ("name", f.subject_name), ("relation", f.relation)]),
        ("Observed", [("organisation", f.observed_name), ("ROR", f.observed_ror or "-"),
                      ("evidence", f"{f.evidence_id} ({f.evidence_year or '-'})"),
                      ("source", f"{f.evidence_source} {f.evidence_url or ''}"),
                      ("retrieved", f.evidence_retrieved_at)]),
        ("List entry", [("list", f.list_id), ("entry", f"{f.entry_id}: {f.entry_name}"),
                        ("matched name", f.matched_name),
                        ("snapshot", f"{f.snapshot_id} published {f.list_published or '-'}"),
                        ("source", f.list_source_url or "-"), ("sha256", f.list_sha256)]),
        ("Why", [("explanation", f.explanation)]),
    ]
    for title, items in sections:
        print(title)
        for k, v in items:
            print(f"  {k:<13} {v}")


def _print_reconciliation(f: ReconciliationDetail) -> None:
    entry = f"{f.list_id} {f.entry_id}: {f.entry_name}" if f.list_id else "-"
    sections = [
        ("Finding", [("id", f.finding_id), ("kind", "reconciliation (self-report against evidence)"),
                     ("status", f.status + (f" ({f.status_reason})" if f.status_reason else "")),
                     ("confidence", f.confidence)]),
        ("Subject", [("id", f.subject_id), ("name", f.subject_name), ("relation", f.relation)]),
        ("Observed", [("organisation", f.observed_name), ("ROR", f.observed_ror or "-"),
                      ("evidence", f"{f.evidence_id or '-'} ({f.evidence_year or '-'})"),
                      ("disclosure", f.disclosure_id), ("run", f.run_id)]),
        ("List entry", [("entry", entry)]),
        ("Why", [("explanation", f.explanation)]),
    ]
    for title, items in sections:
        print(title)
        for k, v in items:
            print(f"  {k:<13} {v}")
    if f.evidence:
        print("Evidence")
        print(render(["source", "record", "year", "url"],
                     [(e.get("source"), e.get("evidence_id"), e.get("year") or "", e.get("url") or "")
                      for e in f.evidence], max_width=60))


class FindingsExport(Command):
    name = "export"
    help = "findings with their evidence as CSV or JSON"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", choices=("csv", "json"), default="csv")
        parser.add_argument("--out", help="file to write (default: standard output)")
        parser.add_argument("--include-restricted", action="store_true",
                            help="include findings from NDA collaborations (needs the restricted key; the read "
                                 "is logged)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        import io

        from highfence.reports.cells import CsvDictWriter
        from highfence.store import Store
        from highfence.store import restricted as restricted_store
        from highfence.store.findings_export import EXPORT_COLUMNS, export_rows

        restricted = (restricted_store.require(settings, "findings export", "--include-restricted")
                      if args.include_restricted else None)
        with Store.from_settings(settings).reader() as con:
            rows = export_rows(con, restricted)
        if args.format == "json":
            text = to_json(rows) + "\n"
        else:
            buf = io.StringIO()
            w = CsvDictWriter(buf, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
            text = buf.getvalue()
        if args.out:
            from highfence.store.db import private_files

            with private_files():  # restricted circulation, or not: the export is its owner's to share
                Path(args.out).write_text(text, encoding="utf-8")
            print(f"{len(rows)} findings -> {args.out}")
        else:
            sys.stdout.write(text)
        return 0


class Review(Command):
    name = "review"
    help = "record analyst decisions on findings"
    description = "review FINDING_ID --decision ... --reason ..., or review import FILE.csv"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("finding_id", metavar="FINDING_ID|import")
        parser.add_argument("file", nargs="?", metavar="FILE.csv",
                            help="with 'import': finding_id,decision,reason[,by]")
        parser.add_argument("--decision", choices=("confirm", "dismiss", "escalate"))
        parser.add_argument("--reason")
        parser.add_argument("--by", help="who decides (default: the operating-system user; review.display_name is "
                                         "recorded beside it)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.store import Store

        if args.finding_id == "import":
            if not args.file:
                raise UsageError("review import needs FILE.csv (finding_id,decision,reason[,by])")
            path = Path(args.file)
            done = _apply(settings, _read_decisions(path, args.by, settings))
            print(f"{len(done)} decision(s) applied from {path}")
            return 0
        if args.file:
            raise UsageError(f"unexpected {args.file!r}: FILE.csv goes with 'review import' only")
        if not args.decision or args.reason is None:
            raise UsageError("review needs --decision and --reason")
        Store.from_settings(settings).migrate()
        [d] = _apply(settings, [("", _request(settings, args.finding_id, args.decision, args.reason, args.by))])
        print(f"{d['finding_id']}: {d['previous_status']} -> {d['status']} (decision {d['decision_id']})")
        return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no USER/LOGNAME variable
        return ""


def _request(settings: Settings, finding_id: str, decision: str, reason: str, by: str | None) -> DecisionRequest:
    """Who decided is --by (or the import file's column) or else the operating-system user; the OS user is recorded
    either way, with the configured display name."""
    from highfence.store.review import DecisionRequest

    os_user = _os_user()
    return DecisionRequest(finding_id, decision, reason, by if by is not None else os_user,
                           settings.review.display_name, os_user)


def _apply(settings: Settings, requests: list[tuple[str, DecisionRequest]]) -> list[dict]:
    """All the decisions, or none (see store.review.apply_all). Waits store.lock_timeout for another writer."""
    from highfence.store import Store
    from highfence.store.review import apply_all

    with Store.from_settings(settings).writer() as con:
        return apply_all(con, requests)


def _read_decisions(path: Path, by: str | None, settings: Settings) -> list[tuple[str, DecisionRequest]]:
    """(where, request) pairs from a CSV file: ``where`` names the file and row for the error message."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in ("finding_id", "decision", "reason") if c not in (reader.fieldnames or [])]
            if missing:
                raise HighfenceError(f"{path}, row 1: missing column(s) {', '.join(missing)} "
                                     "(finding_id,decision,reason[,by])")
            return [(f"{path}, row {reader.line_num}: ",
                     _request(settings, (r["finding_id"] or "").strip(), (r["decision"] or "").strip(),
                              r["reason"] or "", r.get("by") or by))
                    for r in reader]
    except FileNotFoundError:
        raise HighfenceError(f"{path}: file not found") from None


FINDINGS = Group("findings", "export findings", "findings", (FindingsList, FindingsShow, FindingsExport))
