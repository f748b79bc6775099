"""Connections, the writer lock, migrations and the analysts' read copy.

DuckDB lets one process write a file and nobody else open it meanwhile, so:
- writers take an advisory lock beside the database (``<db>.lock``) and hold DuckDB only for the work at hand;
- every write goes through ``transaction()``: a crash or an exception leaves the last committed state;
- analysts never open the live file: after a flow writes, ``publish_read_copy`` atomically replaces
  ``<db stem>.read.duckdb``, which notebooks open read-only without ever blocking the next flow;
- every file the store writes (database, write-ahead log, lock, read copy) is its owner's only (0600).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb

from highfence.errors import HighfenceError

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class StoreError(HighfenceError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files("highfence.store.migrations").iterdir():
        m = MIGRATION_NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"store/migrations: versions must run 1..N without gaps, found {versions}")
    return found


def latest_version() -> int:
    return migrations()[-1].version


def utcnow() -> datetime:
    # DuckDB TIMESTAMP columns are naive; the store keeps everything in UTC.
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def read_copy_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(f"{path.stem}.read{path.suffix or '.duckdb'}")


_umask_lock = threading.Lock()
_umask_users = 0
_umask_saved = 0


@contextmanager
def private_files() -> Iterator[None]:
    """Files created meanwhile (DuckDB's database and WAL among them) are readable by their owner only. The umask
    is the process's: the first of overlapping users sets it and the last restores it."""
    global _umask_users, _umask_saved
    with _umask_lock:
        if _umask_users == 0:
            _umask_saved = os.umask(0o077)
        _umask_users += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_users -= 1
            if _umask_users == 0:
                os.umask(_umask_saved)


def tighten(path: Path) -> None:
    """A store file made before files were private (or copied in with a looser mode) becomes 0600."""
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            if stat.S_IMODE(p.stat().st_mode) & 0o077:
                os.chmod(p, 0o600)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StoreError(f"database {p}: cannot make it private ({exc.strerror or exc})") from None


@contextmanager
def _writer_lock(path: Path, timeout: float) -> Iterator[None]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(f"database {path}: cannot write there ({exc.strerror or exc})") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise StoreError(
                        f"database {path}: another highfence process is writing it (waited {timeout:.0f}s)"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _explain(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "not a valid DuckDB database" in text or "Invalid Input Error" in text and "database" in text:
        return "not a valid DuckDB database file (corrupted or another format)"
    return text


def _open(path: Path, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    if path.exists() and path.is_dir():
        raise StoreError(f"database {path}: is a directory, not a database file")
    if read_only and not path.exists():
        raise StoreError(f"database {path}: not found (run 'highfence db init' first)")
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            # Another process (e.g. an analyst opening the live file by hand) holds DuckDB's own lock: wait for it.
            if "lock" in str(exc).lower() and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            raise StoreError(f"database {path}: {_explain(exc)}") from None
        except OSError as exc:
            raise StoreError(f"database {path}: {exc.strerror or exc}") from None


@contextmanager
def connect(path: str | Path, *, read_only: bool = False, lock_timeout: float = 30.0
            ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection. Writers are serialised by the lock beside the file; use ``transaction``
    inside for anything that must be all-or-nothing."""
    path = Path(path)
    if read_only:
        con = _open(path, True, lock_timeout)
        try:
            yield con
        finally:
            con.close()
        return
    with private_files(), _writer_lock(path, lock_timeout):
        con = _open(path, False, lock_timeout)
        tighten(path)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def _check_applied(con: duckdb.DuckDBPyConnection, path: Path, known: dict[int, Migration]) -> None:
    if schema_version(con) == 0:
        return
    for version, checksum in con.execute("SELECT version, checksum FROM schema_migrations").fetchall():
        mig = known.get(version)
        if mig is None:
            raise StoreError(
                f"database {path}: schema version {version} is newer than this highfence knows "
                f"(latest {max(known)}); upgrade highfence"
            )
        if mig.checksum != checksum:
            raise StoreError(f"database {path}: migration {version:04d}_{mig.name} changed after it was applied")


def _after_migration(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Steps SQL cannot take well, in the migration's own transaction: hashing rows in a canonical form."""
    if version == 11:  # 0011_decision_chain
        from highfence.store.decision_chain import chain_existing

        chain_existing(con)


def migrate(path: str | Path, *, target: int | None = None, lock_timeout: float = 30.0) -> list[Migration]:
    """Bring the schema up to ``target`` (default: latest). Each migration commits on its own, so a failure
    leaves the database at the last good version."""
    path = Path(path)
    known = {m.version: m for m in migrations()}
    target = max(known) if target is None else target
    applied: list[Migration] = []
    with connect(path, lock_timeout=lock_timeout) as con:
        _check_applied(con, path, known)
        current = schema_version(con)
        for version in range(current + 1, target + 1):
            mig = known[version]
            try:
                with transaction(con):
                    con.execute(mig.sql)
                    _after_migration(con, version)
                    con.execute(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                        [mig.version, mig.name, mig.checksum, utcnow()],
                    )
            except duckdb.Error as exc:
                raise StoreError(f"database {path}: migration {version:04d}_{mig.name} failed: {_explain(exc)}") from None
            applied.append(mig)
    return applied


def require_current(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    version = schema_version(con)
    if version != latest_version():
        raise StoreError(
            f"database {path}: schema version {version}, this highfence needs {latest_version()} "
            "(run 'highfence db migrate')"
        )


@contextmanager
def reader(path: str | Path, lock_timeout: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to a database whose schema is current (else a one-line error saying what to run)."""
    path = Path(path)
    with connect(path, read_only=True, lock_timeout=lock_timeout) as con:
        require_current(con, path)
        yield con


def info(path: str | Path) -> dict:
    """Schema version and row counts per table, read-only."""
    path = Path(path)
    with connect(path, read_only=True) as con:
        version = schema_version(con)
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
        ).fetchall()]
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}
    return {
        "path": str(path),
        "size_bytes": path.stat().st_size,
        "schema_version": version,
        "latest_version": latest_version(),
        "tables": counts,
    }


def plaintext_restricted(con: duckdb.DuckDBPyConnection) -> int:
    """Rows that still hold restricted (NDA) content in the clear: written before restricted content moved to the
    encrypted store, until 'highfence restricted seal' moves them."""
    if schema_version(con) < 5:
        return 0
    return con.execute("""SELECT (SELECT count(*) FROM disclosures
                                  WHERE coalesce(json_array_length(content->'nda_collaborations'), 0) > 0)
                               + (SELECT count(*) FROM disclosure_findings WHERE restricted)""").fetchall()[0][0]


def publish_read_copy(path: str | Path, *, lock_timeout: float = 30.0) -> Path:
    """Copy the database to its read copy atomically. Open notebooks keep the copy they opened. Refused while the
    live file still holds restricted content in the clear: the read copy must never carry it."""
    path = Path(path)
    target = read_copy_path(path)
    tmp = target.with_name(target.name + ".tmp")
    with private_files(), _writer_lock(path, lock_timeout):
        with duckdb.connect(str(path)) as con:
            legacy = plaintext_restricted(con)
            con.execute("CHECKPOINT")  # fold the WAL into the file so the copy is complete on its own
        if legacy:
            raise StoreError(f"database {path}: {legacy} row(s) hold NDA content in plain text (stored before "
                             "encryption); read copy not published: run 'highfence restricted seal' with the key")
        tighten(path)
        try:
            shutil.copyfile(path, tmp)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return target


def compact(path: str | Path, *, lock_timeout: float = 30.0) -> None:
    """Rewrite the database into a fresh file and put it in place: blocks freed by deletes (which may still hold
    what was deleted) are not carried over."""
    path = Path(path)
    fresh = path.with_name(path.name + ".compact")
    fresh.unlink(missing_ok=True)
    with private_files(), _writer_lock(path, lock_timeout):
        try:
            with duckdb.connect(str(path)) as con:
                con.execute("CHECKPOINT")
                quoted = str(fresh).replace("'", "''")
                con.execute(f"ATTACH '{quoted}' AS fresh")
                name = con.execute("SELECT current_database()").fetchall()[0][0].replace('"', '""')
                con.execute(f'COPY FROM DATABASE "{name}" TO fresh')
                con.execute("DETACH fresh")
            os.chmod(fresh, 0o600)
            os.replace(fresh, path)
        except BaseException:
            fresh.unlink(missing_ok=True)
            raise
