"""App-wide messages: how screens tell the app that something changed."""

from __future__ import annotations

from textual.message import Message

from phguide.core.state import FreshKey, Session


class SignedIn(Message):
    """A log-in finished: the app adopts the session and moves on to the project key."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        """The new session."""


class SignedOut(Message):
    """The session ended (log out, or the server asked for a fresh sign-in)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason
        """Why, to show on the log-in screen."""


class FreshKeyIssued(Message):
    """The server handed over a personal key value it will never show again."""

    def __init__(self, fresh: FreshKey) -> None:
        super().__init__()
        self.fresh = fresh
        """The key; the app refuses to quit until it is safe."""
