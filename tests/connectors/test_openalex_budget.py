"""OpenAlex as it is since 2026 (a key, a daily budget in USD, 403 for too fast, 429 for a spent budget) against a
127.0.0.1 stand-in that behaves so; ROR's Client-Id; each source throttled to its configured rate."""

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from highfence import store
from highfence.cli import main
from highfence.connectors.budget import BudgetExhausted, next_midnight_utc
from highfence.connectors.http import HttpClient, HttpConfig, TokenBucket
from highfence.connectors.openalex import OpenAlex
from highfence.connectors.ror import Ror
from highfence.errors import ConfigError
from highfence.flows.collect import make_sources, source_rates
from highfence.flows.screen import screen_roster
from highfence.settings import load_settings
from tests.conftest import fixture
from tests.httpserver import LocalServer, Reply

KEY = "test-key-0123"
AUTHORS = [f"A50000000{i:02d}" for i in range(1, 6)]


class StandIn:
    """OpenAlex's behaviour: every call needs the key; two calls closer than ``min_gap`` seconds get 403; after
    ``budget`` list calls in a day every list call gets 429; every answer carries the X-RateLimit-* budget headers
    (list calls cost $0.0001, single entities are free)."""

    def __init__(self, work: dict, budget: int = 1000, min_gap: float = 0.0, pages: int = 1):
        self.work, self.budget, self.min_gap, self.pages = work, budget, min_gap, pages
        self.list_calls = 0
        self.served: list[tuple[str, int]] = []  # (author id, page) of each works page answered 200
        self.statuses: list[int] = []
        self.times: list[float] = []
        self.last = 0.0
        self.lock = threading.Lock()

    def headers(self, cost: float) -> dict:
        limit = self.budget * 0.0001
        return {"Content-Type": "application/json", "X-RateLimit-Limit-USD": f"{limit:.4f}",
                "X-RateLimit-Remaining-USD": f"{max(0.0, limit - self.list_calls * 0.0001):.4f}",
                "X-RateLimit-Cost-USD": f"{cost:.4f}"}

    def __call__(self, path: str, headers: dict) -> Reply:
        query = parse_qs(urlsplit(path).query)
        with self.lock:
            now = time.monotonic()
            too_fast = now - self.last < self.min_gap
            self.last = now
            self.times.append(now)
            if query.get("api_key") != [KEY]:
                reply = Reply(b'{"error": "API key required"}', 401)
            elif too_fast:
                reply = Reply(b'{"error": "slow down"}', 403, {"Retry-After": "0"})
            elif self.list_calls >= self.budget:
                reply = Reply(b'{"error": "Rate limit exceeded"}', 429, self.headers(0.0))
            else:
                self.list_calls += 1
                author = query["filter"][0].split(",")[0].removeprefix("author.id:")
                assert query["per_page"] == ["200"] and "authorships" in query["select"][0].split(",")
                page = 0 if query["cursor"] == ["*"] else int(query["cursor"][0].removeprefix("p"))
                self.served.append((author, page))
                work = json.loads(json.dumps(self.work))
                work["authorships"][0]["author"]["id"] = f"https://openalex.org/{author}"
                work["doi"] = f"https://doi.org/10.5555/{author}.{page}"
                nxt = f"p{page + 1}" if page + 1 < self.pages else None
                body = {"meta": {"count": self.pages, "next_cursor": nxt}, "results": [work]}
                reply = Reply(json.dumps(body).encode(), 200, self.headers(0.0001))
            self.statuses.append(reply.status)
            return reply


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def roster(tmp_path, authors=AUTHORS):
    path = tmp_path / "roster.csv"
    path.write_text("subject_id,kind,name,orcid,openalex_id,ror_id,home_institution\n" + "".join(
        f"R{i},researcher,Fictional Researcher {i},,{a},,\n" for i, a in enumerate(authors, start=1)),
        encoding="utf-8")
    return path


