import os
import subprocess
import sys
import textwrap

import duckdb
import pytest

from highfence import store
from highfence.store.db import latest_version, migrations


def _schema(path):
    with store.connect(path, read_only=True) as con:
        return con.execute("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'main' ORDER BY table_name, column_name""").fetchall()


def test_migrations_are_numbered_without_gaps():
    versions = [m.version for m in migrations()]
    assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 3


def test_migrate_from_empty(tmp_path):
    path = tmp_path / "new.duckdb"
    applied = store.migrate(path)
    assert [m.version for m in applied] == list(range(1, latest_version() + 1))
    info = store.info(path)
    assert info["schema_version"] == latest_version()
    assert {"schema_migrations", "screening_runs", "raw_responses", "list_snapshots", "findings"} <= set(info["tables"])
    assert store.migrate(path) == []  # idempotent


@pytest.mark.parametrize("start", range(1, latest_version()))
def test_migrate_from_each_earlier_version(tmp_path, start):
    fresh = tmp_path / "fresh.duckdb"
    store.migrate(fresh)
    old = tmp_path / "old.duckdb"
    store.migrate(old, target=start)
    assert store.info(old)["schema_version"] == start
    store.migrate(old)
    assert _schema(old) == _schema(fresh)


def test_edited_migration_is_detected(tmp_path, monkeypatch):
    path = tmp_path / "x.duckdb"
    store.migrate(path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1")
    with pytest.raises(store.StoreError, match="changed after it was applied"):
        store.migrate(path)


def test_database_newer_than_code_is_refused(tmp_path):
    path = tmp_path / "x.duckdb"
    store.migrate(path)
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x', now())")
    with pytest.raises(store.StoreError, match="newer than this highfence knows"):
        store.migrate(path)


def test_failed_transaction_leaves_previous_state(db):
    with store.connect(db) as con:
        with store.transaction(con):
            con.execute("INSERT INTO screening_runs (run_id, kind, started_at, status, highfence_version) "
                        "VALUES ('keep', 'test', now(), 'succeeded', 'x')")
        with pytest.raises(RuntimeError):
            with store.transaction(con):
                con.execute("INSERT INTO screening_runs (run_id, kind, started_at, status, highfence_version) "
                            "VALUES ('lost', 'test', now(), 'running', 'x')")
                raise RuntimeError("boom")
    with store.connect(db, read_only=True) as con:
        assert [r[0] for r in con.execute("SELECT run_id FROM screening_runs").fetchall()] == ["keep"]


def test_process_killed_mid_transaction_keeps_committed_data(db):
    script = textwrap.dedent(f"""
        import os, store
        with store.connect({str(db)!r}) as con:
            with store.transaction(con):
                con.execute("INSERT INTO screening_runs (run_id, kind, started_at, status, highfence_version) "
                            "VALUES ('committed', 'test', now(), 'succeeded', 'x')")
            con.execute("BEGIN TRANSACTION")
            con.execute("INSERT INTO screening_runs (run_id, kind, started_at, status, highfence_version) "
                        "VALUES ('half-written', 'test', now(), 'running', 'x')")
            os._exit(9)  # no rollback, no close: as if the machine lost power
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    with store.connect(db, read_only=True) as con:
        assert [r[0] for r in con.execute("SELECT run_id FROM screening_runs").fetchall()] == ["committed"]
    assert store.migrate(db) == []  # the writer lock died with the process; writing works again


def test_corrupted_database_one_line_error_and_file_untouched(tmp_path):
    path = tmp_path / "broken.duckdb"
    garbage = b"this is not a duckdb file\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(store.StoreError) as err:
        store.migrate(path)
    msg = str(err.value)
    assert str(path) in msg and "\n" not in msg
    assert path.read_bytes() == garbage


def test_unwritable_path_names_path(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    path = blocker / "db.duckdb"  # its parent is a file: nobody, not even root, can create it
    with pytest.raises(store.StoreError) as err:
        store.migrate(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_directory_as_database_path(tmp_path):
    with pytest.raises(store.StoreError, match="is a directory"):
        store.migrate(tmp_path)


def test_read_only_missing_database(tmp_path):
    with pytest.raises(store.StoreError, match="not found"):
        store.info(tmp_path / "nothing.duckdb")


def test_reader_of_published_copy_never_blocks_writer(db):
    with store.connect(db) as con:
        con.execute("INSERT INTO screening_runs (run_id, kind, started_at, status, highfence_version) "
                    "VALUES ('first', 'test', now(), 'succeeded', 'x')")
    copy = store.publish_read_copy(db)
    reader = duckdb.connect(str(copy), read_only=True)  # an analyst's notebook, left open
    try:
        with store.connect(db, lock_timeout=2) as con:
            con.execute("INSERT INTO screening_runs (run_id, kind, started_at, status, highfence_version) "
                        "VALUES ('second', 'test', now(), 'succeeded', 'x')")
        store.publish_read_copy(db, lock_timeout=2)
        # the open notebook keeps its consistent view; a fresh one sees the new run
        assert reader.execute("SELECT count(*) FROM screening_runs").fetchall()[0][0] == 1
    finally:
        reader.close()
    with duckdb.connect(str(copy), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM screening_runs").fetchall()[0][0] == 2


def test_second_writer_waits_then_gives_up_with_clear_error(db):
    script = textwrap.dedent(f"""
        import time, store
        with store.connect({str(db)!r}):
            print("locked", flush=True)
            time.sleep(5)
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(store.StoreError, match="another highfence process is writing"):
            with store.connect(db, lock_timeout=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()


def test_next_run_closes_runs_whose_process_is_gone_on_this_host_only(db):
    import socket

    from highfence.store import runs

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with store.connect(db) as con:
        for run_id, host, pid in (("killed", socket.gethostname(), int(dead.stdout)),
                                  ("elsewhere", "another-host", int(dead.stdout)),
                                  ("alive", socket.gethostname(), os.getppid())):
            con.execute("INSERT INTO screening_runs (run_id, kind, started_at, status, highfence_version, host, pid) "
                        "VALUES (?, 'test', now(), 'running', 'x', ?, ?)", [run_id, host, pid])
        runs.start(con, "test", {})
        status = dict(con.execute("SELECT run_id, status FROM screening_runs WHERE kind = 'test'").fetchall())
    assert {k: v for k, v in status.items() if k in ("killed", "elsewhere", "alive")} == {
        "killed": "failed", "elsewhere": "running", "alive": "running"}
