"""How commands run flows: in-process without a Prefect API, through Prefect with one."""

import json
import os
import subprocess
import sys

import pytest

from highfence.flows.engine import with_server_retry

CHILD = r"""
import json, sys
from prefect import flow, task
from prefect.context import FlowRunContext, TaskRunContext
from highfence.flows.engine import run_flow, step

@task
def inner(x):
    return {"x": x, "task_run": TaskRunContext.get() is not None}

@flow
def outer(x):
    return {**step(inner, x), "flow_run": FlowRunContext.get() is not None}

print(json.dumps(run_flow(outer, x=3)))
"""


def _run_child(tmp_path, extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                **extra_env})
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_a_prefect_api_the_flow_runs_in_process_and_no_server_starts(tmp_path):
    got = _run_child(tmp_path, {})
    assert got == {"x": 3, "task_run": False, "flow_run": False}
    # Prefect's temporary server keeps its database in PREFECT_HOME: none was created.
    assert not list((tmp_path / "prefect-home").glob("*.db"))


@pytest.mark.prefect_server
def test_with_a_prefect_api_the_same_flow_is_a_prefect_run(tmp_path, prefect_harness):
    from prefect.settings import get_current_settings

    from highfence.flows.engine import run_flow, step
    from prefect import flow, task
    from prefect.context import FlowRunContext, TaskRunContext

    @task
    def inner(x):
        return {"x": x, "task_run": TaskRunContext.get() is not None}

    @flow
    def outer(x):
        return {**step(inner, x), "flow_run": FlowRunContext.get() is not None}

    assert get_current_settings().api.url  # the harness is the configured API
    assert run_flow(outer, x=4) == {"x": 4, "task_run": True, "flow_run": True}


def test_a_slow_temporary_server_gets_one_retry():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")
        return "ran"

    assert with_server_retry(flaky) == "ran" and len(calls) == 2


def test_other_errors_and_a_second_timeout_are_raised():
    def broken():
        raise RuntimeError("something else")

    with pytest.raises(RuntimeError, match="something else"):
        with_server_retry(broken)

    def never_up():
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")

    with pytest.raises(RuntimeError, match="Timed out"):
        with_server_retry(never_up)
