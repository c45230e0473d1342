"""When to try a request again, and how long to wait first (`Retry-After`, backoff).

Part of the transport: imported (with httpx) only when a client is built.
"""

from __future__ import annotations

import email.utils
import math
import time
from typing import Any, Final

import httpx

from phguide.api.errors import seconds_in_detail

RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
"""The statuses a safe call is sent again for."""
MAX_RETRY_AFTER: Final = 86_400.0
"""The longest `Retry-After` taken at its word; longer (or infinite) values mean a day."""


def bounded_wait(seconds: float) -> float | None:
    """A wait phguide can say and sleep: NaN means none given, the rest is kept in 0..1 day."""
    if math.isnan(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def retry_after_header(response: httpx.Response) -> float | None:
    """Seconds from a `Retry-After` header (a number or a date), kept in 0..1 day."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return bounded_wait(float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return bounded_wait(when.timestamp() - time.time())


def backoff(attempt: int, max_wait: float) -> float:
    """0.5 s, 1 s, 2 s, ...: enough for a proxy to pick another upstream."""
    return min(max_wait, 0.5 * 2.0 ** (attempt - 1))


def retry_wait(
    status: int, data: Any, retry_after: float | None, attempt: int, retries: int, max_wait: float
) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when a retry would not help.

    Args:
        status: The answer's status.
        data: The answer's parsed JSON body (a 429's `detail` may say how long to wait).
        retry_after: Seconds from the answer's `Retry-After` header.
        attempt: The attempt that got this answer (1 for the first).
        retries: The most extra attempts.
        max_wait: The longest wait accepted; a longer one is reported instead.
    """
    if attempt > retries or status not in RETRY_STATUSES:
        return None
    hint = retry_after
    if hint is None and status == 429:
        detail = data.get("detail") if isinstance(data, dict) else None
        hint = seconds_in_detail(detail if isinstance(detail, str) else None)
    if hint is None:
        return backoff(attempt, max_wait)
    # Waiting longer than this would freeze the walkthrough: report it instead.
    return hint if hint <= max_wait else None
