"""A keyring backend for the scripting benchmark: every entry holds the same key, in memory.

Chosen with PYTHON_KEYRING_BACKEND for phguide and the baseline alike, so both look up the
same backend the same way and phguide's `token` and `run` really read a key.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend

KEY = "phx_" + "benchmark".ljust(43, "0")
"""The value every entry holds (not a real key)."""


class Keyring(KeyringBackend):
    """Gives `KEY` for any entry; keeps nothing."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        """`KEY`, whatever is asked."""
        return KEY

    def set_password(self, service: str, username: str, password: str) -> None:
        """Nothing is kept."""

    def delete_password(self, service: str, username: str) -> None:
        """Nothing is kept."""
