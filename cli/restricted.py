"""``highfence restricted``: the key to NDA-restricted content, who read it, and sealing what older versions kept
in the clear."""

from __future__ import annotations

import argparse
from pathlib import Path

from highfence.cli.command import Command, Group, add_format, emit_json
from highfence.cli.tables import render
from highfence.settings import Settings


class Keygen(Command):
    name = "keygen"
    help = "write a new random restricted key to a new file (mode 0600)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help="the key file to create (never overwritten)")

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.restricted_key import write_key_file

        key = write_key_file(Path(args.out))
        print(f"{args.out}: new restricted key (mode 0600), fingerprint {key.fingerprint[:16]}; "
              "set restricted.key_file to it, keep a copy where only the restricted role can reach it")
        return 0


class Log(Command):
    name = "log"
    help = "who read or wrote restricted content, when, with which command, about whom (needs the key)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--last", type=int, help="only the last N entries")
        add_format(parser)

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from dataclasses import asdict

        from highfence.errors import HighfenceError
        from highfence.store import restricted as restricted_store

        access = restricted_store.require(settings, "restricted log", "the access log")
        entries = access.access_log()
        broken = next((e for e in entries if not e.intact), None)
        shown = entries[-args.last:] if args.last else entries
        if args.format == "json":
            emit_json([asdict(e) for e in shown])
        else:
            print(render(["#", "when (UTC)", "who", "command", "action", "kind", "subjects", "records"],
                         [(e.seq, e.at, e.who, e.command, e.action, e.kind, ", ".join(e.subjects), e.records)
                          for e in shown], max_width=60))
            print(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} in {access.path}")
        if broken:
            raise HighfenceError(f"{access.path}: access log entry {broken.seq} does not match the chain: the log "
                                 "was altered from there on")
        return 0


class Seal(Command):
    name = "seal"
    help = "move NDA content an older highfence stored in the clear into the restricted store (needs the key)"

    def run(self, args: argparse.Namespace, settings: Settings) -> int:
        from highfence.store import Store
        from highfence.store import restricted as restricted_store

        st = Store.from_settings(settings)
        st.migrate()
        moved = restricted_store.seal_plaintext(restricted_store.require(settings, "restricted seal",
                                                                         "sealing NDA content"))
        print(f"{settings.db_path}: sealed {moved['disclosure_nda']} disclosure version(s) with NDA items, "
              f"{moved['disclosure_finding']} restricted finding(s), {moved['assessment']} assessment(s) made "
              "from them; nothing restricted is left in the clear")
        print(f"read copy: {st.publish_read_copy()}")
        return 0


RESTRICTED = Group("restricted", "the key to NDA-restricted content and its access log", "restricted",
                   (Keygen, Log, Seal))
