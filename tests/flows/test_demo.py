"""The demo flow end to end through Prefect (one temporary API for the session)."""

import csv

import duckdb

from highfence import store
from highfence.flows.demo import demo_flow


def test_demo_flow_screens_bundled_data_and_is_idempotent(tmp_path, prefect_harness):
    db = tmp_path / "demo.duckdb"
    first = demo_flow(db=db, out_dir=tmp_path)
    assert {r["list_id"] for r in first["lists"]} == {"jp_meti_eul", "ca_nro", "un_sc", "aspi_unitracker", "us_csl"}
    assert all(r["outcome"] == "activated" for r in first["lists"])
    with store.connect(db, read_only=True) as con:
        runs = con.execute("SELECT kind, status, flow_run_id FROM screening_runs ORDER BY started_at").fetchall()
        assert [(k, s) for k, s, _ in runs] == [("demo", "succeeded"), ("reconcile", "succeeded")] + [
            ("assess", "succeeded")] * 3
        assert runs[0][2] and runs[0][2] == runs[1][2]  # linked to the Prefect flow run
        findings = con.execute("""SELECT subject_id, relation, list_id, evidence_id, entry_name FROM v_findings
                                  ORDER BY ALL""").fetchall()
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("findings", "observations", "subjects", "list_entries", "list_snapshots", "disclosures",
                            "disclosure_findings", "partnerships", "checklist_instances", "checklist_answers")}
    by_subject = {}
    for subject, relation, list_id, evidence, entry in findings:
        by_subject.setdefault(subject, set()).add((relation, list_id))
    # partners on lists, a co-author at HIT, an own affiliation at Beihang; NUS, TUM, Cambridge, ETH are clean
    assert by_subject["P-HIT"] == {("partner_institution", l) for l in ("aspi_unitracker", "ca_nro", "jp_meti_eul")}
    assert ("coauthor_affiliation", "jp_meti_eul") in by_subject["R-0001"]
    assert ("affiliation", "jp_meti_eul") in by_subject["R-0002"]
    assert ("funder", "jp_meti_eul") not in by_subject["R-0001"]  # JSPS, a funder, is on no list
    assert "P-NUS" not in by_subject and "R-0003" not in by_subject
    assert all(e.startswith("10.5555/") for s, r, l, e, n in findings if s.startswith("R-"))

    # every finding carries its evidence chain into the export
    with open(tmp_path / "findings.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == counts["findings"]
    assert all(r["list_sha256"] and r["snapshot_id"] and r["explanation"] and r["observed_name"] for r in rows)

    # no DoD list is bundled: us-dod-matrix cannot assess, never the mildest outcome
    assert first["assessments"]["R-0002"] == {"ca-strac": "ineligible", "jp-guideline": "escalate",
                                              "us-dod-matrix": "cannot_assess"}
    assert first["assessments"]["R-0001"]["jp-guideline"] == "confirm"  # co-author at a listed institution
    recon = {s["subject_id"]: s["reconciliation"] for s in first["subjects"]}
    assert recon["R-0001"] == "consistent"  # disclosed Tokyo and its JSPS grant; the NDA item stays restricted
    assert recon["R-0002"].startswith("undisclosed_affiliation")  # Beihang, a listed institution
    assert recon["R-0003"] is None  # no disclosure on file

    second = demo_flow(db=db, out_dir=tmp_path)
    assert all(r["outcome"] == "unchanged" for r in second["lists"])
    assert second["screening"]["findings_new"] == 0
    with store.connect(db, read_only=True) as con:
        again = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in counts}
        assert con.execute("SELECT count(*) FROM screening_runs WHERE status = 'succeeded'").fetchall()[0][0] == 10
    assert again == counts

    with duckdb.connect(str(store.read_copy_path(db)), read_only=True) as reader:
        assert reader.execute("SELECT count(*) FROM findings").fetchall()[0][0] == counts["findings"]


def test_failed_screening_leaves_findings_as_they_were(tmp_path, prefect_harness, monkeypatch, demo_store):
    """Screening commits with the run's final status: if it fails, the previous findings stay and the run says
    'failed'."""
    import pytest

    from highfence.flows import screen as screening_module

    db = demo_store.db  # the session's first demo run, copied into tmp_path
    with store.connect(db, read_only=True) as con:
        before = con.execute("SELECT finding_id, last_run_id FROM findings ORDER BY 1").fetchall()

    def broken(*args, **kwargs):
        raise RuntimeError("matcher crashed")

    monkeypatch.setattr(screening_module, "screen_stored", broken)
    with pytest.raises(Exception, match="matcher crashed"):
        demo_flow(db=db, out_dir=tmp_path)
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT finding_id, last_run_id FROM findings ORDER BY 1").fetchall() == before
        statuses = [r[0] for r in con.execute("SELECT status FROM screening_runs WHERE kind = 'demo' "
                                              "ORDER BY started_at").fetchall()]
    assert statuses == ["succeeded", "failed"]


def test_analyst_notebook_runs_on_the_demo_read_copy(tmp_path, prefect_harness, monkeypatch, demo_store):
    """Every code cell of notebooks/analyst.ipynb, in order, against the demo database's read copy."""
    import json
    from pathlib import Path

    db = demo_store.db  # the session's demo run, copied into tmp_path
    monkeypatch.setenv("HIGHFENCE_READ_DB", str(store.read_copy_path(db)))
    nb = json.loads((Path(__file__).parents[2] / "notebooks" / "analyst.ipynb").read_text(encoding="utf-8"))
    scope: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "analyst.ipynb", "exec"), scope)
    assert set(scope["by_list"]["list_id"]) == {"aspi_unitracker", "ca_nro", "jp_meti_eul"}
    assert len(scope["evidence"]) == 6 and (scope["evidence"]["status"] == "open").all()
