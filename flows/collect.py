"""Collecting open-source evidence for a roster: one subject at a time, each committed on its own, so an outage
leaves what was collected and a re-run resumes (the response cache makes repeats cheap)."""

from __future__ import annotations

from dataclasses import dataclass, field

from highfence.store import Store, StoreLike
from highfence.connectors import crossref as crossref_mod
from highfence.connectors import openalex as openalex_mod
from highfence.connectors import orcid as orcid_mod
from highfence.connectors.http import HttpClient, HttpConfig, SourceError
from highfence.connectors.openalex import OpenAlex
from highfence.connectors.orcid import Orcid
from highfence.connectors.crossref import Crossref
from highfence.connectors.ror import Ror, organisation_row
from highfence.flows.progress import Progress
from highfence.errors import HighfenceError
from highfence.records import IntegrityNotice, Observation, Subject
from highfence.settings import Settings, parse_rate_limit
from highfence.store import collection as collection_store
from highfence.store import evidence as evidence_store
from highfence.store import integrity as integrity_store
from highfence.store import organisations as org_store
from highfence.store.cache import StoreCache
from highfence.store.collection import AuthorCandidate, Work
from highfence.store.db import utcnow

# Each API's documented limit, as REQUESTS/SECONDS, where the setting leaves it to the source's own rules.
ROR_LIMIT = {True: "2000/300", False: "50/300"}  # with a Client-Id, without
CROSSREF_LIMIT = {True: "10/1", False: "5/1"}  # polite pool (mailto), public pool: Crossref's limits of 2025-12-01
SOURCE_NAMES = ("openalex", "orcid", "crossref", "ror")


@dataclass(frozen=True)
class SourceRate:
    """A documented limit of N requests in any W seconds, as the client's token bucket: a burst of B, then
    (N - B) / W per second, so that no window of W seconds ever holds more than N requests."""

    limit: str
    rate: float
    burst: int


