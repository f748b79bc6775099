import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HIGHFENCE_SHARED", REPO.parent / "shared"))
FIXTURES = SHARED / "fixtures"


def fixture(rel: str) -> Path:
    path = FIXTURES / rel
    if not path.exists():
        if os.environ.get("CI"):  # CI lays shared/ beside the clone: a missing fixture there is a failure
            pytest.fail(f"shared fixture {rel} not present at {FIXTURES}")
        pytest.skip(f"shared fixture {rel} not present at {FIXTURES}")
    return path


@pytest.fixture
def db(tmp_path) -> Path:
    from highfence import store

    path = tmp_path / "hf.duckdb"
    store.migrate(path)
    return path


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """One temporary Prefect API for the whole session: starting one per test costs seconds each."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
