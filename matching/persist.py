"""A built matcher kept beside the database, so that ``highfence match`` does not rebuild the name index (seconds)
on every call.

The cache is the folder ``<db>.cache/`` (0700; files 0600, each written to a temporary file and renamed into
place). A matcher is saved under a key covering everything it depends on: what the store holds for it (the caller
reads that: active snapshots, removals, ROR records), the reference data in data/matching and data/crosswalk, the
source of the code that builds the index and chooses its entries, the store's migrations, and the versions of
highfence, Python and the libraries that fold names. A change to any of them makes a new key, so a stale matcher is
never read.

Reading the store's part of the key means opening DuckDB, which costs more than the rest of a warm call. So a
second, cheaper record maps what the database files look like on disk (inode, size, times, and today's date, which
decides removals) to the key found for them: while nothing has written the database, the key is known without
opening it.

A file that cannot be read back (corrupted, truncated, from another version, not ours alone) is ignored, and the
caller rebuilds: the cache never causes an error, and a folder that cannot be written only means no cache.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from highfence.matching.matcher import Matcher

FORMAT = 1  # of what is pickled; raised when its shape changes
KEEP_MATCHERS = 4  # per database: about one per list selection in use
KEEP_STAMPS = 16

# The code a built matcher depends on, as file patterns by package: the matching package, the modules outside it
# that the index build calls or that choose the entries it is built from, and the schema those are read from.
CODE = {
    "highfence.matching": ("*.py",),
    "highfence.watchlists": ("text.py", "countries.py"),
    "highfence.flows": ("active_lists.py",),
    "highfence.store": ("lists.py", "organisations.py", "migrations/*.sql"),
}
DATA = ("matching", "crosswalk")  # folders of highfence.data
LIBRARIES = ("opencc", "pypinyin", "pycountry", "rapidfuzz")


def _files(package: str, patterns: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    # found without importing the package: importing highfence.store would import DuckDB
    spec = importlib.util.find_spec(package)
    root = Path(spec.submodule_search_locations[0])
    for pattern in patterns:
        for p in sorted(root.glob(pattern)):
            yield f"{package}/{p.relative_to(root)}", p


def _version(distribution: str) -> str | None:
    """An installed distribution's version, read from its METADATA (importlib.metadata would do the same, but
    importing it costs a tenth of a warm call)."""
    for folder in sys.path:
        for info in sorted(Path(folder or ".").glob(f"{distribution}-*.dist-info")):
            try:
                with (info / "METADATA").open(encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break
            except OSError:
                continue
    return None


def fingerprint_files() -> list[tuple[str, Path]]:
    """(name, path) of every file the fingerprint reads: the code in ``CODE``, the reference data in ``DATA``."""
    from highfence.packaged import data_dir

    files = [f for package, patterns in CODE.items() for f in _files(package, patterns)]
    for folder in DATA:
        files += [(f"data/{folder}/{p.name}", p) for p in sorted((data_dir() / folder).iterdir()) if p.is_file()]
    return files


def code_fingerprint() -> str:
    """sha256 over the code and reference data a built matcher depends on, and the versions that matter."""
    h = hashlib.sha256()
    versions = {name: _version(name) for name in ("highfence", *LIBRARIES)}
    h.update(json.dumps([FORMAT, sys.version, versions]).encode())
    for name, path in fingerprint_files():
        h.update(f"\0{name}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def matcher_key(code: str, store_inputs: Any) -> str:
    """The key of a matcher: the code fingerprint and what the store holds for it (any JSON-able value)."""
    return hashlib.sha256(json.dumps([code, store_inputs], default=str).encode()).hexdigest()


def cache_dir(db: Path) -> Path:
    return Path(db).with_name(Path(db).name + ".cache")


def _file_state(path: Path) -> list | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def stamp(db: Path, list_ids: list[str] | None, code: str) -> str | None:
    """What the database looks like on disk for this selection of lists, today, with this code; None when the
    database file cannot be looked at. Taken before the database is read, so a write meanwhile is never missed."""
    db = Path(db)
    state = _file_state(db)
    if state is None:
        return None
    wal = _file_state(db.with_name(db.name + ".wal"))  # DuckDB's not yet checkpointed writes
    days = [time.strftime("%Y-%m-%d"), time.strftime("%Y-%m-%d", time.gmtime())]
    selection = sorted(list_ids) if list_ids else None
    return hashlib.sha256(json.dumps([code, str(db.resolve()), state, wal, days, selection]).encode()).hexdigest()


def _read_own(path: Path) -> bytes | None:
    """The file's bytes, if it is a regular file of this user that nobody else may write; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            # unpickling runs what the file says: only a file nobody else could have written is read
            if st.st_uid != os.geteuid() or st.st_mode & 0o077:
                return None
            return f.read()
    except OSError:
        return None


