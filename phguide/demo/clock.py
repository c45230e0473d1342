"""The demo server's notion of time, which tests can move forward."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class DemoClock:
    """Wall-clock time plus an offset that `advance` grows.

    Every time-based rule of the demo server (the 2-hour re-auth window, code expiry, lockouts,
    rate limits, TOTP) reads this clock, so a test can jump hours ahead without sleeping.

    Args:
        start: Epoch seconds the clock shows now; default the real time.
        frozen: Stand still between `advance` calls (stable screenshots).
    """

    def __init__(self, start: float | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        self._base = time.time() if start is None else start
        self._anchor = time.monotonic()
        self._offset = 0.0

    def now(self) -> float:
        """Seconds since the epoch, as the server sees it."""
        with self._lock:
            elapsed = 0.0 if self._frozen else time.monotonic() - self._anchor
            return self._base + elapsed + self._offset

    def freeze(self) -> None:
        """Stand still from now on (a TOTP code then stays current for a whole test)."""
        with self._lock:
            if not self._frozen:
                self._base += time.monotonic() - self._anchor
                self._frozen = True

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""
        with self._lock:
            self._offset += seconds

    def iso(self, at: float | None = None) -> str:
        """An ISO 8601 UTC timestamp like PostHog's (`2025-01-31T12:00:00.000000Z`)."""
        return iso(self.now() if at is None else at)


def iso(at: float) -> str:
    """Format epoch seconds the way PostHog's API does."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
