"""What a priced API costs a run: each call's cost class, the calls made and served from the cache, and the daily
budget the provider reports in its ``X-RateLimit-*`` headers (OpenAlex prices usage per day in USD since 2026)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Mapping

from highfence.connectors.http import SourceError

# OpenAlex's cost classes: a single entity by id is free, list/filter calls and searches are priced per call.
SINGLE, LIST, SEARCH = "single", "list", "search"
CLASSES = (SINGLE, LIST, SEARCH)


class BudgetExhausted(SourceError):
    """The source's daily budget is spent: retrying is useless until it resets."""

    def __init__(self, source: str, resets_at: datetime):
        self.source, self.resets_at = source, resets_at
        super().__init__(f"{source}: budget exhausted (daily budget spent; resets {resets_at:%Y-%m-%d %H:%M} UTC)")


def next_midnight_utc(now: datetime | None = None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def reset_time(headers: Mapping[str, str], now: datetime | None = None) -> datetime:
    """When the daily budget resets: ``X-RateLimit-Reset`` (seconds from now, or an epoch) where a response says,
    else the next midnight UTC (OpenAlex's documented reset)."""
    now = now or datetime.now(timezone.utc)
    raw = (headers.get("X-RateLimit-Reset") or "").strip()
    try:
        value = float(raw)
    except ValueError:
        return next_midnight_utc(now)
    if value > 1_000_000_000:  # an epoch, not a delay
        return datetime.fromtimestamp(value, timezone.utc)
    return now + timedelta(seconds=value)


def _usd(headers: Mapping[str, str], name: str) -> float | None:
    try:
        return float(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Costs:
    """USD per call of each class, and the daily budget: the plan's arithmetic (the live figures come from the
    provider's headers)."""

    single: float = 0.0
    list: float = 0.0001
    search: float = 0.001
    daily_budget: float = 1.0

    def of(self, cost_class: str) -> float:
        return getattr(self, cost_class)

    @classmethod
    def from_settings(cls, settings) -> "Costs":
        v = settings.values
        return cls(v["sources.openalex.cost_single_usd"], v["sources.openalex.cost_list_usd"],
                   v["sources.openalex.cost_search_usd"], v["sources.openalex.daily_budget_usd"])


@dataclass
class Usage:
    """One source's calls in a run: made (by cost class), served from the cache, and the budget last reported.
    Shared by the threads of one client, hence the lock."""

    source: str
    calls: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CLASSES})
    cached: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CLASSES})
    spent_usd: float = 0.0  # as the provider reported each call's cost
    remaining_usd: float | None = None
    limit_usd: float | None = None
    exhausted_until: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, cost_class: str, headers: Mapping[str, str] | None, from_cache: bool) -> None:
        with self._lock:
            if from_cache:
                self.cached[cost_class] += 1
                return
            self.calls[cost_class] += 1
            headers = headers or {}
            self.spent_usd += _usd(headers, "X-RateLimit-Cost-USD") or 0.0
            remaining = _usd(headers, "X-RateLimit-Remaining-USD")
            if remaining is not None:
                self.remaining_usd = remaining
            limit = _usd(headers, "X-RateLimit-Limit-USD")
            if limit is not None:
                self.limit_usd = limit

    def exhausted(self, headers: Mapping[str, str], now: datetime | None = None) -> BudgetExhausted:
        """Note that the budget is spent (from a 429's headers) and return the error to raise."""
        with self._lock:
            self.exhausted_until = reset_time(headers, now)
            self.remaining_usd = 0.0
            limit = _usd(headers, "X-RateLimit-Limit-USD")
            if limit is not None:
                self.limit_usd = limit
        return BudgetExhausted(self.source, self.exhausted_until)

    def check(self) -> None:
        """Refuse a call without sending it once the budget is spent for this run: no request is ever sent to find
        out again (the budget resets at midnight UTC, a run does not wait for it)."""
        if self.exhausted_until is not None:
            raise BudgetExhausted(self.source, self.exhausted_until)

    @property
    def status(self) -> str:
        return "budget exhausted" if self.exhausted_until else "ok"

    def summary(self) -> dict:
        return {"status": self.status, "calls": dict(self.calls), "cached": dict(self.cached),
                "spent_usd": round(self.spent_usd, 6), "remaining_usd": self.remaining_usd,
                "limit_usd": self.limit_usd,
                "resets_at": self.exhausted_until.isoformat() if self.exhausted_until else None}


@dataclass(frozen=True)
class PlanLine:
    cost_class: str
    calls: int
    usd: float


def plan_cost(calls: Mapping[str, int], costs: Costs) -> list[PlanLine]:
    return [PlanLine(c, calls.get(c, 0), calls.get(c, 0) * costs.of(c)) for c in CLASSES]
