"""Effective configuration: built-in defaults < ``highfence.toml`` < ``HIGHFENCE_*`` environment < command line.

Every setting is declared once in ``SETTINGS`` with its TOML key, its environment variable and its type, so
``highfence config show`` can say where each value came from and a typo in the file is an error, not a silent default.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from highfence.errors import ConfigError

DEFAULT_CONFIG_FILE = "highfence.toml"
ENV_CONFIG_FILE = "HIGHFENCE_CONFIG"


@dataclass(frozen=True)
class Setting:
    key: str  # dotted TOML key, e.g. "store.db" is [store] db = ...
    env: str
    default: Any
    type: type
    help: str
    choices: tuple = ()


def _list_url(list_id: str, url: str, what: str) -> Setting:
    return Setting(f"watchlists.{list_id}.url", f"HIGHFENCE_LIST_{list_id.upper()}_URL", url, str, what)


SETTINGS: tuple[Setting, ...] = (
    Setting("store.db", "HIGHFENCE_DB", "data/highfence.duckdb", Path, "DuckDB database file"),
    Setting("store.lock_timeout", "HIGHFENCE_DB_LOCK_TIMEOUT", 30.0, float,
            "seconds to wait for another process's write lock before giving up"),
    Setting("review.display_name", "HIGHFENCE_REVIEWER_NAME", "", str,
            "a display name recorded beside the operating-system user (or --by) with each review decision"),
    Setting("contact.email", "HIGHFENCE_CONTACT_EMAIL", "", str,
            "e-mail sent to public APIs for polite use (OpenAlex mailto, Crossref User-Agent)"),
    Setting("sources.openalex.url", "HIGHFENCE_OPENALEX_URL", "https://api.openalex.org", str, "OpenAlex API base URL"),
    Setting("sources.openalex.api_key", "HIGHFENCE_OPENALEX_API_KEY", "", str,
            "OpenAlex API key, required by the live API since 2026-02-13 (free at openalex.org/settings/api; "
            "not needed for the offline mirror or a 127.0.0.1 stand-in)"),
    Setting("sources.openalex.rate_limit", "HIGHFENCE_OPENALEX_RATE_LIMIT", "10/1", str,
            "requests/seconds the OpenAlex client allows itself (the API allows 100/1; it answers 403 when called "
            "too fast, and the client then backs off and halves its rate)"),
    Setting("sources.openalex.daily_budget_usd", "HIGHFENCE_OPENALEX_DAILY_BUDGET_USD", 1.0, float,
            "the key's daily budget in USD for 'screen --plan' (free key: 1.00; resets at midnight UTC)"),
    Setting("sources.openalex.cost_single_usd", "HIGHFENCE_OPENALEX_COST_SINGLE_USD", 0.0, float,
            "USD per single-entity call by id (OpenAlex pricing: free)"),
    Setting("sources.openalex.cost_list_usd", "HIGHFENCE_OPENALEX_COST_LIST_USD", 0.0001, float,
            "USD per list/filter call, e.g. a page of an author's works (OpenAlex pricing: 0.10 per 1,000)"),
    Setting("sources.openalex.cost_search_usd", "HIGHFENCE_OPENALEX_COST_SEARCH_USD", 0.001, float,
            "USD per search call, e.g. an author by name (OpenAlex pricing: 1.00 per 1,000)"),
    Setting("restricted.key_file", "HIGHFENCE_RESTRICTED_KEY_FILE", "", str,
            "file holding the key to restricted (NDA) content, mode 0600 ($HIGHFENCE_RESTRICTED_KEY, if set, wins)"),
    Setting("sources.ror.url", "HIGHFENCE_ROR_URL", "https://api.ror.org/v2", str, "ROR API base URL (v2 only)"),
    Setting("sources.ror.client_id", "HIGHFENCE_ROR_CLIENT_ID", "", str,
            "ROR Client-Id sent as a header (raises ROR's limit from 50 to 2,000 requests per 5 minutes)"),
    Setting("sources.ror.rate_limit", "HIGHFENCE_ROR_RATE_LIMIT", "", str,
            "requests/seconds for ROR ('': 2000/300 with a client_id, 50/300 without)"),
    Setting("sources.orcid.url", "HIGHFENCE_ORCID_URL", "https://pub.orcid.org/v3.0", str, "ORCID public API base URL"),
    Setting("sources.orcid.rate_limit", "HIGHFENCE_ORCID_RATE_LIMIT", "12/1", str,
            "requests/seconds for the ORCID public API (ORCID: 12 per second)"),
    Setting("sources.orcid.daily_reads", "HIGHFENCE_ORCID_DAILY_READS", 100000, int,
            "ORCID public API reads per day per client, for 'screen --plan' (ORCID: 100,000)"),
    Setting("sources.crossref.url", "HIGHFENCE_CROSSREF_URL", "https://api.crossref.org", str, "Crossref API base URL"),
    Setting("sources.crossref.rate_limit", "HIGHFENCE_CROSSREF_RATE_LIMIT", "", str,
            "requests/seconds for Crossref ('': the limits of 2025-12-01, 10/1 with contact.email (polite pool), "
            "5/1 without (public pool))"),
    Setting("http.timeout", "HIGHFENCE_HTTP_TIMEOUT", 30.0, float, "seconds before an HTTP request times out"),
    Setting("http.retries", "HIGHFENCE_HTTP_RETRIES", 4, int, "retries on connection errors, 429 and 5xx"),
    Setting("http.backoff", "HIGHFENCE_HTTP_BACKOFF", 1.0, float, "first retry delay in seconds (doubles each retry)"),
    Setting("http.cache_ttl_hours", "HIGHFENCE_HTTP_CACHE_TTL_HOURS", 168.0, float,
            "hours a cached API response is reused before it is fetched again"),
    Setting("screening.window_years", "HIGHFENCE_WINDOW_YEARS", 5, int, "look-back window for evidence, in years"),
    Setting("assessment.max_list_age_days", "HIGHFENCE_MAX_LIST_AGE_DAYS", 45, int,
            "a list snapshot older than this many days (as of the assessment date) does not count as checked: a "
            "rule pack that needs it says cannot_assess"),
    Setting("screening.roster", "HIGHFENCE_ROSTER", "", str, "roster file for scheduled screening"),
    Setting("matching.match_threshold", "HIGHFENCE_MATCH_THRESHOLD", 90.0, float,
            "score (0-100) from which a match is decided 'match'"),
    Setting("matching.review_threshold", "HIGHFENCE_REVIEW_THRESHOLD", 75.0, float,
            "score (0-100) from which a candidate is kept for review"),
    Setting("schedule.timezone", "HIGHFENCE_TIMEZONE", "Asia/Tokyo", str, "timezone of the schedules"),
    Setting("schedule.refresh_lists", "HIGHFENCE_SCHEDULE_REFRESH", "0 5 * * *", str,
            "cron for refresh-lists (a delta screen follows any change)"),
    Setting("schedule.screen_full", "HIGHFENCE_SCHEDULE_SCREEN_FULL", "0 6 * * 1", str, "cron for screen-full"),
    Setting("scale.task_runner", "HIGHFENCE_TASK_RUNNER", "", str,
            "Prefect task runner for collection and matching: '' (in process), thread, process or dask",
            ("", "thread", "process", "dask")),
    Setting("scale.dask_address", "HIGHFENCE_DASK_ADDRESS", "", str,
            "with task_runner dask: an existing cluster's scheduler address (default: a local cluster)"),
    Setting("scale.workers", "HIGHFENCE_WORKERS", 2, int, "workers of a local task runner or Dask cluster"),
    Setting("notify.block", "HIGHFENCE_NOTIFY_BLOCK", "", str,
            "Prefect notification block (e-mail, Slack, webhook) told when new findings appear"),
    Setting("watchlists.max_drop", "HIGHFENCE_LISTS_MAX_DROP", 0.10, float,
            "largest share of entries a new snapshot may lose against the active one without --force"),
    Setting("watchlists.max_download_mb", "HIGHFENCE_LISTS_MAX_DOWNLOAD_MB", 200.0, float,
            "largest list download accepted, in MiB"),
    _list_url("us_csl", "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv",
              "US Consolidated Screening List CSV"),
    _list_url("us_ofac_sdn", "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV",
              "OFAC SDN CSV (ALT/ADD/SDN_COMMENTS fetched beside it)"),
    _list_url("us_ofac_cons", "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONS_PRIM.CSV",
              "OFAC consolidated non-SDN CSV (CONS_ALT/ADD/COMMENTS fetched beside it)"),
    _list_url("jp_meti_eul", "https://www.meti.go.jp/policy/anpo/law05.html",
              "METI page that links the current End User List xlsx"),
    _list_url("ca_nro", "https://science.gc.ca/site/science/en/safeguarding-your-research/"
              "guidelines-and-tools-implement-research-security/sensitive-technology-research-and-affiliations-concern/"
              "named-research-organizations", "Canada Named Research Organizations page"),
    _list_url("un_sc", "https://scsanctions.un.org/resources/xml/en/consolidated.xml", "UN SC Consolidated List XML"),
    _list_url("aspi_unitracker",
              "https://raw.githubusercontent.com/MISP/misp-galaxy/main/clusters/china-defence-universities.json",
              "ASPI China Defence Universities Tracker (MISP galaxy JSON)"),
)

_BY_KEY = {s.key: s for s in SETTINGS}
# Never a flow or task parameter, a log line or a cached URL: flows get ``without_secrets()`` and resolve these
# where they are used (``with_secrets()``).
SECRET_KEYS = tuple(s.key for s in SETTINGS if s.key.endswith("api_key"))
WITHHELD = "withheld"
SECRET_ENV = tuple(s.env for s in SETTINGS if s.key in SECRET_KEYS) + ("HIGHFENCE_RESTRICTED_KEY",)


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    try:
        if setting.type is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if setting.type in (int, float) and isinstance(raw, bool):
            raise ValueError(raw)
        value = setting.type(raw)
        if setting.choices and value not in setting.choices:
            raise ConfigError(f"{origin}: '{setting.key}' must be one of {', '.join(map(repr, setting.choices))}, "
                              f"got {raw!r}")
        return value
    except (TypeError, ValueError):
        raise ConfigError(f"{origin}: '{setting.key}' must be {setting.type.__name__}, got {raw!r}") from None


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


@dataclass(frozen=True)
class StoreSettings:
    db: Path
    lock_timeout: float


@dataclass(frozen=True)
class ApiSettings:
    url: str
    api_key: str = ""
    rate_limit: str = ""  # "N/SECONDS"; '' for the source's documented default
    client_id: str = ""


def parse_rate_limit(text: str, key: str) -> tuple[int, float]:
    """ "N/SECONDS" as (N, SECONDS): at most N requests in any SECONDS."""
    try:
        n, _, seconds = text.partition("/")
        n_i, s_f = int(n), float(seconds or 1)
        if n_i < 1 or s_f <= 0:
            raise ValueError(text)
    except ValueError:
        raise ConfigError(f"'{key}' must be REQUESTS/SECONDS such as 10/1 or 2000/300, got {text!r}") from None
    return n_i, s_f


@dataclass(frozen=True)
class SourcesSettings:
    openalex: ApiSettings
    ror: ApiSettings
    orcid: ApiSettings
    crossref: ApiSettings


@dataclass(frozen=True)
class HttpSettings:
    timeout: float
    retries: int
    backoff: float
    cache_ttl_hours: float


@dataclass(frozen=True)
class ScreeningSettings:
    window_years: int
    roster: str


@dataclass(frozen=True)
class AssessmentSettings:
    max_list_age_days: int


@dataclass(frozen=True)
class MatchingSettings:
    match_threshold: float
    review_threshold: float


@dataclass(frozen=True)
class ScheduleSettings:
    timezone: str
    refresh_lists: str
    screen_full: str


@dataclass(frozen=True)
class ScaleSettings:
    task_runner: str
    dask_address: str
    workers: int


@dataclass(frozen=True)
class ReviewSettings:
    display_name: str


@dataclass(frozen=True)
class ContactSettings:
    email: str


@dataclass(frozen=True)
class NotifySettings:
    block: str


@dataclass(frozen=True)
class WatchlistsSettings:
    max_drop: float
    max_download_mb: float
    urls: Mapping[str, str]  # list id -> download URL


@dataclass(frozen=True)
class Settings:
    """The effective settings. Code reads typed sections (``settings.store.lock_timeout``); ``values`` and
    ``sources`` keep every dotted key with its origin for ``highfence config show``."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]  # key -> "default" | "file <path>" | "env VAR" | "command line"
    config_file: Path | None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def _section(self, cls: type, prefix: str) -> Any:
        return cls(**{f.name: self.values[f"{prefix}.{f.name}"] for f in fields(cls)})

    @property
    def store(self) -> StoreSettings:
        return StoreSettings(Path(self.values["store.db"]), self.values["store.lock_timeout"])

    @property
    def review(self) -> ReviewSettings:
        return self._section(ReviewSettings, "review")

    @property
    def contact(self) -> ContactSettings:
        return self._section(ContactSettings, "contact")

    @property
    def apis(self) -> SourcesSettings:
        """The ``[sources]`` table (``sources`` itself says where each value came from)."""
        v = self.values
        return SourcesSettings(
            ApiSettings(v["sources.openalex.url"], v["sources.openalex.api_key"], v["sources.openalex.rate_limit"]),
            ApiSettings(v["sources.ror.url"], rate_limit=v["sources.ror.rate_limit"],
                        client_id=v["sources.ror.client_id"]),
            ApiSettings(v["sources.orcid.url"], rate_limit=v["sources.orcid.rate_limit"]),
            ApiSettings(v["sources.crossref.url"], rate_limit=v["sources.crossref.rate_limit"]))

    @property
    def http(self) -> HttpSettings:
        return self._section(HttpSettings, "http")

    @property
    def screening(self) -> ScreeningSettings:
        return self._section(ScreeningSettings, "screening")

    @property
    def assessment(self) -> AssessmentSettings:
        return self._section(AssessmentSettings, "assessment")

    @property
    def matching(self) -> MatchingSettings:
        return self._section(MatchingSettings, "matching")

    @property
    def schedule(self) -> ScheduleSettings:
        return self._section(ScheduleSettings, "schedule")

    @property
    def scale(self) -> ScaleSettings:
        return self._section(ScaleSettings, "scale")

    @property
    def notify(self) -> NotifySettings:
        return self._section(NotifySettings, "notify")

    @property
    def watchlists(self) -> WatchlistsSettings:
        urls = {k.split(".")[1]: v for k, v in self.values.items() if k.startswith("watchlists.") and
                k.endswith(".url")}
        return WatchlistsSettings(self.values["watchlists.max_drop"], self.values["watchlists.max_download_mb"], urls)

    @property
    def db_path(self) -> Path:
        return self.store.db

    def list_url(self, list_id: str) -> str | None:
        return self.watchlists.urls.get(list_id)

    def without_secrets(self) -> Settings:
        """These settings with every secret blanked: what may travel as a flow parameter and be stored."""
        return Settings({k: ("" if k in SECRET_KEYS and v else v) for k, v in self.values.items()},
                        {k: (WITHHELD if k in SECRET_KEYS and self.values[k] else v)
                         for k, v in self.sources.items()}, self.config_file)

    def with_secrets(self, env: Mapping[str, str] | None = None) -> Settings:
        """The secrets ``without_secrets`` withheld, read again from the configuration file and the environment."""
        withheld = [k for k in SECRET_KEYS if self.sources.get(k) == WITHHELD]
        if not withheld:
            return self
        fresh = load_settings(self.config_file, env)
        return Settings({**self.values, **{k: fresh.values[k] for k in withheld}},
                        {**self.sources, **{k: fresh.sources[k] for k in withheld}}, self.config_file)

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, value, source) for display; secrets are masked."""
        out = []
        for s in SETTINGS:
            value = self.values[s.key]
            shown = "****" if "api_key" in s.key and value else str(value)
            out.append((s.key, shown, self.sources[s.key]))
        return out


def load_settings(
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve the effective settings. An explicit ``config_file`` (or $HIGHFENCE_CONFIG) must exist;
    the default ``./highfence.toml`` is optional."""
    env = os.environ if env is None else env
    values = {s.key: s.default for s in SETTINGS}
    sources = {s.key: "default" for s in SETTINGS}

    explicit = config_file or env.get(ENV_CONFIG_FILE)
    path = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    used_file: Path | None = None
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: not a readable TOML file ({exc})") from None
        for key, raw in _flatten(table).items():
            if key not in _BY_KEY:
                raise ConfigError(f"{path}: unknown setting '{key}' (see 'highfence config show' for the known ones)")
            values[key] = _coerce(_BY_KEY[key], raw, str(path))
            sources[key] = f"file {path}"
        used_file = path
    elif explicit:
        raise ConfigError(f"{path}: configuration file not found")

    for s in SETTINGS:
        if s.env in env:
            values[s.key] = _coerce(s, env[s.env], f"environment {s.env}")
            sources[s.key] = f"env {s.env}"

    for key, raw in (overrides or {}).items():
        if raw is None:
            continue
        values[key] = _coerce(_BY_KEY[key], raw, "command line")
        sources[key] = "command line"
    return Settings(values=values, sources=sources, config_file=used_file)
