"""What a scope grants, and PostHog's scope presets by job (contract §6, §6b).

Mirrors PostHog's `API_KEY_SCOPE_PRESETS` and `PROJECT_SECRET_API_KEY_SCOPE_PRESETS`
(`frontend/src/lib/scopes.tsx`). The server's list of objects changes often: its 400 on a
bad scope is the truth, these lists only help the user choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

SCOPE_OBJECTS: Final[tuple[str, ...]] = (
    "action",
    "access_control",
    "activity_log",
    "alert",
    "annotation",
    "batch_export",
    "cohort",
    "dashboard",
    "dashboard_template",
    "dataset",
    "early_access_feature",
    "endpoint",
    "error_tracking",
    "event_definition",
    "experiment",
    "export",
    "feature_flag",
    "group",
    "hog_function",
    "insight",
    "integration",
    "llm_gateway",
    "notebook",
    "organization",
    "organization_member",
    "person",
    "plugin",
    "project",
    "property_definition",
    "query",
    "session_recording",
    "session_recording_playlist",
    "sharing_configuration",
    "subscription",
    "survey",
    "user",
    "webhook",
)
"""Objects a personal key's scope may name, as PostHog's create form lists them."""

WITHHELD: Final[frozenset[str]] = frozenset(
    {
        "user:write",
        "query:write",
        "file_system:write",
        "integration:write",
        "llm_gateway:write",
        "agent_approvals:read",
        "product_enablement:read",
    }
)
"""Scopes PostHog's create form does not offer for personal keys: phguide offers none."""

READ_PROJECT: Final[tuple[str, ...]] = ("user:read", "project:read")
"""What phguide needs to show a key's account and its project's API key."""

CLI_SCOPES: Final[tuple[str, ...]] = (
    "event_definition:read",
    "property_definition:read",
    "error_tracking:read",
    "error_tracking:write",
)
"""The fixed grant of one PostHog version's browser approval: none of `READ_PROJECT`."""

_INTEGRATION: Final = (
    "action:read",
    "query:read",
    "project:read",
    "organization:read",
    "user:read",
    "webhook:write",
)
"""Zapier's and n8n's presets: the same scopes."""
_MCP_WRITES: Final = frozenset({"feature_flag", "insight", "dashboard", "survey", "experiment"})


def grants(scopes: Iterable[str], needed: str) -> bool:
    """True when `scopes` grant `needed` (`*` grants all; `write` implies `read`).

    An empty list grants nothing: PostHog reads no scopes as no access since 2026-03.
    """
    have = set(scopes)
    if "*" in have or needed in have:
        return True
    obj, _, action = needed.partition(":")
    return action == "read" and f"{obj}:write" in have


def missing(scopes: Iterable[str], needed: Sequence[str] = READ_PROJECT) -> tuple[str, ...]:
    """The scopes of `needed` that `scopes` do not grant, in order."""
    have = tuple(scopes)
    return tuple(scope for scope in needed if not grants(have, scope))


def describe(scopes: Sequence[str]) -> str:
    """Scopes in words: "no access" for none, "everything" for `*`."""
    if not scopes:
        return "no access (a key with no scopes can do nothing)"
    if "*" in scopes:
        return "everything: read and write access to all PostHog data"
    return ", ".join(scopes)


@dataclass(frozen=True)
class ScopePreset:
    """A job a key is for, and exactly what it grants."""

    value: str
    """PostHog's own preset name (`?preset=` of the web form)."""
    label: str
    scopes: tuple[str, ...]
    broad: str = ""
    """Why this preset is broad, when it is (shown before creating)."""

    def web_url(self, app_url: str) -> str:
        """PostHog's own create form with this preset chosen (the web fallback)."""
        return f"{app_url}/settings/user-api-keys?preset={quote(self.value)}"


def _mcp_scopes() -> tuple[str, ...]:
    chosen = (f"{o}:write" if o in _MCP_WRITES else f"{o}:read" for o in SCOPE_OBJECTS)
    return tuple(scope for scope in chosen if scope not in WITHHELD)


def _read_only_scopes() -> tuple[str, ...]:
    return tuple(f"{o}:read" for o in SCOPE_OBJECTS if f"{o}:read" not in WITHHELD)


PERSONAL_PRESETS: Final[tuple[ScopePreset, ...]] = (
    ScopePreset("local_evaluation", "Local feature flag evaluation", ("feature_flag:read",)),
    ScopePreset(
        "source_map_upload", "Source map upload", ("organization:read", "error_tracking:write")
    ),
    ScopePreset("analytics", "Performing analytics queries", ("query:read",)),
    ScopePreset("endpoints", "Endpoint execution", ("endpoint:read",)),
    ScopePreset(
        "project_management",
        "Project & user management",
        ("project:write", "organization:read", "organization_member:write"),
        broad="organization_member:write can invite users, who then reach every other scope.",
    ),
    ScopePreset(
        "agent_cli",
        "Agent CLI (what phguide itself reads)",
        (*READ_PROJECT, "organization:read", *CLI_SCOPES),
    ),
    ScopePreset(
        "read_only_access",
        "Read-only access",
        _read_only_scopes(),
        broad="It reads every kind of data in every project the key reaches.",
    ),
    ScopePreset(
        "mcp_server",
        "MCP server",
        _mcp_scopes(),
        broad="It reads everything and writes flags, insights, dashboards, surveys and "
        "experiments: PostHog's own engineers call this preset too broad. Prefer a narrower one.",
    ),
    ScopePreset(
        "all_access",
        "All access (*)",
        ("*",),
        broad="It can read and write everything you can, in every project: a leak is a "
        "full account takeover of your data.",
    ),
    ScopePreset("zapier", "Zapier integration", _INTEGRATION),
    ScopePreset("n8n", "n8n integration", _INTEGRATION),
)
"""PostHog's presets for personal keys, by job."""

SECRET_KEY_PRESETS: Final[tuple[ScopePreset, ...]] = (
    ScopePreset("local_evaluation", "Local feature flag evaluation", ("feature_flag:read",)),
    ScopePreset("endpoint_execution", "Endpoint execution", ("endpoint:read",)),
)
"""The presets of project secret keys (`*` is refused for them)."""


def preset(value: str, presets: Sequence[ScopePreset] = PERSONAL_PRESETS) -> ScopePreset:
    """The preset with this name.

    Raises:
        KeyError: No such preset.
    """
    for candidate in presets:
        if candidate.value == value:
            return candidate
    raise KeyError(value)
