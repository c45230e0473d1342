"""What a pasted value is, from its text alone: cleaned, classified, explained.

No dataclasses or typing at run time (see `verdict`): `phguide check` answers text that is no
key with this module and `verdict` alone.
"""

from __future__ import annotations

import re

from phguide.api.key_kinds import key_kind
from phguide.core.secret import key_text_problem

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    from typing import Final

    from phguide.api.key_kinds import KeyKind

PROJECT_KEY_LENGTH: Final = 47
"""`phc_` and 43 characters."""
PERSONAL_KEY_LENGTH: Final = 39
"""`phx_` and 35 characters."""

KEY_CHARS: Final = re.compile(r"[A-Za-z0-9_-]+")
_LEGACY_PROJECT: Final = re.compile(r"[A-Za-z0-9_-]{43}")
_LEGACY_KEY: Final = re.compile(r"[A-Za-z0-9_-]{32,64}")
# `NAME=value`, and YAML's `name: value` (a colon followed by a space, so not `https://`).
_ASSIGNMENT: Final = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|:\s)\s*")
_BEARER: Final = re.compile(r"^(?:authorization\s*:\s*)?bearer\s+", re.IGNORECASE)
_NO_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0"))
"""A `str.translate` table that removes zero-width and non-breaking spaces (a character class
would cost `check` half a millisecond to compile)."""
_QUOTES: Final = "\"'`“”‘’"

_OTHER_PREFIXES: Final = (
    (("sk_live_", "sk_test_"), "a Stripe secret key"),
    (("pk_live_", "pk_test_"), "a Stripe publishable key"),
    (("rk_live_", "rk_test_"), "a Stripe restricted key"),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), "a GitHub token"),
    (("glpat-",), "a GitLab token"),
    (("sk-ant-",), "an Anthropic API key"),
    (("sk-",), "an OpenAI API key"),
    (("xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxe-"), "a Slack token"),
    (("SG.",), "a SendGrid API key"),
    (("sntrys_", "sntryu_"), "a Sentry token"),
    (("npm_",), "an npm token"),
)
"""Other services' keys told by their prefix, in order (the first that fits names it)."""
_OTHER_SHAPES: Final = (
    (r"^(AKIA|ASIA)[0-9A-Z]{16}$", "an AWS access key id"),
    (r"^AIza[0-9A-Za-z_-]{35}$", "a Google API key"),
    (r"^eyJ[A-Za-z0-9_-]+\.", "a JSON Web Token (a sign-in token of some service)"),
    (
        r"^[0-9a-f]{32}$",
        "another analytics tool's project token (Mixpanel and Amplitude use "
        "32 hexadecimal characters)",
    ),
)
"""Other services' keys told by their shape (no prefix above fits any of them), as patterns
that `re` compiles and caches when a value gets this far."""


def _other_service(value: str) -> str | None:
    """What a value that is no PostHog key seems to be, by its prefix or shape, else None."""
    for prefixes, name in _OTHER_PREFIXES:
        if value.startswith(prefixes):
            return name
    return next((name for shape, name in _OTHER_SHAPES if re.search(shape, value)), None)


class KindInfo:
    """What a kind of key is called and what it is for (read-only)."""

    __slots__ = ("explanation", "label")

    def __init__(self, label: str, explanation: str) -> None:
        self.label: Final = label
        self.explanation: Final = explanation


KINDS: Final[dict[KeyKind, KindInfo]] = {
    "project": KindInfo(
        "Project API key, the project token (public)",
        "PostHog's SDKs (posthog-js, mobile and server SDKs) use it to send events and evaluate "
        "feature flags. It is safe in frontend code and in git. It cannot read your data or call "
        "PostHog's private API (/api/…): that takes a personal API key.",
    ),
    "personal": KindInfo(
        "Personal API key (secret)",
        "For server-side integrations and PostHog's private API (/api/…), sent as "
        '"Authorization: Bearer …". It acts as you, within its scopes: keep it in an '
        "environment variable or a secret store, never in frontend code or git. SDKs that send "
        "events take the project API key (phc_) instead.",
    ),
    "project-secret": KindInfo(
        "Project secret API key (secret)",
        "Server SDKs use it to evaluate feature flags locally, and it runs endpoints: PostHog "
        "now recommends it over a personal key for that (Project settings → Secret API keys, "
        'up to 50 per project). The older per-project "feature flags secure API key" is also '
        "phs_ and is deprecated: replace it with one of these. It is neither the project API "
        "key (phc_) nor a personal API key (phx_): it cannot send events or call the private "
        "API. Keep it secret.",
    ),
    "oauth-access": KindInfo(
        "OAuth access token (secret)",
        "PostHog issued it to an app you authorised (such as PostHog's wizard or MCP server). It "
        "belongs to that app and expires within hours: your own code should use a personal API "
        "key (phx_) for the private API, or the project API key (phc_) for events.",
    ),
    "oauth-refresh": KindInfo(
        "OAuth refresh token (secret)",
        "An app you authorised uses it to get new OAuth access tokens from PostHog. It is not an "
        "API key: nothing accepts it but PostHog's token endpoint. Use a personal API key (phx_) "
        "or the project API key (phc_) instead.",
    ),
    "unknown": KindInfo(
        "Not a PostHog key",
        "PostHog keys start with phc_ (project API key, public) or phx_ (personal API key, "
        "secret); phs_, pha_ and phr_ are PostHog's secret keys and OAuth tokens.",
    ),
}


