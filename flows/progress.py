"""Progress on stderr for long work: a redrawn bar on a terminal, a line every 10% otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, stream=None, min_total: int = 1000):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.enabled = total >= min_total
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = 0
        self.started = time.monotonic()
        self._next_line = 0.1

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        share = self.done / self.total if self.total else 1.0
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        if self.tty:
            bar = "#" * int(share * 30)
            self.stream.write(f"\r{self.label} [{bar:<30}] {self.done}/{self.total} ({rate:,.0f}/s)")
            self.stream.flush()
        elif share >= self._next_line or self.done == self.total:
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({share:.0%}, {rate:,.0f}/s)\n")
            self._next_line = (int(share * 10) + 1) / 10

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
