"""A string wrapper that keeps secrets out of logs, reprs and tracebacks."""

from __future__ import annotations

import re
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
    return f"{value[:4]}...{value[-4:]}"


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