def _write(path: Path, data: bytes, keep: int, pattern: str) -> bool:
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # created 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
        _prune(path.parent, pattern, keep, path)
        return True
    except OSError:
        return False
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def _prune(folder: Path, pattern: str, keep: int, just_written: Path) -> None:
    """Only the ``keep`` most recently written files of a kind stay: older keys are not asked for again."""
    found = []
    for p in folder.glob(pattern):
        try:
            found.append((p.stat().st_mtime_ns, p))
        except OSError:
            continue
    found.sort(reverse=True)
    for _, p in found[keep:]:
        if p != just_written:
            p.unlink(missing_ok=True)


def _matcher_path(db: Path, key: str) -> Path:
    return cache_dir(db) / f"matcher-{key[:32]}.pickle"


def _stamp_path(db: Path, seen: str) -> Path:
    return cache_dir(db) / f"stamp-{seen[:32]}"


def recall(db: Path, seen: str | None) -> str | None:
    """The matcher key found for the database when it looked like ``seen``."""
    if not seen:
        return None
    data = _read_own(_stamp_path(db, seen))
    try:
        found, key = json.loads(data) if data else (None, None)
    except (ValueError, TypeError):
        return None
    return key if found == seen and isinstance(key, str) else None


def remember(db: Path, seen: str | None, key: str) -> None:
    if seen:
        _write(_stamp_path(db, seen), json.dumps([seen, key]).encode(), KEEP_STAMPS, "stamp-*")


def load(db: Path, key: str) -> Matcher | None:
    """The matcher saved under ``key``, with the reference tables it was built with; None when there is none that
    can be read back."""
    from highfence.matching import resources as reference

    data = _read_own(_matcher_path(db, key))
    if data is None:
        return None
    gc.disable()  # the collector would walk the growing object graph again and again while it is read
    try:
        saved = pickle.loads(data)
        if not isinstance(saved, dict) or saved.get("format") != FORMAT or saved.get("key") != key:
            return None
        reference.preload(saved["reference"])
        _intern(saved["matcher"].index)
        gc.freeze()  # what was read lives as long as the process: never walk it again (nor copy it into workers)
        return saved["matcher"]
    except Exception:  # whatever a damaged file makes pickle raise: rebuild instead
        return None
    finally:
        gc.enable()


def save(db: Path, key: str, matcher: Matcher) -> Path | None:
    """Save the matcher under ``key``; None when the cache folder cannot be written."""
    from highfence.matching import resources as reference

    path = _matcher_path(db, key)
    data = pickle.dumps({"format": FORMAT, "key": key, "matcher": matcher, "reference": reference.loaded()},
                        protocol=pickle.HIGHEST_PROTOCOL)
    return path if _write(path, data, KEEP_MATCHERS, "matcher-*.pickle") else None


def _intern(index) -> None:
    """Give the words of a read-back index back their one shared object each. Built, a vocabulary word in a name is
    the very object parsing yields for it, so comparing them stops at identity; read back, each is a copy, and
    matching was a fifth slower for it."""
    i = sys.intern
    for v in index.variants:
        if v.tokens:
            object.__setattr__(v, "tokens", tuple(i(t) for t in v.tokens))
            object.__setattr__(v, "parts", tuple(tuple(i(t) for t in p) for p in v.parts))
            object.__setattr__(v, "bag", tuple(i(t) for t in v.bag))
