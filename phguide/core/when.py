"""The clock phguide reads, and the one way it says how long ago something was."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class Clock:
    """Where phguide reads the time: the screenshot script stops it, so pictures stay the same."""

    wall: Callable[[], float] = field(default=time.time)
    """Seconds since the epoch ("3 days ago", a key's age)."""
    monotonic: Callable[[], float] = field(default=time.monotonic)
    """Seconds that only go forward (a countdown)."""

    def now(self) -> datetime:
        """The current time, in UTC."""
        return datetime.fromtimestamp(self.wall(), UTC)


CLOCK = Clock()
"""The one clock every module reads."""

DATED_AFTER_DAYS = 60
"""`ago(by_day=True)` gives the date instead of "N days ago" from this many days on."""


def parse_time(stamp: str) -> datetime | None:
    """An ISO 8601 time as PostHog writes it ("Z" allowed, UTC when it names no zone), or None."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def ago(moment: datetime, *, by_day: bool = False) -> str:
    """How long ago `moment` was: "just now", "5 minutes ago", "yesterday", "12 days ago".

    Args:
        moment: A timezone-aware time.
        by_day: Words for a table column: "today" for anything within the last day, and the
            date (2026-03-03) once it is `DATED_AFTER_DAYS` days old.
    """
    seconds = (CLOCK.now() - moment).total_seconds()
    days = int(seconds // 86_400)
    if by_day and days >= DATED_AFTER_DAYS:
        return f"{moment:%Y-%m-%d}"
    if days >= 2:
        return f"{days} days ago"
    if days == 1:
        return "yesterday"
    if by_day:
        return "today"
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} minutes ago"
    return f"{int(seconds // 3600)} hours ago"
