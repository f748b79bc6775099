"""One HTTP client for every source: polite identification, timeouts, retries with exponential backoff that
honour Retry-After, a per-source minimum interval between requests, and a size cap on downloads."""

from __future__ import annotations

import email.utils
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

import requests

from highfence import HighfenceError, __version__

RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 300.0  # seconds; a longer Retry-After is an outage, not a pause


class SourceError(HighfenceError):
    """A source failed for this request (after retries); the message names the URL."""


class NotFound(SourceError):
    pass


@dataclass(frozen=True)
class HttpConfig:
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    min_interval: float = 0.0  # seconds between requests to this source
    global_limit: str | None = None  # a Prefect global rate limit shared by every worker (Dask, processes)
    contact_email: str = ""
    max_bytes: int | None = None

    @classmethod
    def from_settings(cls, settings, **overrides) -> "HttpConfig":
        return cls(timeout=settings.http.timeout, retries=settings.http.retries,
                   backoff=settings.http.backoff, contact_email=settings.contact.email, **overrides)


def user_agent(contact_email: str) -> str:
    contact = f"; mailto:{contact_email}" if contact_email else ""
    return f"highfence/{__version__} (+https://github.com/highfence/highfence{contact})"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


@dataclass(frozen=True)
class Fetched:
    """A response body and where it came from: the URL (secrets removed), when, and its sha256."""

    url: str
    status: int
    body: bytes
    sha256: str
    from_cache: bool

    def json(self):
        import json

        try:
            return json.loads(self.body)
        except ValueError:
            raise SourceError(f"{self.url}: response is not JSON") from None


SECRET_PARAMS = ("api_key", "apikey", "token")


def public_url(url: str, params: dict | None = None) -> str:
    """The full URL of a request, without secret parameters (in ``params`` or already in ``url``): the cache key
    and what provenance records."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
        url = urlunsplit(parts._replace(query=urlencode(kept)))
    clean = {k: v for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS and v not in (None, "")}
    return requests.Request("GET", url, params=clean).prepare().url


class HttpClient:
    def __init__(self, source: str, config: HttpConfig, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, cache=None):
        self.source = source
        self.config = config
        self.cache = cache  # anything with get(url) -> (status, body, sha) | None and put(source, url, ...)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent(config.contact_email)
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last = 0.0

    def _wait_turn(self) -> None:
        if self.config.global_limit:
            # one limit for all workers: a Prefect global concurrency limit with slot decay (a rate limit)
            from prefect.concurrency.sync import rate_limit

            rate_limit(self.config.global_limit, strict=False)
        if self.config.min_interval <= 0:
            return
        with self._lock:
            wait = self._last + self.config.min_interval - time.monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last = time.monotonic()

    def get(self, url: str, params: dict | None = None, headers: dict | None = None) -> requests.Response:
        """GET with retries. The body is read fully (up to ``max_bytes``) before returning."""
        attempt = 0
        shown = public_url(url)  # messages end up in run records and logs: never with a secret in them
        while True:
            self._wait_turn()
            problem: str
            delay = self.config.backoff * (2 ** attempt)
            try:
                resp = self.session.get(url, params=params, headers=headers, timeout=self.config.timeout,
                                        stream=True)
            except requests.Timeout:
                problem = f"timed out after {self.config.timeout:.0f}s"
            except requests.ConnectionError as exc:
                problem = f"connection failed ({type(exc).__name__})"
            else:
                if resp.status_code in RETRY_STATUS:
                    problem = f"HTTP {resp.status_code}"
                    hinted = retry_after_seconds(resp.headers.get("Retry-After"))
                    if hinted is not None:
                        if hinted > MAX_RETRY_AFTER:
                            resp.close()
                            raise SourceError(f"{self.source}: {shown}: {problem}, asked to retry after "
                                              f"{hinted:.0f}s; try again later")
                        delay = hinted
                    resp.close()
                elif resp.status_code == 404:
                    resp.close()
                    raise NotFound(f"{self.source}: {shown}: not found (HTTP 404)")
                elif resp.status_code >= 400:
                    resp.close()
                    raise SourceError(f"{self.source}: {shown}: HTTP {resp.status_code}")
                else:
                    try:
                        self._read_body(resp, shown)
                    except requests.RequestException as exc:
                        problem = f"download interrupted ({type(exc).__name__})"
                    else:
                        return resp
            if attempt >= self.config.retries:
                raise SourceError(f"{self.source}: {shown}: {problem} (gave up after {attempt + 1} attempts)")
            attempt += 1
            self._sleep(delay)

    def fetch(self, url: str, params: dict | None = None, headers: dict | None = None) -> Fetched:
        """GET through the cache: a fresh cached response is reused; a new one is stored with its sha256."""
        import hashlib

        key = public_url(url, params)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit:
                return Fetched(key, hit[0], hit[1], hit[2], True)
        resp = self.get(url, params={k: v for k, v in (params or {}).items() if v not in (None, "")},
                        headers=headers)
        body = resp.content
        if self.cache is not None:
            sha = self.cache.put(self.source, key, resp.status_code, body, resp.headers.get("Content-Type"))
        else:
            sha = hashlib.sha256(body).hexdigest()
        return Fetched(key, resp.status_code, body, sha, False)

    def _read_body(self, resp: requests.Response, url: str) -> None:
        limit = self.config.max_bytes
        declared = resp.headers.get("Content-Length")
        if limit and declared and declared.isdigit() and int(declared) > limit:
            resp.close()
            raise SourceError(f"{self.source}: {url}: {int(declared)} bytes is more than the {limit} allowed")
        chunks, size = [], 0
        for chunk in resp.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            if limit and size > limit:
                resp.close()
                raise SourceError(f"{self.source}: {url}: larger than the {limit} bytes allowed")
            chunks.append(chunk)
        resp._content = b"".join(chunks)  # requests' own cache of the body, so .content/.json() work
        resp._content_consumed = True