def settings_for(server, db, **extra):
    # Crossref is asked for the works' integrity notices: a stand-in that knows none, never the live API
    server.route("/crossref/works", Reply(b'{"message": {"items": []}}', 200, {"Content-Type": "application/json"}))
    return load_settings(env={"HIGHFENCE_DB": str(db), "HIGHFENCE_OPENALEX_URL": server.url,
                              "HIGHFENCE_CROSSREF_URL": server.url + "/crossref",
                              "HIGHFENCE_OPENALEX_API_KEY": KEY, "HIGHFENCE_HTTP_TIMEOUT": "2",
                              "HIGHFENCE_HTTP_RETRIES": "1", "HIGHFENCE_HTTP_BACKOFF": "0.01", **extra})


def stand_in(server, **kw) -> StandIn:
    work = json.loads(fixture("apis/openalex/bvitamins_W2741809807.json").read_text(encoding="utf-8"))
    api = StandIn(work, **kw)
    server.route_to("/works", api)
    return api


def observed_subjects(db) -> set[str]:
    with store.connect(db, read_only=True) as con:
        return {r[0] for r in con.execute("SELECT DISTINCT subject_id FROM observations").fetchall()}


def test_live_openalex_without_a_key_is_one_clear_error_before_any_request(tmp_path, capsys):
    settings = load_settings(env={"HIGHFENCE_DB": str(tmp_path / "hf.duckdb")})
    with pytest.raises(ConfigError, match="HIGHFENCE_OPENALEX_API_KEY"):
        make_sources(settings)
    code = main(["--db", str(tmp_path / "hf.duckdb"), "collect", "--roster", str(roster(tmp_path))])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert "OpenAlex needs an API key" in err and "sources.openalex.api_key" in err
    # a stand-in on this machine and the offline mirror need none
    OpenAlex(HttpClient("openalex", HttpConfig()), "http://127.0.0.1:9")
    OpenAlex(HttpClient("openalex", HttpConfig()), "http://mirror.highfence.invalid/openalex")


def test_the_stand_in_refuses_a_call_without_the_key(server, db):
    api = stand_in(server)
    with pytest.raises(Exception, match="HTTP 401"):
        list(OpenAlex(HttpClient("openalex", HttpConfig(retries=0)), server.url).works(AUTHORS[0]))
    assert api.served == []


def test_key_is_sent_but_never_cached_stored_or_shown(server, db, tmp_path):
    api = stand_in(server)
    settings = settings_for(server, db)
    outcome = screen_roster(db, settings, roster(tmp_path, AUTHORS[:1]), since=2015, collect_only=True)
    openalex = [p for p, _ in server.requests if not p.startswith("/crossref/")]
    assert api.served == [(AUTHORS[0], 0)] and all(f"api_key={KEY}" in p for p in openalex)
    assert not any(KEY in p for p, _ in server.requests if p.startswith("/crossref/"))  # OpenAlex's key only
    with store.connect(db, read_only=True) as con:
        texts = [str(r) for t in ("http_cache", "raw_responses", "observations", "screening_runs", "works")
                 for r in con.execute(f"SELECT * FROM {t}").fetchall()]
    assert texts and not any(KEY in t for t in texts)
    assert KEY not in json.dumps(outcome, default=str)


def test_403_makes_the_client_halve_its_rate_until_it_is_slow_enough(server):
    api = stand_in(server, min_gap=0.05, pages=20)  # at most 20 requests/s
    client = HttpClient("openalex", HttpConfig(rate=200, burst=20, retries=6, backoff=0.01))
    got = list(OpenAlex(client, server.url, api_key=KEY).works(AUTHORS[0]))
    assert len(got) == 20 and sorted(api.served) == [(AUTHORS[0], n) for n in range(20)]
    too_fast = api.statuses.count(403)
    assert 1 <= too_fast <= 10 and client.slowed == too_fast  # too fast at first, never hammered
    assert client.bucket.rate <= 20  # it slowed to the pace the source accepts ...
    last_403 = max(i for i, s in enumerate(api.statuses) if s == 403)
    gaps = [b - a for a, b in zip(api.times[last_403:], api.times[last_403 + 1:])]
    assert gaps and min(gaps) >= 0.05  # ... and kept to it


