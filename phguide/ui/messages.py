"""App-wide messages: how screens tell the app that something changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from phguide.core.state import FreshKey, Session

if TYPE_CHECKING:
    from phguide.system.clipboard import CopyResult


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
    """The server handed over a key value it will never show again."""

    def __init__(self, fresh: FreshKey, account: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.fresh = fresh
        """The key; the app refuses to quit until it is safe."""
        self.account = account
        """Whose key it is (`AppState.account()` of the session that made it), if known."""


class FreshKeyPutAway(Message):
    """A safe fresh key left the screen (done, or a newer key took its place)."""

    def __init__(self, fresh: FreshKey) -> None:
        super().__init__()
        self.fresh = fresh


class Status(Message):
    """Something to say on the status line (what was saved where, what to do next)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Copied(Message):
    """Something was copied: the app says how, and clears a secret from the clipboard later."""

    def __init__(self, result: CopyResult, what: str, *, secret: bool) -> None:
        super().__init__()
        self.result = result
        self.what = what
        """What was copied ("the key “CI”")."""
        self.secret = secret
