"""What every way in to PostHog shares: one attempt's start, progress, failure, end and close.

Each way in (browser approval, password, pasted key, saved key) is a widget that runs its own
worker inside `LoginWay.attempt` and posts messages; the log-in screen shows them in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

from textual import work
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget

from phguide.api.errors import PermissionDenied, PostHogError
from phguide.core.state import AuthMethod, Session
from phguide.ui import messages

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import User
    from phguide.core.accounts import KeySource
    from phguide.core.hosts import Host
    from phguide.core.secret import Secret
    from phguide.services import Services
    from phguide.system.credentials import StoreResult

LOGIN_GROUP: Final = "login"
"""The worker group of a sign-in attempt: Esc, or another way's attempt, cancels it."""

_numbers = itertools.count(1)
"""Attempt numbers, unique across every way in: the screen shows the latest one."""


@dataclass
class Attempt:
    """One sign-in attempt: its number, the client it opened, and whether a session keeps it."""

    number: int
    client: PostHogClient | None = None
    keep: bool = False
    """True once a session owns the client (it is not closed at the end)."""
    note: str = ""
    """What the status line says at the end (for example "Sign-in cancelled.")."""


async def close_client(client: PostHogClient | None) -> None:
    """Close a client; closing a broken connection must not become the user's problem."""
    if client is not None:
        with contextlib.suppress(Exception):
            await client.aclose()


class LoginWay(Vertical):
    """A way in. Subclasses run their sign-in inside `attempt` and post `SignedIn` at the end.

    Args:
        services: The app's dependencies.
        host: Returns the chosen PostHog, or None (after saying so) when none is chosen.
    """

    DEFAULT_CSS = "LoginWay { height: auto; }"

    class Started(Message):
        """An attempt started: the screen shows its progress and stops the other ways."""

        def __init__(self, way: LoginWay, number: int, text: str) -> None:
            super().__init__()
            self.way = way
            self.number = number
            self.text = text

    class Progress(Message):
        """The attempt moved on (the progress line's new text).

        `reveal` is scrolled to the top of the view once the progress line is laid out.
        """

        def __init__(self, text: str, reveal: Widget | None = None) -> None:
            super().__init__()
            self.text = text
            self.reveal = reveal

    class Ended(Message):
        """An attempt ended (done, failed or cancelled), with a note for the status line."""

        def __init__(self, number: int, note: str, host: Host | None = None) -> None:
            super().__init__()
            self.number = number
            self.note = note
            self.host = host
            """The PostHog the attempt tried (its note goes when the host changes)."""

    class Problem(Message):
        """Something to show in the problem box: a PostHog error, or a message and its fix.

        `retry` (with the host) lets the screen offer the other cloud region.
        """

        def __init__(
            self,
            message: str,
            fix: str = "",
            *,
            error: PostHogError | None = None,
            host: Host | None = None,
            retry: Callable[[Host], object] | None = None,
        ) -> None:
            super().__init__()
            self.message = message
            self.fix = fix
            self.error = error
            self.host = host
            self.retry = retry

    def __init__(
        self, services: Services, host: Callable[[], Host | None], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.services = services
        self.host = host

    def stop(self) -> None:
        """Cancel this way's attempt (Esc, or another way started)."""
        self.workers.cancel_group(self, LOGIN_GROUP)

    def problem(self, message: str, fix: str = "") -> None:
        """Show a problem in words."""
        self.post_message(self.Problem(message, fix))

    def progress(self, text: str, reveal: Widget | None = None) -> None:
        """Say what the attempt is doing now (and bring `reveal` into view with it)."""
        self.post_message(self.Progress(text, reveal))

    @contextlib.asynccontextmanager
    async def attempt(
        self,
        text: str,
        *,
        cancelled: str,
        host: Host | None = None,
        retry: Callable[[Host], object] | None = None,
    ) -> AsyncIterator[Attempt]:
        """Run one attempt: progress first; any failure shown; the client closed unless kept.

        Args:
            text: The first progress text.
            cancelled: The status line's note when the attempt is cancelled.
            host: The PostHog tried, for offering the other region on a failure.
            retry: Starts the same attempt on another host (the other region).
        """
        attempt = Attempt(next(_numbers))
        self.post_message(self.Started(self, attempt.number, text))
        try:
            yield attempt
        except PostHogError as error:
            self.post_message(
                self.Problem(error.message, error.fix, error=error, host=host, retry=retry)
            )
        except asyncio.CancelledError:
            attempt.note = cancelled
            raise
        except Exception:
            self.problem(
                "Something unexpected went wrong, and phguide stopped this sign-in.",
                "Try again; if it keeps happening, try another way in.",
            )
        finally:
            self.post_message(self.Ended(attempt.number, attempt.note, host))
            if not attempt.keep:
                await close_client(attempt.client)

    # -- a personal key: pasted, saved or from the environment ----------------------------------
    @work(exclusive=True, group=LOGIN_GROUP, exit_on_error=False, description="check key")
    async def check_key(self, host: Host, key: Secret, method: AuthMethod) -> None:
        """Check a personal key with PostHog, then `key_checked`."""
        retry = partial(self.check_key, key=key, method=method)
        cancelled = "Key check cancelled."
        text = f"Checking the key with {host.label}…"
        async with self.attempt(text, cancelled=cancelled, host=host, retry=retry) as attempt:
            attempt.client = client = self.services.client_factory(host, key)
            missing = ""
            try:
                user: User | None = await client.me()
            except PermissionDenied as denied:
                # Authenticated, but without user:read: still a working key for what it allows.
                user, missing = None, denied.message
            attempt.keep = True
            self.key_checked(Session(host, client, method, user=user, personal_key=key), missing)

    def key_checked(self, session: Session, missing: str) -> None:
        """PostHog accepted the key: sign in (the pasted-key way shows it first)."""
        self.post_message(messages.SignedIn(session))

    @work(group="keyring", exit_on_error=False, thread=True, description="save key")
    def save_key(
        self, host: Host, user: str, key: Secret, source: KeySource, label: str = ""
    ) -> StoreResult | None:
        """Save a personal key in the keyring (a thread: keyring calls can block)."""
        try:
            return self.services.save_personal_key(host, user, key, label=label, source=source)
        except Exception:  # the store promises not to raise; a key must never be lost if it does
            return None
