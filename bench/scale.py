"""Scale-out (run by hand): screening 1,000,000 observations in one process against a 2-worker local Dask cluster,
and collecting 200 subjects from a local stand-in API with a rate limit shared by every worker.

    .venv/bin/python bench/scale.py [--observations 1000000] [--subjects 200]     (0 skips that part)

Starts its own Prefect server on 127.0.0.1 (own PREFECT_HOME) so that Dask workers share the global rate limit."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def start_server(home: Path) -> subprocess.Popen:
    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ.update({"PREFECT_HOME": str(home), "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
                       "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
                       "PREFECT_LOGGING_LEVEL": "WARNING"})
    proc = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).ok:
                return proc
        except requests.RequestException:
            pass
        time.sleep(1)
    raise SystemExit("Prefect server did not start")


def screening(n: int) -> None:
    from match_speed import load_entries, make_strings

    from highfence.flows.scale import match_partitioned
    from highfence.matching import Matcher

    entries = load_entries()
    strings = make_strings(n)
    rows = [(str(i), s, None) for i, s in enumerate(strings)]
    t = time.perf_counter()
    matcher = Matcher(entries)
    single = [(rid, m.entry_id) for rid, s, _ in rows for m in matcher.match(s)]
    t_single = time.perf_counter() - t
    t = time.perf_counter()
    dask_rows = match_partitioned(matcher, rows, "dask", workers=2)
    t_dask = time.perf_counter() - t
    same = sorted(single) == sorted((r[0], r[2]) for r in dask_rows)
    print(f"screening {n:,} observations against {len(entries):,} organisation entries:")
    print(f"  single process:         {t_single:7.1f}s  {n / t_single:8,.0f} obs/s")
    print(f"  local Dask, 2 workers:  {t_dask:7.1f}s  {n / t_dask:8,.0f} obs/s (incl. cluster start); "
          f"identical results: {same}")


def collection(n_subjects: int) -> None:
    from highfence import store
    from highfence.flows.collect import collect_subject, make_sources, source_rates
    from highfence.flows.scale import collect_partitioned
    from highfence.settings import load_settings
    from highfence.records import Subject
    from tests.httpserver import LocalServer, Reply

    work = json.loads((REPO.parent / "shared/fixtures/apis/openalex/bvitamins_W2741809807.json").read_text())
    first = work["authorships"][0]["author"]["id"].rsplit("/", 1)[-1]
    page = json.dumps({"meta": {"next_cursor": None}, "results": [work]}).encode()
    with LocalServer() as server, tempfile.TemporaryDirectory() as tmp:
        server.route("/works", Reply(page))
        times: list[float] = []
        real = server.httpd.RequestHandlerClass.do_GET

        def timed(handler):
            times.append(time.monotonic())
            real(handler)

        server.httpd.RequestHandlerClass.do_GET = timed
        env = {"HIGHFENCE_OPENALEX_URL": server.url, "HIGHFENCE_HTTP_CACHE_TTL_HOURS": "0"}
        subjects = [Subject(f"S{i}", "researcher", f"Subject {i}", openalex_id=first) for i in range(n_subjects)]

        db = Path(tmp) / "single.duckdb"
        store.migrate(db)
        sources = make_sources(load_settings(env=env), db)
        t = time.perf_counter()
        single = [collect_subject(sources, s, None, 2015, "bench") for s in subjects]
        t_single = time.perf_counter() - t
        times.clear()

        db = Path(tmp) / "dask.duckdb"
        store.migrate(db)
        t = time.perf_counter()
        results = collect_partitioned(env, str(db), subjects, {}, 2015, "bench", "dask", workers=2)
        elapsed = time.perf_counter() - t
    span = times[-1] - times[0] if len(times) > 1 else 1.0
    busiest = max(sum(1 for x in times if s <= x < s + 1.0) for s in times)
    print(f"collection of {n_subjects} subjects against a stand-in API (OpenAlex limit {source_rates(load_settings(env=env))['openalex'].limit}):")
    print(f"  single process:         {t_single:5.1f}s, {sum(len(r.observations) for r in single)} observations")
    print(f"  local Dask, 2 workers:  {elapsed:5.1f}s (incl. cluster start), {len(times)} requests, "
          f"{(len(times) - 1) / span:.1f} requests/s on average, at most {busiest} in any 1-second window; "
          f"{sum(len(r.observations) for r in results)} observations")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--observations", type=int, default=1_000_000)
    ap.add_argument("--subjects", type=int, default=200)
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="hf-prefect-"))
    server = start_server(home)
    try:
        if args.subjects:
            collection(args.subjects)
        if args.observations:
            screening(args.observations)
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