def source_rate(limit: str, key: str) -> SourceRate:
    n, seconds = parse_rate_limit(limit, key)
    burst = max(1, min(n // 5, 20))
    return SourceRate(limit, (n - burst) / seconds if n > burst else n / seconds, burst)


def source_rates(settings: Settings) -> dict[str, SourceRate]:
    apis = settings.apis
    limits = {"openalex": apis.openalex.rate_limit, "orcid": apis.orcid.rate_limit,
              "crossref": apis.crossref.rate_limit or CROSSREF_LIMIT[bool(settings.contact.email)],
              "ror": apis.ror.rate_limit or ROR_LIMIT[bool(apis.ror.client_id)]}
    return {name: source_rate(limit, f"sources.{name}.rate_limit") for name, limit in limits.items()}



@dataclass
class Sources:
    openalex: OpenAlex
    orcid: Orcid
    crossref: Crossref
    ror: Ror


def make_sources(settings: Settings, db: StoreLike | None = None, session_factory=None,
                 global_limits: bool = False) -> Sources:
    """Clients for the four APIs, sharing the store's response cache. ``session_factory`` gives each client its
    requests session (the offline mirror mounts itself this way)."""
    cache = StoreCache(Store.of(db or settings.store.db, settings.store.lock_timeout), settings.http.cache_ttl_hours)
    rates = source_rates(settings)

    def client(name: str) -> HttpClient:
        config = HttpConfig.from_settings(settings, rate=rates[name].rate, burst=rates[name].burst,
                                          global_limit=f"highfence-{name}" if global_limits else None)
        return HttpClient(name, config, cache=cache, session=session_factory() if session_factory else None)

    email = settings.contact.email
    apis = settings.apis  # read now, at run time: the key is never a flow or task parameter
    return Sources(
        OpenAlex(client("openalex"), apis.openalex.url, email, apis.openalex.api_key),
        Orcid(client("orcid"), apis.orcid.url),
        Crossref(client("crossref"), apis.crossref.url, email),
        Ror(client("ror"), apis.ror.url, apis.ror.client_id),
    )


@dataclass
class SubjectEvidence:
    subject: Subject
    observations: list[Observation] = field(default_factory=list)
    errors: list[tuple[str, str | None, str]] = field(default_factory=list)  # (source, url, error)
    candidates: list[dict] = field(default_factory=list)  # OpenAlex authors to pin, for a name-only researcher
    organisations: list[dict] = field(default_factory=list)  # ROR records seen
    works: list[dict] = field(default_factory=list)  # titles and topics, for technology areas
    notices: list[IntegrityNotice] = field(default_factory=list)  # retractions, expressions of concern


def call_inline(source: str, fn):
    """Run one source's work for a subject right here (the flows pass a caller that makes it a Prefect task)."""
    return fn()


def _attempt(ev: SubjectEvidence, source: str, fn, call=call_inline):
    try:
        return call(source, fn)
    except (SourceError, HighfenceError) as exc:
        ev.errors.append((source, None, str(exc)))
        return None


def collect_subject(sources: Sources, subject: Subject, pin: str | None = None, since: int | None = None,
                    roster_source: str = "roster", call=call_inline) -> SubjectEvidence:
    """Every source for one subject. ``call(source, fn)`` runs each source's work: directly, or as a Prefect task
    per source (with retries and a per-source concurrency tag) when run inside a flow."""
    ev = SubjectEvidence(subject)
    if subject.kind == "institution":
        ev.observations.append(Observation(subject.subject_id, "partner_institution", subject.name, "roster",
                                           observed_ror=subject.ror_id, evidence_id=f"roster:{subject.subject_id}",
                                           source_url=roster_source))
        if subject.ror_id:
            got = _attempt(ev, "ror", lambda: sources.ror.organization(subject.ror_id), call)
            if got:
                ev.organisations.append(organisation_row(got[0]))
        return ev

    author_id = subject.openalex_id or pin
    if not author_id and subject.orcid:
        # an ORCID iD is an identifier, not a name: resolving the OpenAlex author through it is exact
        got = _attempt(ev, "openalex", lambda: sources.openalex.author(subject.orcid), call)
        author_id = got[0].get("id") if got else None
    if not author_id and not subject.orcid:
        found = _attempt(ev, "openalex", lambda: sources.openalex.search_authors(subject.name), call)
        ev.candidates = found or []
        return ev  # never resolved by name: the analyst pins one (highfence roster pin)
    if author_id:
        def works():
            out = []
            for work, page in sources.openalex.works(author_id, since_year=since):
                out += openalex_mod.observations_from_work(work, subject.subject_id, author_id, page.sha256, page.url)
                ev.works.append(openalex_mod.work_summary(work, page.url))
            return out
        ev.observations.extend(_attempt(ev, "openalex", works, call) or [])
    if subject.orcid:
        got = _attempt(ev, "orcid", lambda: sources.orcid.record(subject.orcid), call)
        if got:
            ev.observations.extend(orcid_mod.observations_from_record(got[0], subject.subject_id, got[1].sha256,
                                                                      got[1].url))

        listed: set[str] = set()

        def crossref_works():
            out, notices = [], []
            for work, page in sources.crossref.works_by_orcid(orcid_mod.normalise(subject.orcid), since):
                listed.add((work.get("DOI") or "").lower())
                out += crossref_mod.observations_from_work(work, subject.subject_id, subject.orcid, page.sha256,
                                                           page.url)
                notices += crossref_mod.integrity_notices(work, subject.subject_id, page.sha256, page.url)
            return out, notices
        got = _attempt(ev, "crossref", crossref_works, call)
        if got:
            ev.observations.extend(got[0])
            ev.notices.extend(got[1])
    else:
        listed = set()
    # Works OpenAlex found that no ORCID listing brought: their notices by DOI, in batches (Crossref is unpriced).
    dois = [w["work_key"] for w in ev.works if (w.get("work_key") or "").startswith("10.") and w["work_key"] not in listed]
    if dois and not any(src == "crossref" for src, _, _ in ev.errors):  # a source that failed is not asked again
        def crossref_notices():
            return [n for work, page in sources.crossref.works_by_dois(dois)
                    for n in crossref_mod.integrity_notices(work, subject.subject_id, page.sha256, page.url)]
        ev.notices.extend(_attempt(ev, "crossref", crossref_notices, call) or [])
    return ev


def store_evidence(con, ev: SubjectEvidence, run_id: str) -> int:
    now = utcnow()
    sid = ev.subject.subject_id
    n = evidence_store.add_observations(con, ev.observations, run_id)
    n += integrity_store.add_notices(con, ev.notices, run_id)
    collection_store.record_errors(con, run_id, sid, ev.errors, now)
    if ev.candidates:
        collection_store.replace_author_candidates(con, sid, [
            AuthorCandidate(sid, openalex_mod.short_id(c.get("id")), c.get("display_name") or "", c.get("orcid"),
                            "; ".join(i.get("display_name", "") for i in c.get("last_known_institutions") or []),
                            c.get("works_count"))
            for c in ev.candidates], now)
    if ev.organisations:
        org_store.upsert(con, ev.organisations, "ror api")
    collection_store.add_works(con, sid, [Work(w["work_key"], w["title"], w["year"], w["topics"], w["url"])
                                          for w in ev.works])
    return n


@dataclass
class CollectOutcome:
    subjects: int = 0
    observations_new: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, source, error)
    needs_pin: list[str] = field(default_factory=list)
    sources: dict[str, dict] = field(default_factory=dict)  # priced sources: calls by cost class, budget, status


def usage_of(sources) -> dict[str, dict]:
    """What the priced sources cost this run (OpenAlex: calls by cost class, the budget its headers reported, and
    'budget exhausted' with the reset time if the day's budget ran out)."""
    usage = getattr(getattr(sources, "openalex", None), "usage", None)
    return {usage.source: usage.summary()} if usage is not None else {}


def collect(db: StoreLike, sources: Sources, subjects: list[Subject], run_id: str, since: int | None = None,
            roster_source: str = "roster", call=call_inline,
            partitioned=None) -> CollectOutcome:
    """Collect and store evidence for every subject, committing subject by subject. ``partitioned(subjects, pins)``
    collects them in parallel elsewhere (a Dask cluster); storing stays here, in the one writer."""
    st = Store.of(db)
    with st.connect() as con:
        evidence_store.upsert_subjects(con, subjects, roster_source)
        pinned = collection_store.latest_pins(con)
    out = CollectOutcome()
    progress = Progress(len(subjects), "collecting", min_total=2)
    done = iter(partitioned(subjects, pinned)) if partitioned else None
    try:
        for s in subjects:
            ev = next(done) if done else collect_subject(sources, s, pinned.get(s.subject_id), since, roster_source,
                                                         call)
            with st.writer() as con:
                out.observations_new += store_evidence(con, ev, run_id)
            out.subjects += 1
            out.errors += [(s.subject_id, src, err) for src, _, err in ev.errors]
            if s.kind == "researcher" and not (s.openalex_id or s.orcid or s.subject_id in pinned):
                out.needs_pin.append(s.subject_id)
            progress.advance()
    finally:
        progress.close()
        if not partitioned:  # collected elsewhere, each worker counted its own calls
            out.sources = usage_of(sources)
    return out


@dataclass
class CallPlan:
    """The calls a roster needs, by source and cost class, before any request: what ``collect_subject`` would
    ask of each source. ``cached`` are those the response cache would answer (they cost nothing)."""

    calls: dict[str, dict[str, int]] = field(default_factory=dict)
    cached: dict[str, dict[str, int]] = field(default_factory=dict)
    researchers: int = 0
    institutions: int = 0

    def add(self, source: str, cost_class: str, cached: bool = False) -> None:
        table = self.cached if cached else self.calls
        table.setdefault(source, {}).setdefault(cost_class, 0)
        table[source][cost_class] += 1


def plan_calls(subjects: list[Subject], pins: dict[str, str], since: int | None = None,
               first_page_url=None, fresh: set[str] | frozenset = frozenset()) -> CallPlan:
    """One page of works per researcher (200 works: most researchers' whole window); a researcher with more pays a
    list call per further page; without an ORCID listing, one Crossref call for the works' integrity notices.
    ``first_page_url(author_id, since)``: the URL the cache keys an author's first page
    by; ``fresh``: the URLs the cache holds within its TTL."""
    from highfence.connectors.budget import LIST, SEARCH, SINGLE

    plan = CallPlan()
    for s in subjects:
        if s.kind == "institution":
            plan.institutions += 1
            if s.ror_id:
                plan.add("ror", SINGLE)
            continue
        plan.researchers += 1
        author_id = s.openalex_id or pins.get(s.subject_id)
        if not author_id and s.orcid:
            plan.add("openalex", SINGLE)
            plan.add("openalex", LIST)
        elif not author_id:
            plan.add("openalex", SEARCH)
        else:
            url = first_page_url(author_id, since) if first_page_url else None
            plan.add("openalex", LIST, cached=url in fresh)
        if s.orcid:
            plan.add("orcid", SINGLE)
            plan.add("crossref", LIST)
        elif author_id:  # its works' integrity notices by DOI: a call per 40 works, at least one (unpriced)
            plan.add("crossref", LIST)
    return plan
