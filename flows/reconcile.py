"""Disclosure intake and reconciliation against the stored evidence, as plain functions."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from highfence import store
from highfence.store import Store, StoreLike
from highfence.disclosures.load import read_disclosures
from highfence.disclosures.reconcile import Observed, reconcile
from highfence.matching import Matcher, Thresholds
from highfence.store import disclosures as disclosure_store
from highfence.store import evidence as evidence_store
from highfence.store import runs


def load_disclosures(db: StoreLike, path: Path) -> tuple[int, list[str]]:
    """Validate the whole file, then store it in one transaction. (researchers in the file, new versions)."""
    items = read_disclosures(path)  # raises before anything is written
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else ""
    st = Store.of(db)
    st.migrate()
    with st.writer() as con:
        ids = disclosure_store.add(con, items, str(path), sha)
    return len(items), ids


def reconcile_store(db: StoreLike, subject: str | None = None, window_years: int = 5,
                    thresholds: Thresholds = Thresholds(),
                    today: date | None = None, flow_run_id: str | None = None) -> dict:
    from highfence.flows.active_lists import active_matcher

    st = Store.of(db)
    st.migrate()
    last = (today or date.today()).year
    window = (last - window_years, last)
    with st.connect() as con:
        current = disclosure_store.current(con, [subject] if subject else None)
        run_id = runs.start(con, "reconcile", {"subject": subject, "window": window}, flow_run_id)
        try:
            with store.transaction(con):
                resolver = active_matcher(con, thresholds) or Matcher([], thresholds)
                rows = []
                for rid, (did, disclosure) in sorted(current.items()):
                    observed = [Observed(o.observed_name, o.relation, o.source, o.evidence_id, o.evidence_year,
                                         o.source_url, o.observed_ror)
                                for o in evidence_store.observations(con, [rid])]
                    rows += reconcile(disclosure, did, observed, resolver, window)
                n = disclosure_store.replace_findings(con, sorted(current), rows, run_id)
                counts: dict[str, int] = {}
                for r in rows:
                    counts[r["relation"]] = counts.get(r["relation"], 0) + 1
                outcome = {"researchers": len(current), "findings": n, "by_type": counts, "window": window}
                runs.finish(con, run_id, outcome)
        except BaseException as exc:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
            raise
    return {"run_id": run_id, **outcome}
