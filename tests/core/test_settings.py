import pytest

from highfence.errors import ConfigError
from highfence.settings import load_settings


def test_defaults_file_env_and_cli_in_order(tmp_path):
    cfg = tmp_path / "highfence.toml"
    cfg.write_text('[store]\ndb = "from-file.duckdb"\n[contact]\nemail = "office@example.org"\n'
                   '[watchlists]\nmax_drop = 0.2\n')
    s = load_settings(cfg, env={})
    assert str(s.db_path) == "from-file.duckdb" and s.sources["store.db"] == f"file {cfg}"
    assert s["watchlists.max_drop"] == 0.2
    assert s.sources["http.timeout"] == "default"

    s = load_settings(cfg, env={"HIGHFENCE_DB": "from-env.duckdb", "HIGHFENCE_OPENALEX_URL": "http://127.0.0.1:9"})
    assert str(s.db_path) == "from-env.duckdb" and s.sources["store.db"] == "env HIGHFENCE_DB"
    assert s["sources.openalex.url"] == "http://127.0.0.1:9"
    assert s["contact.email"] == "office@example.org"  # file value survives where env says nothing

    s = load_settings(cfg, env={"HIGHFENCE_DB": "from-env.duckdb"}, overrides={"store.db": "from-cli.duckdb"})
    assert str(s.db_path) == "from-cli.duckdb" and s.sources["store.db"] == "command line"


def test_default_file_in_working_directory_is_optional(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}).config_file is None
    (tmp_path / "highfence.toml").write_text('[http]\ntimeout = 5\n')
    s = load_settings(env={})
    assert s["http.timeout"] == 5.0 and s.config_file.name == "highfence.toml"


def test_per_list_url_from_environment():
    s = load_settings(env={"HIGHFENCE_LIST_UN_SC_URL": "http://127.0.0.1:1/un.xml"})
    assert s.list_url("un_sc") == "http://127.0.0.1:1/un.xml"


@pytest.mark.parametrize("text, message", [
    ('[store]\ndbb = "x"\n', "unknown setting 'store.dbb'"),
    ('[http]\ntimeout = "soon"\n', "'http.timeout' must be float"),
    ("not toml at all [", "not a readable TOML file"),
    ('[scale]\ntask_runner = "ray"\n', "'scale.task_runner' must be one of '', 'thread', 'process', 'dask'"),
])
def test_bad_config_file_names_file_and_key(tmp_path, text, message):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, env={})
    assert message in str(err.value) and str(cfg) in str(err.value)


def test_bad_environment_value_names_variable():
    with pytest.raises(ConfigError, match="HIGHFENCE_HTTP_RETRIES"):
        load_settings(env={"HIGHFENCE_HTTP_RETRIES": "many"})


def test_shipped_example_config_loads():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "highfence.toml.example"
    s = load_settings(example, env={})
    assert s["scale.task_runner"] == "" and s["scale.workers"] == 2 and s.sources["scale.workers"].startswith("file")


def test_explicit_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", env={})


def test_api_key_is_masked_in_display():
    s = load_settings(env={"HIGHFENCE_OPENALEX_API_KEY": "secret-key"})
    shown = dict((k, v) for k, v, _ in s.rows())
    assert shown["sources.openalex.api_key"] == "****"


def test_typed_sections_read_the_same_values(tmp_path):
    cfg = tmp_path / "highfence.toml"
    cfg.write_text('[store]\nlock_timeout = 7\n[scale]\nworkers = 3\n[sources.openalex]\napi_key = "k"\n',
                   encoding="utf-8")
    s = load_settings(cfg, env={"HIGHFENCE_LIST_UN_SC_URL": "https://example.org/un.xml"})
    assert s.store.lock_timeout == 7.0 and isinstance(s.store.lock_timeout, float)
    assert s.scale.workers == 3 and s.scale.task_runner == ""
    assert s.apis.openalex.api_key == "k" and s.apis.ror.url == s["sources.ror.url"]
    assert s.watchlists.urls["un_sc"] == "https://example.org/un.xml" == s.list_url("un_sc")
    assert s.matching.match_threshold == s["matching.match_threshold"]
    assert s.http.retries == s["http.retries"] and s.contact.email == ""
