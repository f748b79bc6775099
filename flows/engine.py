"""How a command runs a flow: through Prefect when a Prefect API is configured, in this process otherwise.

The flows are real Prefect flows (``serve``, deployments, ``prefect.yaml``, any run with ``PREFECT_API_URL`` set).
Without a configured API, Prefect would start a temporary server for every command: seconds of start-up, and on a
busy machine a ``Timed out while attempting to connect to ephemeral Prefect API server`` that fails the command.
A local command gains nothing from that server, so ``run_flow`` calls the flow's own function instead and
``step`` calls each task's function directly: the same code, without the orchestration.

Runs that need Prefect's machinery (a thread, process or Dask task runner) still go through Prefect; for them
``prepare_prefect`` gives the temporary server a generous start-up timeout and ``with_server_retry`` one retry.
"""

from __future__ import annotations

import contextvars
import os
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def scale_settings(settings, task_runner: str | None = None, dask_address: str | None = None
                   ) -> tuple[str | None, str | None, int]:
    """The task runner, Dask address and worker count: the command line's, else the configured ones."""
    return (task_runner or settings.scale.task_runner or None,
            dask_address or settings.scale.dask_address or None, max(1, settings.scale.workers))


_IN_PROCESS: contextvars.ContextVar[bool] = contextvars.ContextVar("highfence_in_process", default=False)

# Prefect's default is 20 s; a cold start on a loaded 2-core machine takes longer than that.
EPHEMERAL_STARTUP_TIMEOUT = "120"
_SERVER_TIMEOUT = "Timed out while attempting to connect to ephemeral Prefect API server"


def prepare_prefect() -> None:
    """Quiet, offline-friendly Prefect defaults, unless the user chose otherwise."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The CLI reports failures itself in one line; Prefect's own tracebacks would bury it.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EPHEMERAL_STARTUP_TIMEOUT)


def prefect_api_configured() -> bool:
    """True when runs should be recorded by a Prefect server or Prefect Cloud (``PREFECT_API_URL`` set, in the
    environment or the active Prefect profile)."""
    if os.environ.get("PREFECT_API_URL"):
        return True
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def in_process() -> bool:
    """True inside ``run_flow`` without Prefect: tasks are plain calls."""
    return _IN_PROCESS.get()


def run_flow(flow: Any, /, **params: Any) -> Any:
    """Run ``flow`` with ``params``: as a Prefect flow run when an API is configured, else its function here."""
    prepare_prefect()
    if prefect_api_configured():
        return with_server_retry(lambda: flow(**params))
    token = _IN_PROCESS.set(True)
    try:
        return flow.fn(**params)
    finally:
        _IN_PROCESS.reset(token)


def step(task: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Call a Prefect task: as a task run inside a Prefect flow run, as its plain function in-process."""
    if _IN_PROCESS.get():
        return task.fn(*args, **kwargs)
    return task(*args, **kwargs)


def with_server_retry(run: Callable[[], T]) -> T:
    """``run()``, once more if Prefect's temporary server did not come up in time (a slow start is not a failure
    of the command). Any other error, or a second time-out, is raised."""
    try:
        return run()
    except RuntimeError as exc:
        if _SERVER_TIMEOUT not in str(exc):
            raise
    return run()