class Classified:
    """What the text of a key says, before asking any server (read-only)."""

    __slots__ = (
        "bad_text",
        "kind",
        "legacy_key",
        "legacy_project",
        "looks_like",
        "masked_copy",
        "notes",
        "value",
    )

    def __init__(
        self,
        value: str,
        kind: KeyKind,
        notes: tuple[str, ...] = (),
        *,
        looks_like: str | None = None,
        masked_copy: bool = False,
        legacy_project: bool = False,
        bad_text: bool = False,
        legacy_key: bool = False,
    ) -> None:
        self.value: Final = value
        """The key with what surrounded it removed (quotes, spaces, `NAME=`)."""
        self.kind: Final = kind
        self.notes: Final = notes
        """What was removed, said plainly."""
        self.looks_like: Final = looks_like
        """For a non-PostHog value: what it seems to be ("a Stripe secret key")."""
        self.masked_copy: Final = masked_copy
        """True when it is PostHog's masked display (`phx_...abcd`), not a key."""
        self.legacy_project: Final = legacy_project
        """True when it may be a project key from before the `phc_` prefix."""
        self.bad_text: Final = bad_text
        """True when it holds a character no PostHog key has: it is never sent anywhere."""
        self.legacy_key: Final = legacy_key
        """True when it may be a personal key from before the `phx_` prefix: the server decides."""


def clean_key(text: str) -> tuple[str, list[str]]:
    """Remove what commonly comes along with a pasted key.

    Args:
        text: What the user pasted.

    Returns:
        The bare key, and a sentence for each thing removed.
    """
    notes: list[str] = []
    value = text
    visible = value.translate(_NO_INVISIBLE)
    if visible != value:
        value = visible
        notes.append("Removed invisible characters (zero-width or non-breaking spaces).")
    value = value.strip()
    bearer = _BEARER.match(value)
    if bearer:
        value = value[bearer.end() :].strip()
        notes.append('Removed "Bearer" in front of it.')
    assignment = _ASSIGNMENT.match(value)
    if assignment and len(value) > assignment.end():
        value = value[assignment.end() :].strip()
        notes.append(f"Took the value of {assignment.group(1)}.")
    # A key never holds a quote, comma or semicolon: strip them at either end even when
    # unbalanced (`phx_…"` copied from JSON without its opening quote).
    stripped = value
    while stripped != (trimmed := stripped.strip().strip(_QUOTES).rstrip(",;")):
        stripped = trimmed
    if stripped != value:
        notes.append("Removed the quotes or punctuation around it.")
        value = stripped
        # A quoted header value (`"Bearer phx_…"`, copied from JSON) shows its Bearer only now.
        bearer = None if bearer else _BEARER.match(value)
        if bearer:
            value = value[bearer.end() :].strip()
            notes.append('Removed "Bearer" in front of it.')
    if re.search(r"\s", value):
        value = re.sub(r"\s+", "", value)
        notes.append("Removed spaces and line breaks inside it (a key has none).")
    return value, notes


_MASKED_FORM: Final = re.compile(r"ph[a-z]_(?:\.\.\.|…)[A-Za-z0-9]{1,8}")
"""How PostHog shows a key it will not show again: the prefix, an ellipsis, the last few."""


def classify(text: str) -> Classified:
    """Say what a pasted value is from its text alone.

    Args:
        text: What the user pasted.

    Returns:
        The cleaned value and what it looks like.
    """
    value, notes = clean_key(text)
    kind = key_kind(value)
    if kind != "unknown":
        # Only PostHog's own mask (`phx_...abcd`) counts as a masked copy: a whole key with
        # dots pasted after it must never be shown as if it were already masked.
        masked_copy = _MASKED_FORM.fullmatch(value) is not None
        # A key with a character no key has is refused before any request.
        bad_text = not masked_copy and key_text_problem(value) is not None
        return Classified(value, kind, tuple(notes), masked_copy=masked_copy, bad_text=bad_text)
    if value[:4].lower() in ("phc_", "phx_", "phs_", "pha_", "phr_"):
        notes.append("The prefix has capital letters: PostHog keys start in lower case.")
    looks_like = _other_service(value)
    if looks_like is None and re.match(r"^https?://", value, re.IGNORECASE):
        looks_like = "a web address"
    elif looks_like is None and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        looks_like = "an email address"
    legacy = looks_like is None and _LEGACY_PROJECT.fullmatch(value) is not None
    # Legacy personal keys predate the phx_ prefix (contract §1): never refused by form.
    legacy_key = looks_like is None and _LEGACY_KEY.fullmatch(value) is not None
    return Classified(
        value,
        "unknown",
        tuple(notes),
        looks_like=looks_like,
        legacy_project=legacy,
        legacy_key=legacy_key,
    )
