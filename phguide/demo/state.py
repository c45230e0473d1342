"""The demo server's runtime state beside its data: sessions, CSRF tokens, codes and counters."""

from __future__ import annotations

import bisect
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from phguide.demo.clock import DemoClock
from phguide.demo.data import DemoData

if TYPE_CHECKING:
    from phguide.demo.ingest import CapturedEvent, FlagCall

SESSION_AGE = 14 * 86_400
"""Seconds a `sessionid` cookie lives (Django's two weeks)."""
REAUTH_WINDOW = 2 * 3600
"""Key writes need a login younger than this."""
SECOND_FACTOR_TIMEOUT = 600
"""Seconds between the password step and the second factor."""
LOCKOUT_FAILURES = 5
LOCKOUT_SECONDS = 600
"""After `LOCKOUT_FAILURES` wrong passwords from one IP, login is refused this long."""
CODE_MAX_ATTEMPTS = 5
CODE_TTL = 600
RESEND_INTERVAL = 60
REMEMBER_AGE = 30 * 86_400


DeviceScopes = Literal["full", "narrow"]


@dataclass
class Session:
    """A `sessionid` cookie's server side: a login, or a login waiting for its second factor."""

    id: str
    email: str | None = None
    """The signed-in user; None while a second factor is pending."""
    login_at: float = 0.0
    pending_2fa: str | None = None
    """Email of a password-checked user who still owes a TOTP or backup code."""
    pending_2fa_at: float = 0.0
    pending_code: str | None = None
    """Email of a password-checked user who still owes the emailed code."""
    code: str = ""
    code_sent_at: float = 0.0
    code_attempts: int = 0


@dataclass
class DeviceGrant:
    """One device-flow code, from its creation to the single poll that hands out its key."""

    device_code: str
    user_code: str
    expires_at: float
    interval: int
    approved_by: str | None = None
    key_value: str | None = None
    """The plain key between approval and the poll that collects it; forgotten right after."""
    label: str = ""
    project_id: int | None = None
    scopes: list[str] = field(default_factory=list)


@dataclass
class RateWindow:
    """Hits of one key, oldest first, on the demo clock."""

    hits: list[float] = field(default_factory=list)

    def check(self, now: float, per_minute: int, per_hour: int) -> int | None:
        """Record a hit, or return the seconds to wait when a limit is reached."""
        del self.hits[: bisect.bisect_right(self.hits, now - 3600)]
        minute = self.hits[bisect.bisect_right(self.hits, now - 60) :]
        if len(minute) >= per_minute:
            return max(1, math.ceil(minute[-per_minute] + 60 - now))
        if len(self.hits) >= per_hour:
            return max(1, math.ceil(self.hits[-per_hour] + 3600 - now))
        self.hits.append(now)
        return None


class DemoState:
    """Everything a request can change besides `DemoData`; guarded by the data's lock.

    Args:
        data: The accounts.
        clock: The server's clock.
        device_interval: Seconds between device-flow polls, as told to the client.
        login_csrf: Require the CSRF token on the login calls too (stricter than PostHog).
        rate_limits: Requests a key may make per minute and per hour.
        notify: Called with a line of text for the console (emailed codes, approvals).
        device_scopes: ``"narrow"`` plays a PostHog whose browser approval grants only
            `CLI_SCOPES` (see `device_scopes` below).
    """

    def __init__(
        self,
        data: DemoData,
        clock: DemoClock,
        *,
        device_interval: int = 5,
        login_csrf: bool = True,
        rate_limits: tuple[int, int] = (480, 4800),
        notify: Callable[[str], None] | None = None,
        device_scopes: DeviceScopes = "full",
    ) -> None:
        self.data = data
        self.clock = clock
        self.device_interval = device_interval
        self.login_csrf = login_csrf
        self.rate_limits = rate_limits
        self.notify: Callable[[str], None] = notify or (lambda line: None)
        self.sessions: dict[str, Session] = {}
        self.csrf_tokens: set[str] = set()
        self.login_failures: dict[str, list[float]] = {}
        """Client IP -> times of wrong passwords."""
        self.totp_failures: dict[str, list[float]] = {}
        """Email -> times of wrong TOTP codes."""
        self.remember: dict[str, tuple[str, float]] = {}
        """remember-cookie value -> (email, expiry)."""
        self.devices: dict[str, DeviceGrant] = {}
        self.rates: dict[str, RateWindow] = {}
        self.emailed: dict[str, str] = {}
        """Email -> the last code "emailed" to it."""
        self.page_codes: dict[str, tuple[str, float]] = {}
        """Email -> (code, sent at) for the approval page's own sign-in."""
        self.captured: list[CapturedEvent] = []
        """Events the SDKs delivered, oldest first (bounded)."""
        self.flag_calls: list[FlagCall] = []
        """`/flags` and flag-definitions requests, oldest first (bounded)."""
        # How faithfully to play one PostHog version or another (contract 2026-11 notes).
        self.device_scopes: DeviceScopes = device_scopes
        """``"full"``: browser approval grants what phguide reads; ``"narrow"``: PostHog's
        fixed `CLI_SCOPES` (no `user:read`, no `project:read`) unless the approver ticks more."""
        self.device_poll_scopes = True
        """Whether the poll answer carries `scopes` (older versions leave it out)."""
        self.key_refusal_status = 403
        """What key-management calls answer a personal key: 403 (older) or 401 (newer)."""
        self.blocked: set[str] = set()
        """Emails PostHog's security rules block (`access_blocked`)."""

    def now(self) -> float:
        """The demo clock's time."""
        return self.clock.now()

    def new_csrf_token(self) -> str:
        """Issue a CSRF token (64 characters, like Django's masked tokens)."""
        token = secrets.token_hex(32)
        self.csrf_tokens.add(token)
        return token

    def new_session(self, email: str | None = None) -> Session:
        """Start a session; a login (`email` set) records its time for the re-auth window."""
        session = Session(id=secrets.token_hex(16), email=email)
        if email is not None:
            session.login_at = self.now()
        self.sessions[session.id] = session
        return session

    def recent_failures(self, failures: dict[str, list[float]], who: str, window: float) -> int:
        """How many failures `who` has within the last `window` seconds (older ones dropped)."""
        cutoff = self.now() - window
        kept = [at for at in failures.get(who, []) if at > cutoff]
        failures[who] = kept
        return len(kept)
