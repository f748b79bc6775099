"""``Store``: one database file and how long a writer waits for the lock, carried together.

Flows and commands pass a ``Store`` instead of threading a path and a lock timeout through every call; functions
that take a store also take a plain path (``Store.of``), for notebooks and tests."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Union

import duckdb

from highfence.store import db as _db

if TYPE_CHECKING:
    from highfence.settings import Settings

DEFAULT_LOCK_TIMEOUT = 30.0


@dataclass(frozen=True)
class Store:
    path: Path
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT  # seconds a writer waits for another process's write lock

    @classmethod
    def of(cls, where: StoreLike, lock_timeout: float | None = None) -> Store:
        """``where`` if it is a Store already, else the store at that path (with ``lock_timeout``, or the default)."""
        if isinstance(where, Store):
            return where
        return cls(Path(where), DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls(settings.store.db, settings.store.lock_timeout)

    def __fspath__(self) -> str:  # open(store), Path(store) and DuckDB accept a Store where a path is expected
        return str(self.path)

    def migrate(self, target: int | None = None) -> list[_db.Migration]:
        return _db.migrate(self.path, target=target, lock_timeout=self.lock_timeout)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with _db.connect(self.path, read_only=read_only, lock_timeout=self.lock_timeout) as con:
            yield con

    @contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The write connection inside one transaction: all of it commits, or none."""
        with self.connect() as con, _db.transaction(con):
            yield con

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with _db.reader(self.path, self.lock_timeout) as con:
            yield con

    def publish_read_copy(self) -> Path:
        return _db.publish_read_copy(self.path, lock_timeout=self.lock_timeout)

    @property
    def read_copy(self) -> Path:
        return _db.read_copy_path(self.path)


StoreLike = Union[Store, str, Path]
