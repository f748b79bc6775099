"""The ``highfence`` command. Errors are one line on stderr: exit 1 for a failed operation, 2 for bad usage."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from highfence.cli import admin, assess, disclosures, findings, lists, match, partnerships, reports, restricted, \
    screen
from highfence.cli.command import add_commands
from highfence.errors import HighfenceError
from highfence.settings import load_settings

# In the order `highfence --help` lists them.
COMMANDS = (admin.Version, admin.CONFIG, admin.DB, admin.Demo, lists.WATCHLISTS, match.Match, screen.Collect,
            screen.Screen, screen.ROSTER, findings.FINDINGS, findings.Review, disclosures.DISCLOSURES, reports.Report,
            assess.RULES, assess.Assess, partnerships.PARTNERSHIPS, partnerships.CHECKLIST, admin.Serve,
            disclosures.Reconcile, restricted.RESTRICTED, admin.ROR)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="highfence", description="Due diligence for research security.")
    parser.add_argument("--config", help="configuration file (default ./highfence.toml, or $HIGHFENCE_CONFIG)")
    parser.add_argument("--db", help="database file (overrides store.db / $HIGHFENCE_DB)")
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True), COMMANDS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config, overrides={"store.db": args.db})
        code = args.handler.run(args, settings)
        sys.stdout.flush()  # so that a reader gone early (`| head`) is noticed here rather than at interpreter exit
        return code
    except BrokenPipeError:
        # The Python docs' recipe: what is still buffered goes to devnull, so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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


__all__ = ["build_parser", "main"]
