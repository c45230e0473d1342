"""A string wrapper that keeps secrets out of logs, reprs and tracebacks."""

from __future__ import annotations

import re

from phguide.core.text import clean

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    from typing import Final

_HIDDEN: Final = "********"
_POSTHOG_KEY: Final = re.compile(r"ph[a-z]_")


def mask(value: str) -> str:
    """Mask a key the way PostHog does: the first 4 and last 4 characters.

    Only PostHog keys (``ph?_…``) are masked that way; a password or a cookie shows nothing
    of itself, since 8 of its characters could be most of it.

    Args:
        value: The plain value.

    Returns:
        ``phx_...abcd`` for a long enough PostHog key, a fixed placeholder for anything else.
    """
    if len(value) < 12 or not _POSTHOG_KEY.match(value):
        return _HIDDEN
    # A pasted value may hold control characters: the mask shows them as escapes, never raw.
    return f"{clean(value[:4])}...{clean(value[-4:])}"


_KEY_CHARACTERS: Final = re.compile(r"[\x21-\x7e]*")
"""Printable ASCII without spaces: every PostHog key, old or new, is made of these."""


def key_text_problem(value: str) -> str | None:
    """Why a value cannot be a PostHog key from its characters alone, or None when it can be.

    Only the characters are checked, never the length or the format: older keys have other
    shapes, and the server is the one to say whether a key exists.

    Args:
        value: The key, already stripped of what comes along with a paste.

    Returns:
        "contains a character that no PostHog key has" (non-ASCII, a control character or a
        space inside it), or None.
    """
    if _KEY_CHARACTERS.fullmatch(value) is None:
        return "contains a character that no PostHog key has"
    return None


class Secret:
    """A secret value whose ``str`` and ``repr`` never show it.

    Call `reveal` at the one place that must send or store the plain value.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the plain value."""
        return self._value

    @property
    def masked(self) -> str:
        """The value masked as PostHog shows it (``phx_...abcd``)."""
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")