def test_403_in_a_run_backs_off_and_the_run_succeeds(server, db, tmp_path):
    api = stand_in(server, min_gap=0.5, pages=2)
    server.routes["/works"] = lambda path, headers: _with_retry_after(api(path, headers))
    settings = settings_for(server, db, HIGHFENCE_OPENALEX_RATE_LIMIT="200/1", HIGHFENCE_HTTP_RETRIES="4")
    outcome = screen_roster(db, settings, roster(tmp_path, AUTHORS[:2]), since=2015, collect_only=True)
    assert not outcome["errors"]
    assert sorted(api.served) == [(a, n) for a in AUTHORS[:2] for n in range(2)]  # each page answered once
    assert api.statuses.count(403) >= 1
    # every retry after a 403 waited for the Retry-After the stand-in gave
    after = [api.times[i + 1] - api.times[i] for i, s in enumerate(api.statuses[:-1]) if s == 403]
    assert after and min(after) >= 1.0
    assert observed_subjects(db) == {"R1", "R2"}
    assert outcome["sources"]["openalex"]["status"] == "ok"
    assert outcome["sources"]["openalex"]["calls"]["list"] == 4


def _with_retry_after(reply: Reply) -> Reply:
    if reply.status == 403:
        reply.headers["Retry-After"] = "1"
    return reply


def test_429_ends_the_source_for_the_run_then_the_next_run_resumes_without_refetching(server, db, tmp_path):
    api = stand_in(server, budget=3)
    settings = settings_for(server, db)
    path = roster(tmp_path)
    first = screen_roster(db, settings, path, since=2015, collect_only=True)
    used = first["sources"]["openalex"]
    assert used["status"] == "budget exhausted"
    assert used["resets_at"] == next_midnight_utc().isoformat()
    assert used["calls"]["list"] == 3 and used["remaining_usd"] == 0.0 and used["limit_usd"] == pytest.approx(0.0003)
    # one 429, then no request at all for the rest of the run: retrying a spent budget is useless
    assert api.statuses == [200, 200, 200, 429]
    assert {s for s, src, err in first["errors"] if src == "openalex" and "budget exhausted" in err} == {"R4", "R5"}
    assert observed_subjects(db) == {"R1", "R2", "R3"}  # what it had is committed
    with store.connect(db, read_only=True) as con:
        status = con.execute("SELECT status FROM screening_runs").fetchall()
    assert status == [("succeeded",)]

    api.list_calls = 0  # midnight UTC: the budget is back
    second = screen_roster(db, settings, path, since=2015, collect_only=True)
    assert second["sources"]["openalex"]["status"] == "ok"
    assert second["sources"]["openalex"]["cached"]["list"] == 3 and second["sources"]["openalex"]["calls"]["list"] == 2
    assert [a for a, _ in api.served] == AUTHORS  # every author's works fetched exactly once over both runs
    assert observed_subjects(db) == {f"R{i}" for i in range(1, 6)}


def test_run_summary_says_budget_exhausted_with_the_reset_time(capsys):
    from highfence.cli.screen import _print_screen

    resets = next_midnight_utc()
    _print_screen({"run_id": "collect-1", "subjects": 5, "observations_new": 9, "errors": [], "needs_pin": [],
                   "sources": {"openalex": {"status": "budget exhausted", "calls": {"single": 0, "list": 3,
                                                                                    "search": 0},
                                            "cached": {"single": 0, "list": 0, "search": 0}, "spent_usd": 0.0003,
                                            "remaining_usd": 0.0, "limit_usd": 1.0,
                                            "resets_at": resets.isoformat()}}}, None)
    out = capsys.readouterr().out
    assert "budget exhausted" in out and resets.isoformat() in out and "remaining budget $0.0000 of $1.0000" in out


