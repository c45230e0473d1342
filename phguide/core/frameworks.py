"""The names a framework reads its public PostHog settings from, and the file it reads them in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["FRAMEWORKS", "PLAIN", "Framework", "framework_by_id"]


@dataclass(frozen=True)
class Framework:
    """Where a project's public settings live for one kind of app."""

    id: str
    name: str
    """What the screen calls it."""
    key_variable: str
    """The project token's variable (public: a framework ships it to the browser)."""
    host_variable: str
    """The ingestion host's variable."""
    env_file: str
    """The file the framework reads in development."""
    read: str | None
    """How browser code reads a variable (`{}` is the name); None for plain values in code."""
    imports: str = ""
    """A line browser code needs before it can read the variables."""

    def reads(self, name: str) -> str:
        """The expression that reads one variable in this framework's browser code."""
        return (self.read or "{}").format(name)


PLAIN: Final = Framework("plain", "Plain", "POSTHOG_PROJECT_API_KEY", "POSTHOG_HOST", ".env", None)
"""No framework: the values written into the code, the plain `POSTHOG_*` names in `.env`."""

FRAMEWORKS: Final = (
    PLAIN,
    Framework(
        "nextjs",
        "Next.js",
        "NEXT_PUBLIC_POSTHOG_KEY",
        "NEXT_PUBLIC_POSTHOG_HOST",
        ".env.local",
        "process.env.{}",
    ),
    Framework(
        "vite",
        "Vite (React, Vue)",
        "VITE_PUBLIC_POSTHOG_KEY",
        "VITE_PUBLIC_POSTHOG_HOST",
        ".env.local",
        "import.meta.env.{}",
    ),
    Framework(
        "astro", "Astro", "PUBLIC_POSTHOG_KEY", "PUBLIC_POSTHOG_HOST", ".env", "import.meta.env.{}"
    ),
    Framework(
        "sveltekit",
        "SvelteKit",
        "PUBLIC_POSTHOG_KEY",
        "PUBLIC_POSTHOG_HOST",
        ".env",
        "env.{}",
        "import { env } from '$env/dynamic/public'",
    ),
)
"""The choices step 5 offers, in the order `f` cycles through them."""


def framework_by_id(framework_id: str) -> Framework:
    """The framework with this id (plain for an unknown one)."""
    return next((f for f in FRAMEWORKS if f.id == framework_id), PLAIN)
