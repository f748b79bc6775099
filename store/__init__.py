"""The DuckDB store: one file, numbered SQL migrations, short-lived connections, one writer at a time."""

from highfence.store.handle import Store, StoreLike
from highfence.store.db import (
    StoreError,
    connect,
    info,
    migrate,
    publish_read_copy,
    read_copy_path,
    reader,
    schema_version,
    transaction,
)

__all__ = [
    "Store",
    "StoreError",
    "StoreLike",
    "connect",
    "info",
    "migrate",
    "publish_read_copy",
    "read_copy_path",
    "reader",
    "schema_version",
    "transaction",
]
