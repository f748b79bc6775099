import os
import shutil
from dataclasses import dataclass
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


def pytest_collection_modifyitems(config, items):
    """A test that uses the session's Prefect API (directly or through a fixture such as the demo's) is marked
    `prefect_server`, so `make test-quick` (-m "not prefect_server and not dask") leaves it out."""
    for item in items:
        if "prefect_harness" in item.fixturenames:
            item.add_marker(pytest.mark.prefect_server)


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


# --- the demo, run once per session -------------------------------------------------------------------------------

def _rebase(value, old: str, new: str):
    """`value` (what demo_flow returned) with every path under `old` moved under `new`."""
    if isinstance(value, dict):
        return {k: _rebase(v, old, new) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_rebase(v, old, new) for v in value)
    if isinstance(value, str) and (value == old or value.startswith(old + os.sep)):
        return new + value[len(old):]
    return value


@dataclass(frozen=True)
class DemoRun:
    """A store the demo flow populated (`demo.duckdb`) and the files it wrote beside it in `out`: the read copy,
    findings.csv, the reports. `result` is what demo_flow returned, its paths pointing into `out`."""

    out: Path
    result: dict

    @property
    def db(self) -> Path:
        return self.out / "demo.duckdb"

    @property
    def read_copy(self) -> Path:
        from highfence import store

        return store.read_copy_path(self.db)

    @property
    def findings_csv(self) -> Path:
        return Path(self.result["findings_csv"])

    @property
    def reports(self) -> list[Path]:
        return [Path(p) for p in self.result["reports"]]

    def copy_to(self, dest: Path) -> "DemoRun":
        """Everything the demo wrote, copied into `dest` (which may exist): a store of one's own to change."""
        shutil.copytree(self.out, dest, dirs_exist_ok=True)
        return DemoRun(dest, _rebase(self.result, str(self.out), str(dest)))


@pytest.fixture(scope="session")
def demo_session(tmp_path_factory) -> DemoRun:
    """The demo flow, run once for the whole session, the way the CLI runs it (in-process unless a Prefect API is
    configured). Never write to it: take a copy (`demo_store`, or `demo_session.copy_to(dir)` in a module-scoped
    fixture). A test about the demo flow itself, or one that patches a module before the demo runs, runs its own
    demo_flow instead."""
    from highfence.flows.demo import demo_flow
    from highfence.flows.engine import run_flow

    out = tmp_path_factory.mktemp("demo-session")
    result = run_flow(demo_flow, db=out / "demo.duckdb", out_dir=out)
    return DemoRun(out, result)


@pytest.fixture
def demo_store(demo_session, tmp_path) -> DemoRun:
    """A copy of the session's demo store and files in this test's tmp_path (so `tmp_path / "demo.duckdb"` is its
    database, as if the test had run `demo_flow(db=tmp_path / "demo.duckdb", out_dir=tmp_path)`)."""
    return demo_session.copy_to(tmp_path)
