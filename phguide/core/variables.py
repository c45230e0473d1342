"""The environment variables phguide reads, by kind: names only, so that anything may import them.

PostHog's own (`POSTHOG_PERSONAL_API_KEY`, `POSTHOG_HOST`) and those of PostHog's CLI; when
several of one kind are set, the first in these lists wins (see `core.sources`).
"""

from __future__ import annotations

__all__ = ["HOST_VARIABLES", "KEY_VARIABLES", "PROJECT_VARIABLES"]

KEY_VARIABLES = ("POSTHOG_PERSONAL_API_KEY", "POSTHOG_CLI_API_KEY", "POSTHOG_CLI_TOKEN")
"""Variables that hold a personal API key, strongest first; each overrides the keyring."""
HOST_VARIABLES = ("POSTHOG_HOST", "POSTHOG_CLI_HOST")
"""Variables that name the PostHog to use, strongest first."""
PROJECT_VARIABLES = ("POSTHOG_CLI_PROJECT_ID",)
"""Variables that name the project `phguide run` describes."""
