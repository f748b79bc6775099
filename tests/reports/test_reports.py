"""Reports on the demo data: every format, both languages, restricted items, self-contained HTML that renders."""

import json
import re
import shutil
import subprocess

import openpyxl
import pytest

from highfence import store
from highfence.flows.demo import demo_restricted
from highfence.flows.reconcile import load_disclosures, reconcile_store
from highfence.reports.build import build
from highfence.reports.render import write


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_session):
    demo = demo_session.copy_to(tmp_path_factory.mktemp("demo"))  # the session's demo run (conftest), copied
    out, db, result = demo.out, demo.db, demo.result
    # a researcher whose NDA partner is listed: restricted, and absent unless asked for
    nda = out / "nda.json"
    nda.write_text(json.dumps({"researcher_id": "R-0003", "affiliations": [
        {"organization": "Technical University of Munich", "kind": "employment"}],
        "nda_collaborations": [{"partner": "Beihang University", "amount": 1, "currency": "EUR",
                                "effort_percent": 5}]}))
    access = demo_restricted(db, "test")  # the demo store's own key file
    load_disclosures(db, nda, access)
    reconcile_store(db, restricted=access)
    return db, result


def model(db, kind, ident=None, lang="en", restricted=False):
    with store.connect(db, read_only=True) as con:
        return build(con, kind, ident, lang, demo_restricted(db, "test") if restricted else None)


def test_demo_writes_roster_and_partner_reports(demo_db):
    _, result = demo_db
    names = sorted(p.rsplit("/", 1)[-1] for p in result["reports"])
    assert names == ["report-partner-P-HIT-en.html", "report-partner-P-HIT-ja.html", "report-roster-en.html",
                     "report-roster-ja.html"]


def test_every_finding_with_its_evidence_in_every_format(demo_db, tmp_path):
    db, _ = demo_db
    m = model(db, "researcher", "R-0002")
    assert len(m["findings"]) == 6 and all(f["links"]["doi"].startswith("https://doi.org/10.5555/")
                                           for f in m["findings"])
    html = write(m, "html", tmp_path / "r.html").read_text(encoding="utf-8")
    md = write(m, "md", tmp_path / "r.md").read_text(encoding="utf-8")
    js = json.loads(write(m, "json", tmp_path / "r.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(write(m, "xlsx", tmp_path / "r.xlsx"))
    for f in m["findings"]:
        assert f["evidence_id"] in html and f["evidence_id"] in md and f["entry_name"] in html
    assert js["schema"] == "highfence.report/1" and len(js["findings"]) == 6
    assert {f["finding_id"] for f in js["findings"]} == {r[0].value for r in wb["Findings"].iter_rows(min_row=2)}
    assert "<svg" in html and "Beihang University ▲" in html  # the timeline marks the listed organisation
    rec = {(r["relation"], r["observed_name"]) for r in js["reconciliation"]["findings"]}
    assert ("undisclosed_affiliation", "Beihang University") in rec
    assert all(l["sha256"] and l["snapshot_id"] for l in js["scope"]["lists"])
    assert {a["pack"]: a["outcome"] for a in js["assessments"]} == {
        "ca-strac": "ineligible", "jp-guideline": "escalate", "us-dod-matrix": "cannot_assess"}  # no DoD list in the demo
    assert {n["list_id"] for n in js["coverage"]["lists_not_checked"] if n["needed_by"]} == {"us_dod_1286",
                                                                                            "us_dod_1260h"}
    assert "Risk assessment" in html and "ineligible" in md


def test_partner_report_has_copublication_table(demo_db):
    db, _ = demo_db
    m = model(db, "partner", "https://ror.org/01yqg2h08")
    assert m["subject"]["subject_id"] == "P-HIT"
    assert {(c["researcher"], c["year"]) for c in m["copublication"]} == {("R-0001", 2023)}


def test_restricted_items_only_when_asked(demo_db, tmp_path):
    db, _ = demo_db
    plain = write(model(db, "roster"), "html", tmp_path / "a.html").read_text(encoding="utf-8")
    full = write(model(db, "roster", restricted=True), "html", tmp_path / "b.html").read_text(encoding="utf-8")
    assert "NDA-restricted items are omitted" in plain and "disclosed nda collaborations" not in plain
    assert "restricted circulation" in full and "disclosed nda collaborations &#x27;Beihang University" in full


def test_japanese_and_english_labels(demo_db, tmp_path):
    db, _ = demo_db
    ja = write(model(db, "researcher", "R-0002", "ja"), "html", tmp_path / "ja.html").read_text(encoding="utf-8")
    en = write(model(db, "researcher", "R-0002", "en"), "html", tmp_path / "en.html").read_text(encoding="utf-8")
    for label in ("研究者デュー・ディリジェンス報告書", "研究セキュリティ", "デュー・ディリジェンス", "未申告の所属",
                  "自己申告との照合", 'lang="ja"'):
        assert label in ja
    for label in ("Researcher due-diligence report", "Undisclosed affiliation", 'lang="en"'):
        assert label in en


def test_html_loads_nothing_from_outside(demo_db, tmp_path):
    db, _ = demo_db
    html = write(model(db, "partner", "P-HIT", "ja"), "html", tmp_path / "p.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", html, re.I)
    assert not re.search(r"url\(|@import|src\s*=", html, re.I)
    assert "@media print" in html and "size: A4" in html


def test_html_renders_in_headless_chromium(demo_db, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("headless Chromium is not installed (Debian package 'chromium'; .ci/run installs it when it can)")
    db, _ = demo_db
    page = write(model(db, "researcher", "R-0002", "ja"), "html", tmp_path / "r.html")
    shot = tmp_path / "r.png"
    proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1100,1400",
                           page.as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000, proc.stderr[-500:]
    pdf = tmp_path / "r.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile2'}",
                    f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120)
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF"


def test_report_cli_and_artifact(demo_db, tmp_path, capsys):
    from highfence.cli import main

    db, _ = demo_db
    out = tmp_path / "roster.xlsx"
    assert main(["--db", str(db), "report", "roster", "--format", "xlsx", "--lang", "ja", "--out", str(out)]) == 0
    assert "確認事項" in openpyxl.load_workbook(out).sheetnames
    assert main(["--db", str(db), "report", "researcher", "P-HIT"]) == 1
    assert "is a institution, not a researcher" in capsys.readouterr().err


def test_report_in_a_flow_run_is_an_artifact(demo_db, prefect_harness):
    """Inside a Prefect flow run a report is also a markdown artifact (the demo runs in-process, so it makes none:
    this runs one report in a flow of its own)."""
    from prefect import flow
    from prefect.client.orchestration import get_client

    from highfence import store
    from highfence.reports.build import build
    from highfence.reports.render import publish_artifact

    db, _ = demo_db

    @flow
    def report_flow() -> None:
        with store.reader(db) as con:
            publish_artifact(build(con, "partner", "P-HIT", "ja"))

    report_flow()
    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts()}
    assert "report-partner-p-hit-ja" in keys
