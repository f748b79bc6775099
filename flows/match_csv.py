"""``highfence match --input``: a CSV of affiliation strings through the matcher, written atomically as a CSV."""

from __future__ import annotations

import csv
import gc
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator

from highfence.flows.progress import Progress
from highfence.errors import InputError
from highfence.reports.cells import CsvWriter
from highfence.matching import Matcher

OUTPUT_COLUMNS = ("id", "list_id", "entry_id", "matched_name", "score", "decision", "explanation")


def read_inputs(path: Path) -> list[tuple[str, str, str | None]]:
    """(id, affiliation, country) rows of a CSV with header id,affiliation[,country]; other columns are ignored."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in ("id", "affiliation") if c not in header]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)} (header must be id,affiliation[,country])",
                                 file=str(path), row=1)
            rows = []
            for r in reader:
                if not (r.get("id") or "").strip():
                    raise InputError("empty id", file=str(path), row=reader.line_num, field="id")
                rows.append((r["id"].strip(), r.get("affiliation") or "", (r.get("country") or "").strip() or None))
            return rows
    except FileNotFoundError:
        raise InputError("input file not found", file=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a readable UTF-8 CSV ({exc})", file=str(path)) from None


_worker_matcher: Matcher | None = None
MAX_DEFAULT_WORKERS = 8  # each worker grows its own memos (hundreds of MB after a long file): more only when asked


def default_workers() -> int:
    """The processes ``match --input`` uses unless told: one per core this process may run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def _match_batch(batch: list[tuple[str, str | None]]) -> list[list[tuple]]:
    """For each (affiliation, country): its output rows without the id."""
    return [[(m.list_id, m.entry_id, m.matched_name, m.score, m.decision, m.explanation)
             for m in _worker_matcher.match(text, country)] for text, country in batch]


def match_inputs(matcher: Matcher, rows: list[tuple[str, str, str | None]], workers: int = 1,
                 progress: Progress | None = None, batch_size: int = 500) -> Iterator[tuple]:
    """Output rows in input order. A string given again with the same country (an input of co-author
    affiliations repeats many) is matched once. With workers > 1 the matcher is shared with forked processes."""
    global _worker_matcher
    _worker_matcher = matcher
    keys: dict[tuple[str, str | None], int] = {}
    key_of = [keys.setdefault((text, country), len(keys)) for _, text, country in rows]
    distinct = list(keys)
    batches = [distinct[i:i + batch_size] for i in range(0, len(distinct), batch_size)]
    found: list[list[tuple]] = []  # by key, in order of first appearance: a row's key is never ahead of the row

    def emit(results: Iterator[list[list[tuple]]]) -> Iterator[tuple]:
        pending = 0
        for (rid, _, _), k in zip(rows, key_of):
            while k >= len(found):
                found.extend(next(results))
                if progress and pending:
                    progress.advance(pending)
                    pending = 0
            pending += 1
            for out in found[k]:
                yield (rid, *out)
        if progress and pending:
            progress.advance(pending)

    if workers > 1 and len(batches) > 1 and os.name == "posix":
        gc.freeze()  # forked workers share the matcher: their collector never walks it (touching, so copying, it)
        try:
            with ProcessPoolExecutor(workers) as pool:
                yield from emit(pool.map(_match_batch, batches))
        finally:
            gc.unfreeze()
    else:
        yield from emit(map(_match_batch, batches))


def match_file(matcher: Matcher, input_path: Path, output_path: Path, workers: int = 1) -> tuple[int, int]:
    """Match every row of the input CSV; write the output CSV atomically. (inputs, output rows)."""
    rows = read_inputs(input_path)
    progress = Progress(len(rows), "matching")
    tmp = output_path.with_name(output_path.name + ".tmp")
    written = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = CsvWriter(f)
            w.writerow(OUTPUT_COLUMNS)
            for out in match_inputs(matcher, rows, workers, progress):
                w.writerow(out)
                written += 1
        os.replace(tmp, output_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write output ({exc.strerror or exc})", file=str(output_path)) from None
    finally:
        progress.close()
    return len(rows), written
