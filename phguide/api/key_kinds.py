"""What kind of key a value is, by its prefix: a module of its own, light enough for
`phguide check` to import before it knows whether it needs the API's models."""

from __future__ import annotations

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    KeyKind: TypeAlias = Literal[
        "project", "personal", "project-secret", "oauth-access", "oauth-refresh", "unknown"
    ]

__all__ = ["KeyKind", "key_kind"]


def key_kind(value: str) -> KeyKind:
    """Classify a key by its prefix."""
    prefixes: dict[str, KeyKind] = {
        "phc_": "project",
        "phx_": "personal",
        "phs_": "project-secret",
        "pha_": "oauth-access",
        "phr_": "oauth-refresh",
    }
    return prefixes.get(value.strip()[:4], "unknown")
