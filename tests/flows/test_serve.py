"""A real Prefect server on 127.0.0.1: `highfence serve` registers the deployments and a triggered screen-full
runs against the store."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from highfence import store
from highfence.flows.lists import load_list
from highfence.records import Observation, Subject
from highfence.store import evidence as evidence_store

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise TimeoutError(what)


@pytest.fixture
def prefect_server(tmp_path):
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_UI_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)

    def healthy():
        try:
            return requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2).ok
        except requests.RequestException:
            return False

    try:
        wait(healthy, 120, "server health")
    except TimeoutError:
        proc.terminate()
        pytest.skip(f"a Prefect server could not start here: {(tmp_path / 'server.log').read_text()[-300:]}")
    yield env
    proc.terminate()
    proc.wait(timeout=30)


@pytest.mark.prefect_server
def test_serve_and_trigger_screen_full(prefect_server, tmp_path):
    env = prefect_server
    db = tmp_path / "hf.duckdb"
    lst = tmp_path / "mine.csv"
    lst.write_text("entry_id,name,aliases,kind,country\nE1,Harbin Institute of Technology,HIT,organization,CN\n")
    load_list(db, "custom:mine", lst)
    with store.connect(db) as con, store.transaction(con):
        evidence_store.upsert_subjects(con, [Subject("R1", "researcher", "Fictional")], "test")
        evidence_store.add_observations(con, [Observation("R1", "coauthor_affiliation",
                                                          "School of Astronautics, Harbin Institute of Technology",
                                                          "openalex", None, "10.1/a", 2024)], "run-0")
    env = {**env, "HIGHFENCE_DB": str(db)}
    serve_log = open(tmp_path / "serve.log", "w")
    served = subprocess.Popen([str(BIN / "highfence"), "serve"], env=env, stdout=serve_log,
                              stderr=subprocess.STDOUT, cwd=tmp_path)
    api = env["PREFECT_API_URL"]
    try:
        def registered():
            r = requests.post(f"{api}/deployments/filter", json={}, timeout=5)
            names = {d["name"] for d in r.json()} if r.ok else set()
            return names >= {"refresh-lists", "screen-delta", "screen-full", "report-roster"}

        wait(registered, 120, "deployments registered")
        run = subprocess.run([str(BIN / "prefect"), "deployment", "run", "screen-full/screen-full"], env=env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr

        # the triggered run, not one the schedules created for later
        printed = re.search(r"UUID: ([0-9a-f-]{36})", run.stdout)
        if printed:
            run_id = printed.group(1)
        else:
            runs = requests.post(f"{api}/flow_runs/filter", json={}, timeout=5).json()
            run_id = next(fr["id"] for fr in runs if fr.get("deployment_id") and not fr.get("auto_scheduled"))

        # Poll Prefect, not the store: a reader on the primary file would contend with the flow's writer.
        def served_run():
            r = requests.get(f"{api}/flow_runs/{run_id}", timeout=5)
            return r.json() if r.ok else None

        def finished():
            assert served.poll() is None, "highfence serve exited: " + (tmp_path / "serve.log").read_text()[-3000:]
            fr = served_run()
            state = fr and fr["state"]
            return state and state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} and state["type"]

        def diagnosis() -> str:
            fr = served_run()
            text = f"flow run: {fr and fr['state']}\n"
            if fr:
                logs = requests.post(f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [fr["id"]]}}},
                                     timeout=5)
                text += "\n".join(entry["message"] for entry in logs.json()[-30:]) if logs.ok else logs.text
            return text + "\nserve log:\n" + (tmp_path / "serve.log").read_text()[-3000:]

        try:
            state = wait(finished, 300, "screen-full finished")
        except TimeoutError:
            pytest.fail("screen-full did not finish in 300 s; " + diagnosis())
        assert state == "COMPLETED", diagnosis()
        with store.connect(db, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM findings").fetchall()[0][0] == 1
            outcome = con.execute("SELECT outcome FROM screening_runs WHERE kind = 'screen-full'").fetchall()[0][0]
        assert '"new_or_reopened": 1' in outcome.replace(" ", "").replace('":1', '": 1')
    finally:
        served.terminate()
        served.wait(timeout=30)
