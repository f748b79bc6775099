"""Disclosure intake and reconciliation against the stored evidence, as plain functions.

NDA collaborations and the findings made from them go to the restricted store, sealed with the restricted key
(``restricted``: access for the command at hand, or None without the key). Without the key a file with NDA items
is refused, and reconciliation leaves the restricted findings as they were."""

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
from highfence.store import restricted as restricted_store
from highfence.store import runs
from highfence.store.restricted import Record, Restricted


def load_disclosures(db: StoreLike, path: Path, restricted: Restricted | None = None) -> tuple[int, list[str]]:
    """Validate the whole file, then store it: the public part in one transaction of the live database, the NDA
    items of each new version sealed in the restricted store. (researchers in the file, new versions)."""
    items = read_disclosures(path)  # raises before anything is written
    nda = {d.researcher_id: [dict(i.fields) for i in d.nda_collaborations] for d in items}
    if restricted is None and any(nda.values()):
        from highfence.restricted_key import HOW, RestrictedError

        raise RestrictedError(f"{path}: holds {sum(map(len, nda.values()))} NDA collaboration item(s), which are "
                              f"restricted and need the restricted key to load; nothing was loaded; {HOW}")
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else ""
    st = Store.of(db)
    st.migrate()
    with st.writer() as con:
        current = {rid: did for rid, (did, _) in disclosure_store.current(con, list(nda)).items()}
        sealed_before = restricted_store.existing(st.path, "disclosure_nda", list(nda))
        before = ({r.record_id: r.content for r in restricted.read("disclosure_nda", record_ids=[
            did for did in current.values() if did in sealed_before])} if restricted and sealed_before else {})
        # a version whose NDA items changed is new even when its public part is not
        changed = frozenset(rid for rid, did in current.items()
                            if nda[rid] != before.get(did, [] if did not in sealed_before else None))
        ids = disclosure_store.add(con, items, str(path), sha, changed)
        records = [Record(did, rid, nda[rid]) for rid, did in ids.items() if nda[rid]]
        if records:
            # sealed first: if the live commit then failed, an orphan sealed record is all that remains
            restricted.write("disclosure_nda", records)
    return len(items), list(ids.values())


def _with_nda(current: dict, restricted: Restricted | None) -> dict:
    """The current disclosures with their sealed NDA items put back (with the key; without it they stay out)."""
    if restricted is None or not current:
        return current
    from highfence.disclosures.model import Item

    sealed = {r.record_id: r.content for r in restricted.read(
        "disclosure_nda", record_ids=[did for did, _ in current.values()])}
    for did, disclosure in current.values():
        disclosure.nda_collaborations = [Item("nda_collaborations", dict(x)) for x in sealed.get(did, [])]
    return current


def reconcile_store(db: StoreLike, subject: str | None = None, window_years: int = 5,
                    thresholds: Thresholds = Thresholds(),
                    today: date | None = None, flow_run_id: str | None = None,
                    restricted: Restricted | None = None) -> dict:
    from highfence.flows.active_lists import active_matcher

    st = Store.of(db)
    st.migrate()
    last = (today or date.today()).year
    window = (last - window_years, last)
    with st.connect() as con:
        current = _with_nda(disclosure_store.current(con, [subject] if subject else None), restricted)
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
                public = [r for r in rows if not r["restricted"]]
                n = disclosure_store.replace_findings(con, sorted(current), public, run_id)
                counts: dict[str, int] = {}
                for r in public:
                    counts[r["relation"]] = counts.get(r["relation"], 0) + 1
                outcome = {"researchers": len(current), "findings": n, "by_type": counts, "window": window}
                # what concerns NDA items goes back to the caller only: the run record is in the live database
                told: dict = {}
                if restricted is not None:
                    told["restricted_findings"] = restricted.write(
                        "disclosure_finding", [Record(r["finding_id"], r["subject_id"], {**r, "run_id": run_id})
                                               for r in rows if r["restricted"]], replace_subjects=sorted(current))
                elif restricted_store.existing(st.path, "disclosure_nda", sorted(current)):
                    told["restricted_skipped"] = True  # NDA items on file, not reconciled without the key
                runs.finish(con, run_id, outcome)
        except BaseException as exc:
            runs.fail(con, run_id, f"{type(exc).__name__}: {exc}")
            raise
    return {"run_id": run_id, **outcome, **told}
