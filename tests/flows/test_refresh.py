"""Live refresh against a local server on 127.0.0.1 serving the real list files."""

from dataclasses import asdict

import pytest

from highfence import store
from highfence.connectors.http import HttpClient, HttpConfig, NotFound, SourceError, retry_after_seconds
from highfence.connectors.publishers import find_meti_xlsx
from highfence.flows.refresh import refresh_lists
from highfence.settings import load_settings
from highfence.store import lists as list_store
from tests.conftest import fixture
from tests.httpserver import LocalServer, Reply


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def settings_for(db, **urls):
    env = {"HIGHFENCE_DB": str(db), "HIGHFENCE_HTTP_BACKOFF": "0.01", "HIGHFENCE_HTTP_TIMEOUT": "1",
           "HIGHFENCE_HTTP_RETRIES": "3", "HIGHFENCE_CONTACT_EMAIL": "office@example.org"}
    env.update({f"HIGHFENCE_LIST_{k.upper()}_URL": v for k, v in urls.items()})
    return load_settings(env=env)


def active(db):
    with store.connect(db, read_only=True) as con:
        return {r.list_id: asdict(r) for r in list_store.status(con)}


def test_refresh_un_after_503_then_success(db, server):
    url = server.route("/un/consolidated.xml",
                       Reply(b"busy", 503), Reply(fixture("sanctions_misc/un_consolidated_2026-02-27.xml").read_bytes()))
    [(list_id, result)] = list(refresh_lists(settings_for(db, un_sc=url), ["un_sc"]))
    assert not isinstance(result, Exception), result
    assert result.entries == 1003 and server.hits("/un/consolidated.xml") == 2
    s = active(db)["un_sc"]
    assert s["source"] == url and str(s["published"]) == "2026-02-27"
    ua = server.requests[0][1]["User-Agent"]
    assert ua.startswith("highfence/") and "office@example.org" in ua


def test_refresh_timeout_keeps_previous_snapshot(db, server):
    good = server.route("/nro.html", Reply(fixture("canada/science_gc_ca_named-research-organizations_2024-09-09.html")
                                           .read_bytes()))
    [(_, first)] = list(refresh_lists(settings_for(db, ca_nro=good), ["ca_nro"]))
    slow = server.route("/slow.html", Reply(b"late", delay=2.5))
    [(_, result)] = list(refresh_lists(settings_for(db, ca_nro=slow), ["ca_nro"]))
    assert isinstance(result, Exception) and "timed out" in str(result)
    assert active(db)["ca_nro"]["snapshot_id"] == first.snapshot_id
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT outcome FROM list_load_attempts ORDER BY attempted_at DESC LIMIT 1"
                           ).fetchall()[0][0] == "refused"


def test_refresh_html_error_page_is_refused(db, server):
    csv_url = server.route("/csl.csv", Reply(fixture("us_csl/watchman_csl_subset_2019-12.csv").read_bytes()))
    list(refresh_lists(settings_for(db, us_csl=csv_url), ["us_csl"]))
    bad = server.route("/csl-broken.csv", Reply(b"<html><body>Maintenance</body></html>",
                                                headers={"Content-Type": "text/html"}))
    [(_, result)] = list(refresh_lists(settings_for(db, us_csl=bad), ["us_csl"]))
    assert isinstance(result, Exception) and "HTML page" in str(result)
    assert active(db)["us_csl"]["entries"] == 115


def test_refresh_ofac_set_fetches_siblings(db, server):
    base = fixture("ofac/watchman_nonsdn_cons_2025-12")
    main = server.route("/exports/CONS_PRIM.CSV", Reply((base / "cons_prim.csv").read_bytes()))
    server.route("/exports/CONS_ADD.CSV", Reply((base / "cons_add.csv").read_bytes()))
    server.route("/exports/CONS_ALT.CSV", Reply((base / "cons_alt.csv").read_bytes()))
    server.route("/exports/CONS_COMMENTS.CSV", Reply((base / "cons_comments.csv").read_bytes()))
    [(_, result)] = list(refresh_lists(settings_for(db, us_ofac_cons=main), ["us_ofac_cons"]))
    assert not isinstance(result, Exception), result
    assert result.entries == 442


def test_refresh_meti_finds_workbook_on_page(db, server):
    page = ('<html><body><h2>外国ユーザーリスト (End User List)</h2><ul>'
            '<li><a href="/files/20240101_old.xlsx">外国ユーザーリスト（2024年1月）</a></li>'
            '<li>外国ユーザーリスト <a href="/files/20250929_4.xlsx">Excel</a></li>'
            '<li><a href="/files/other_20260101.xlsx">unrelated form</a></li></ul></body></html>')
    url = server.route("/policy/anpo/law05.html", Reply(page.encode("utf-8"), headers={"Content-Type": "text/html"}))
    server.route("/files/20250929_4.xlsx",
                 Reply(fixture("meti_end_user_list/meti_foreign_user_list_20250929.xlsx").read_bytes()))
    [(_, result)] = list(refresh_lists(settings_for(db, jp_meti_eul=url), ["jp_meti_eul"]))
    assert not isinstance(result, Exception), result
    assert result.entries == 835 and result.published == "2025-09-29"


def test_find_meti_xlsx_prefers_user_list_links():
    html = '<p>Form <a href="a_20300101.xlsx">x</a></p><p>End User List <a href="b_20250929.xlsx">x</a></p>'
    assert find_meti_xlsx(html, "https://www.meti.go.jp/policy/anpo/law05.html") == \
        "https://www.meti.go.jp/policy/anpo/b_20250929.xlsx"
    with pytest.raises(SourceError, match="no .xlsx link"):
        find_meti_xlsx("<html></html>", "https://example.invalid/")


def test_client_honours_retry_after_on_429(server):
    url = server.route("/x", Reply(b"slow down", 429, {"Retry-After": "2"}), Reply(b"ok"))
    waits = []
    client = HttpClient("test", HttpConfig(timeout=1, retries=2, backoff=0.01), sleep=waits.append)
    assert client.get(url).content == b"ok"
    assert waits == [2.0]


def test_client_gives_up_after_retries_and_404_is_clear(server):
    url = server.route("/down", Reply(b"", 503))
    client = HttpClient("test", HttpConfig(timeout=1, retries=2, backoff=0.01), sleep=lambda s: None)
    with pytest.raises(SourceError, match="HTTP 503 .gave up after 3 attempts"):
        client.get(url)
    assert server.hits("/down") == 3
    with pytest.raises(NotFound, match="not found"):
        client.get(server.url + "/missing")


def test_client_refuses_oversized_download(server):
    url = server.route("/big", Reply(b"x" * 5000))
    client = HttpClient("test", HttpConfig(timeout=1, retries=0, max_bytes=1000), sleep=lambda s: None)
    with pytest.raises(SourceError, match="allowed"):
        client.get(url)


def test_retry_after_http_date():
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("garbage") is None


def test_list_without_download_says_so(db):
    [(_, result)] = list(refresh_lists(settings_for(db), ["us_dod_1286"]))
    assert isinstance(result, Exception) and "no download" in str(result)
