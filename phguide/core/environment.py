"""What the environment sets: POSTHOG_PERSONAL_API_KEY and POSTHOG_HOST, and how to say so."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from phguide.core.secret import Secret

__all__ = ["HOST_VARIABLE", "KEY_VARIABLE", "Environment", "read_environment"]

KEY_VARIABLE: Final = "POSTHOG_PERSONAL_API_KEY"
"""The variable that holds a personal API key; it overrides the keyring."""

HOST_VARIABLE: Final = "POSTHOG_HOST"
"""The variable that names the PostHog to use (us, eu or a URL); it overrides the saved host."""


@dataclass(frozen=True)
class Environment:
    """The PostHog settings found in the environment; None for what is unset or blank."""

    personal_key: Secret | None = None
    """`POSTHOG_PERSONAL_API_KEY`, surrounding whitespace removed."""
    host: str | None = None
    """`POSTHOG_HOST` as written (parse it with `phguide.core.hosts.parse_host`)."""


def read_environment(environ: Mapping[str, str] | None = None) -> Environment:
    """Read the PostHog variables.

    Args:
        environ: The variables to read; `os.environ` by default.

    Returns:
        What is set. A blank value counts as unset: `export POSTHOG_HOST=` is how people
        switch a variable off.
    """
    env = os.environ if environ is None else environ
    key = env.get(KEY_VARIABLE, "").strip()
    host = env.get(HOST_VARIABLE, "").strip()
    return Environment(personal_key=Secret(key) if key else None, host=host or None)
