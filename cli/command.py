"""What every command shares: the ``Command`` base class, command groups, and the output helpers."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Sequence

from highfence.settings import Settings


class Command:
    """One command: its ``name`` and ``help`` as ``highfence --help`` lists them, the arguments it declares, and what
    it runs. ``run`` imports what it needs itself, so that building the parser (and ``--help``) loads no DuckDB,
    pandas or Prefect."""

    name: ClassVar[str]
    help: ClassVar[str]
    description: ClassVar[str | None] = None  # the headline of the command's own --help, when it is not ``help``

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's arguments (a few commands take none)."""

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        raise NotImplementedError


@dataclass(frozen=True)
class Group:
    """A command that takes an action (``highfence watchlists load``): the actions are commands themselves."""

    name: str
    help: str
    description: str
    commands: tuple[type[Command], ...]


def add_commands(subparsers: Any, entries: Sequence[type[Command] | Group]) -> None:
    """Add commands and groups to an ``add_subparsers()`` result, in order; ``args.handler`` runs the chosen one."""
    for entry in entries:
        if isinstance(entry, Group):
            parser = subparsers.add_parser(entry.name, help=entry.help, description=entry.description)
            add_commands(parser.add_subparsers(dest=f"{entry.name}_command", metavar="ACTION", required=True),
                         entry.commands)
            continue
        command = entry()
        parser = subparsers.add_parser(command.name, help=command.help,
                                       description=command.description or command.help)
        command.add_arguments(parser)
        parser.set_defaults(handler=command)


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


def emit_json(data: Any) -> None:
    print(to_json(data))


def prefect_env() -> None:
    """Quiet, offline-friendly Prefect defaults, unless the user chose otherwise (see ``flows.engine``)."""
    from highfence.flows.engine import prepare_prefect

    prepare_prefect()