def test_plan_counts_calls_by_class_before_any_request(server, db, tmp_path, capsys, monkeypatch):
    api = stand_in(server, budget=3)
    path = tmp_path / "roster.csv"
    path.write_text("subject_id,kind,name,orcid,openalex_id,ror_id,home_institution\n"
                    f"R1,researcher,One,,{AUTHORS[0]},,\n"
                    "R2,researcher,Two,0000-0002-1825-0097,,,\n"
                    "R3,researcher,Three by name,,,,\n"
                    "P1,institution,Harbin Institute of Technology,,,https://ror.org/01yqg2h08,\n", encoding="utf-8")
    env = {"HIGHFENCE_OPENALEX_URL": server.url, "HIGHFENCE_OPENALEX_COST_LIST_USD": "0.25",
           "HIGHFENCE_OPENALEX_COST_SEARCH_USD": "0.5", "HIGHFENCE_OPENALEX_DAILY_BUDGET_USD": "0.6"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    code = main(["--db", str(db), "screen", "--plan", "--roster", str(path), "--since", "2015"])
    out = capsys.readouterr().out
    assert code == 0 and server.requests == [] and api.served == []
    lines = {tuple(line.split()[:3]) for line in out.splitlines()}
    assert {("openalex", "single", "1"), ("openalex", "list", "2"), ("openalex", "search", "1"),
            ("orcid", "single", "1"), ("crossref", "list", "2"), ("ror", "single", "1")} <= lines
    assert "about $1.0000" in out and "more than the budget" in out and "about 2 days" in out


def test_ror_client_id_header_is_sent_when_configured(server):
    hit = next(json.loads(line) for line in fixture("ror/ror_v2_records_CN_HK_MO_TW.jsonl").open(encoding="utf-8")
               if '"https://ror.org/01yqg2h08"' in line)
    server.route("/organizations/01yqg2h08", Reply(json.dumps(hit).encode()))
    Ror(HttpClient("ror", HttpConfig()), server.url, client_id="hf-client-7").organization("01yqg2h08")
    Ror(HttpClient("ror", HttpConfig()), server.url).organization("01yqg2h08")
    sent = [h.get("Client-Id") for _, h in server.requests]
    assert sent == ["hf-client-7", None]
    with pytest.raises(ConfigError, match="v1 API is retired"):
        Ror(HttpClient("ror", HttpConfig()), "https://api.ror.org/v1")


def test_documented_rates_are_the_defaults_and_settings():
    rates = source_rates(load_settings(env={}))
    assert {k: r.limit for k, r in rates.items()} == {"openalex": "10/1", "orcid": "12/1", "crossref": "5/1",
                                                      "ror": "50/300"}
    polite = source_rates(load_settings(env={"HIGHFENCE_CONTACT_EMAIL": "office@example.org",
                                             "HIGHFENCE_ROR_CLIENT_ID": "c"}))
    assert polite["crossref"].limit == "10/1" and polite["ror"].limit == "2000/300"
    # a bucket never lets more than N requests into any window of W seconds
    for r in [*rates.values(), *polite.values()]:
        n, w = (float(x) for x in r.limit.split("/"))
        assert r.burst + r.rate * w <= n + 1e-9
    with pytest.raises(ConfigError, match="REQUESTS/SECONDS"):
        source_rates(load_settings(env={"HIGHFENCE_ORCID_RATE_LIMIT": "fast"}))


def test_too_many_is_never_hammered(server):
    """A source answering 429 with Retry-After is waited for, and the client's own rate halves."""
    body = b'{"message": {"items": []}}'
    server.route("/works", Reply(b"", 429, {"Retry-After": "1"}), Reply(body))
    slept = []
    client = HttpClient("crossref", HttpConfig(rate=8, burst=2, retries=2, backoff=0.01), sleep=slept.append)
    client.fetch(server.url + "/works")
    assert server.hits("/works") == 2 and 1.0 in slept
    assert client.bucket.rate == 4 and client.slowed == 1


def test_token_bucket_holds_the_rate():
    clock = [0.0]
    bucket = TokenBucket(10, burst=2, sleep=lambda s: clock.__setitem__(0, clock[0] + s), clock=lambda: clock[0])
    for _ in range(12):
        bucket.take()
    assert clock[0] == pytest.approx(1.0)  # 2 at once, then 10 more at 10/s


def test_budget_exhausted_refuses_further_calls_without_a_request(server):
    server.route("/works", Reply(b"", 429, {"X-RateLimit-Reset": "3600"}))
    api = OpenAlex(HttpClient("openalex", HttpConfig(retries=3)), server.url)
    with pytest.raises(BudgetExhausted) as first:
        list(api.works(AUTHORS[0]))
    expected = datetime.now(timezone.utc) + timedelta(hours=1)
    assert abs((first.value.resets_at - expected).total_seconds()) < 60
    with pytest.raises(BudgetExhausted):
        api.institution("I1")
    assert len(server.requests) == 1
