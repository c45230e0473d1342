"""The one clock and the one "how long ago" wording."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from phguide.core.when import CLOCK, ago, parse_time

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _stopped_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(CLOCK, "wall", NOW.timestamp)
    yield


@pytest.mark.parametrize(
    ("before", "words", "by_day"),
    [
        (timedelta(seconds=-30), "just now", "today"),  # a server clock a little ahead
        (timedelta(seconds=59), "just now", "today"),
        (timedelta(minutes=5), "5 minutes ago", "today"),
        (timedelta(hours=23, minutes=59), "23 hours ago", "today"),
        (timedelta(days=1), "yesterday", "yesterday"),
        (timedelta(days=3, hours=2), "3 days ago", "3 days ago"),
        (timedelta(days=59), "59 days ago", "59 days ago"),
        (timedelta(days=60), "60 days ago", "2026-04-02"),
    ],
)
def test_ago(before: timedelta, words: str, by_day: str) -> None:
    assert ago(NOW - before) == words
    assert ago(NOW - before, by_day=True) == by_day


def test_the_clock_is_where_now_comes_from() -> None:
    assert CLOCK.now() == NOW


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026-05-29T09:30:00Z", datetime(2026, 5, 29, 9, 30, tzinfo=UTC)),
        ("2026-05-29T11:30:00+02:00", datetime(2026, 5, 29, 9, 30, tzinfo=UTC)),
        ("2026-05-29T09:30:00", datetime(2026, 5, 29, 9, 30, tzinfo=UTC)),  # no zone: UTC
        ("yesterday-ish", None),
        ("", None),
    ],
)
def test_parse_time(stamp: str, expected: datetime | None) -> None:
    assert parse_time(stamp) == expected
