"""The HTTP response cache, kept in the store: connectors ask it before the network and tell it what they got."""

from __future__ import annotations

from datetime import timedelta

from highfence.store.handle import Store, StoreLike
from highfence.store.db import utcnow
from highfence.store.evidence import keep_raw


class StoreCache:
    """Cache for ``connectors.http.HttpClient``: a response for a URL is reused within ``ttl``. Bodies go to
    raw_responses (by sha256), so every observation can point at the exact response it came from. Each call is
    a short write; nothing is held open between requests."""

    def __init__(self, db: StoreLike, ttl_hours: float):
        self.store, self.ttl = Store.of(db), timedelta(hours=ttl_hours)

    def get(self, url: str) -> tuple[int, bytes, str] | None:
        """(status, body, sha256) of a fresh cached response, or None."""
        with self.store.connect() as con:
            rows = con.execute("""
                SELECT c.status, r.body, c.body_sha256, c.retrieved_at FROM http_cache c
                JOIN raw_responses r ON r.body_sha256 = c.body_sha256 WHERE c.url = ?""", [url]).fetchall()
        if not rows or utcnow() - rows[0][3] > self.ttl:
            return None
        status, body, sha, _ = rows[0]
        return status, bytes(body), sha

    def fresh_urls(self, source: str) -> set[str]:
        """The URLs of a source the cache would answer now (a plan counts them as free)."""
        with self.store.connect(read_only=True) as con:
            rows = con.execute("SELECT url FROM http_cache WHERE source = ? AND retrieved_at >= ?",
                               [source, utcnow() - self.ttl]).fetchall()
        return {r[0] for r in rows}

    def put(self, source: str, url: str, status: int, body: bytes, content_type: str | None) -> str:
        with self.store.writer() as con:
            sha = keep_raw(con, source, url, body, status, content_type)
            con.execute("INSERT OR REPLACE INTO http_cache VALUES (?, ?, ?, ?, ?)",
                        [url, source, utcnow(), status, sha])
        return sha
