"""Say what a pasted key is, whether it works, where, and what to do when it does not."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

from phguide.api.errors import (
    NotAuthenticated,
    PermissionDenied,
    PostHogError,
    ServerError,
    TransportError,
)
from phguide.api.models import KeyKind, key_kind
from phguide.core.hosts import Clouds, Host
from phguide.core.secret import Secret, key_text_problem, mask

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import FlagsCheck, PersonalApiKey, Project, User

__all__ = [
    "Diagnosis",
    "Problem",
    "Purpose",
    "classify",
    "clean_key",
    "diagnose_key",
]

ClientFactory = Callable[[Host, Secret | None], "PostHogClient"]
Purpose = Literal["sdk", "api"]
"""What the key is for: `sdk` (sending events, flags) or `api` (PostHog's private API)."""
Severity = Literal["error", "warning"]

PROJECT_KEY_LENGTH: Final = 47
"""`phc_` and 43 characters."""
PERSONAL_KEY_LENGTH: Final = 39
"""`phx_` and 35 characters."""
MAX_PROJECTS_CHECKED: Final = 10
"""Scoped projects looked up by name; a key scoped to more lists only their ids beyond this."""

_KEY_CHARS: Final = re.compile(r"[A-Za-z0-9_-]+")
_LEGACY_PROJECT: Final = re.compile(r"[A-Za-z0-9_-]{43}")
# `NAME=value`, and YAML's `name: value` (a colon followed by a space, so not `https://`).
_ASSIGNMENT: Final = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|:\s)\s*")
_BEARER: Final = re.compile(r"^(?:authorization\s*:\s*)?bearer\s+", re.IGNORECASE)
_INVISIBLE: Final = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00a0]")
_QUOTES: Final = "\"'`“”‘’"
_SCOPE: Final = re.compile(r"scope '([a-z_]+:(?:read|write))'")
_ORGANIZATION: Final = re.compile(r"Organization '(.+?)'")

_OTHER_SERVICES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"^sk_(live|test)_", "a Stripe secret key"),
        (r"^pk_(live|test)_", "a Stripe publishable key"),
        (r"^rk_(live|test)_", "a Stripe restricted key"),
        (r"^(gh[pousr]_|github_pat_)", "a GitHub token"),
        (r"^glpat-", "a GitLab token"),
        (r"^sk-ant-", "an Anthropic API key"),
        (r"^sk-", "an OpenAI API key"),
        (r"^xox[abpre]-", "a Slack token"),
        (r"^(AKIA|ASIA)[0-9A-Z]{16}$", "an AWS access key id"),
        (r"^AIza[0-9A-Za-z_-]{35}$", "a Google API key"),
        (r"^SG\.", "a SendGrid API key"),
        (r"^sntry[su]_", "a Sentry token"),
        (r"^npm_", "an npm token"),
        (r"^eyJ[A-Za-z0-9_-]+\.", "a JSON Web Token (a sign-in token of some service)"),
        (
            r"^[0-9a-f]{32}$",
            "another analytics tool's project token (Mixpanel and Amplitude use "
            "32 hexadecimal characters)",
        ),
    )
)


class Problem(NamedTuple):
    """Something wrong with the key or how it is used, and what to do about it."""

    message: str
    fix: str
    severity: Severity = "error"


@dataclass(frozen=True)
class _KindInfo:
    label: str
    explanation: str


_KINDS: Final[dict[KeyKind, _KindInfo]] = {
    "project": _KindInfo(
        "Project API key (public)",
        "PostHog's SDKs (posthog-js, mobile and server SDKs) use it to send events and evaluate "
        "feature flags. It is safe in frontend code and in git. It cannot read your data or call "
        "PostHog's private API (/api/…): that takes a personal API key.",
    ),
    "personal": _KindInfo(
        "Personal API key (secret)",
        "For server-side integrations and PostHog's private API (/api/…), sent as "
        '"Authorization: Bearer …". It acts as you, within its scopes: keep it in an '
        "environment variable or a secret store, never in frontend code or git. SDKs that send "
        "events take the project API key (phc_) instead.",
    ),
    "project-secret": _KindInfo(
        "Project secret API key (secret)",
        "Server SDKs use it to evaluate feature flags locally (the feature flags secure API key). "
        "It is neither the project API key (phc_) nor a personal API key (phx_): it cannot send "
        "events from a browser or call the private API. Keep it secret. phguide does not check "
        "phs_ keys live.",
    ),
    "oauth-access": _KindInfo(
        "OAuth access token (secret)",
        "PostHog issued it to an app you authorised (such as PostHog's wizard or MCP server). It "
        "belongs to that app and expires within hours: your own code should use a personal API "
        "key (phx_) for the private API, or the project API key (phc_) for events.",
    ),
    "oauth-refresh": _KindInfo(
        "OAuth refresh token (secret)",
        "An app you authorised uses it to get new OAuth access tokens from PostHog. It is not an "
        "API key: nothing accepts it but PostHog's token endpoint. Use a personal API key (phx_) "
        "or the project API key (phc_) instead.",
    ),
    "unknown": _KindInfo(
        "Not a PostHog key",
        "PostHog keys start with phc_ (project API key, public) or phx_ (personal API key, "
        "secret); phs_, pha_ and phr_ are PostHog's secret keys and OAuth tokens.",
    ),
}


@dataclass(frozen=True)
class Classified:
    """What the text of a key says, before asking any server."""

    value: str
    """The key with what surrounded it removed (quotes, spaces, `NAME=`)."""
    kind: KeyKind
    notes: tuple[str, ...] = ()
    """What was removed, said plainly."""
    looks_like: str | None = None
    """For a non-PostHog value: what it seems to be ("a Stripe secret key")."""
    masked_copy: bool = False
    """True when it is PostHog's masked display (`phx_...abcd`), not a key."""
    legacy_project: bool = False
    """True when it may be a project key from before the `phc_` prefix."""
    bad_text: bool = False
    """True when it holds a character no PostHog key has: it is never sent anywhere."""


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on one key: what it is, whether it works, where, and what to fix.

    It never holds the key, only its mask.
    """

    kind: KeyKind
    kind_label: str
    kind_explanation: str
    mask: str
    """The key as PostHog masks it (`phx_...abcd`)."""
    valid: bool | None
    """True when a PostHog accepted it, False when it refused it, None when unknown."""
    host: Host | None = None
    """Where the key works (None when it works nowhere phguide asked, or was not checked)."""
    checked: tuple[str, ...] = ()
    """The PostHogs asked, by label, in order."""
    user_email: str | None = None
    key_label: str | None = None
    """A personal key's label, as its owner named it."""
    scopes: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    """The projects the key is scoped to or can see, as "Name (id N)"."""
    organizations: tuple[str, ...] = ()
    last_used: str | None = None
    """When a personal key was last used (ISO 8601, as PostHog says it)."""
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    wrong_job: bool = False
    """True when the user said what the key is for, and this kind of key cannot do it."""

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the key from doing its job."""
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def verdict(self) -> str:
        """One line: works, works elsewhere, refused, or unknown."""
        if self.valid is None:
            return "Not checked live." if not self.checked else "Could not be checked."
        if self.kind == "unknown" and not self.checked:
            return "Not a PostHog key."
        if not self.valid:
            return f"Refused by {' and '.join(self.checked)}." if self.checked else "Not valid."
        where = self.host.label if self.host else "PostHog"
        if self.host is not None and self.checked and self.checked[0] != self.host.label:
            return f"Works, but on {where}, not on {self.checked[0]}."
        return f"Works on {where}."

    def to_lines(self, *, explain: bool = True) -> list[str]:
        """The diagnosis as plain lines, for the terminal and the screen (escape before markup).

        Args:
            explain: Include what this kind of key is for.
        """
        lines = [f"Key:        {self.mask}", f"Type:       {self.kind_label}"]
        if explain:
            lines.append(f"            {self.kind_explanation}")
        lines.append(f"Verdict:    {self.verdict}")
        if self.host is not None:
            lines.append(f"Host:       {self.host.label} ({_host_url(self.host, self.kind)})")
        for label, value in (
            ("User", self.user_email),
            ("Label", self.key_label),
            ("Scopes", ", ".join(self.scopes) if self.scopes else None),
            ("Projects", ", ".join(self.projects) if self.projects else None),
            ("Orgs", ", ".join(self.organizations) if self.organizations else None),
            ("Last used", _when(self.last_used) if self.last_used else None),
        ):
            if value:
                lines.append(f"{label + ':':<11} {value}")
        lines.extend(f"Note:       {note}" for note in self.notes)
        for problem in self.problems:
            word = "Problem" if problem.severity == "error" else "Warning"
            lines.append(f"{word + ':':<11} {problem.message}")
            if problem.fix:
                lines.append(f"  Fix:      {problem.fix}")
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The diagnosis as JSON-ready data."""
        host = None
        if self.host is not None:
            host = {
                "label": self.host.label,
                "region": self.host.region,
                "app_url": self.host.app_url,
                "ingest_url": self.host.ingest_url,
            }
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "explanation": self.kind_explanation,
            "mask": self.mask,
            "valid": self.valid,
            "verdict": self.verdict,
            "wrong_job": self.wrong_job,
            "host": host,
            "checked": list(self.checked),
            "user": self.user_email,
            "label": self.key_label,
            "scopes": list(self.scopes),
            "projects": list(self.projects),
            "organizations": list(self.organizations),
            "last_used": self.last_used,
            "notes": list(self.notes),
            "problems": [
                {"message": p.message, "fix": p.fix, "severity": p.severity} for p in self.problems
            ],
        }

    def to_json(self) -> str:
        """The diagnosis as a JSON document."""
        return json.dumps(self.as_dict(), indent=2)


def _host_url(host: Host, kind: KeyKind) -> str:
    return host.ingest_url if kind == "project" else host.app_url


def _when(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (datetime.now(UTC) - moment).total_seconds()
    if seconds < 60:
        ago = "just now"
    elif seconds < 3600:
        ago = f"{int(seconds // 60)} minutes ago"
    elif seconds < 86_400:
        ago = f"{int(seconds // 3600)} hours ago"
    else:
        ago = f"{int(seconds // 86_400)} days ago"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({ago})"


# -- what the text says ------------------------------------------------------------------------


def clean_key(text: str) -> tuple[str, list[str]]:
    """Remove what commonly comes along with a pasted key.

    Args:
        text: What the user pasted.

    Returns:
        The bare key, and a sentence for each thing removed.
    """
    notes: list[str] = []
    value = text
    if _INVISIBLE.search(value):
        value = _INVISIBLE.sub("", value)
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


_MASKED_FORM = re.compile(r"ph[a-z]_(?:\.\.\.|…)[A-Za-z0-9]{1,8}")
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
    looks_like = next((name for pattern, name in _OTHER_SERVICES if pattern.search(value)), None)
    if looks_like is None and re.match(r"^https?://", value, re.IGNORECASE):
        looks_like = "a web address"
    elif looks_like is None and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        looks_like = "an email address"
    legacy = looks_like is None and _LEGACY_PROJECT.fullmatch(value) is not None
    return Classified(value, "unknown", tuple(notes), looks_like=looks_like, legacy_project=legacy)


# -- asking the server -------------------------------------------------------------------------


def _error_problem(error: PostHogError, host: Host) -> Problem:
    """A network or server failure, with the fix for this kind of host."""
    fix = error.fix
    if isinstance(error, TransportError) and not host.is_cloud and error.code != "tls":
        fix = (
            f"{fix} A self-hosted PostHog must be reachable from this machine: check that "
            f"{host.app_url} opens in a browser here, and the VPN if it needs one."
        )
    elif isinstance(error, ServerError) and host.is_cloud:
        fix = f"{fix} PostHog Cloud's state is at https://status.posthog.com."
    return Problem(error.message, fix)


def _truncation_hint(value: str, kind: KeyKind) -> str:
    expected = {"project": PROJECT_KEY_LENGTH, "personal": PERSONAL_KEY_LENGTH}.get(kind)
    if _KEY_CHARS.fullmatch(value) is None:
        return " It contains characters a PostHog key never has: copy it again."
    if expected is not None and len(value) < expected:
        return (
            f" It is {len(value)} characters long where such keys have {expected}: it looks cut "
            "short, so copy it again whole."
        )
    return ""


@dataclass
class _Found:
    """What the live checks learned (mutable while they run)."""

    valid: bool | None = None
    host: Host | None = None
    checked: list[str] = field(default_factory=list)
    user_email: str | None = None
    key_label: str | None = None
    scopes: tuple[str, ...] = ()
    projects: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    last_used: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    forbidden: dict[str, Problem] = field(default_factory=dict)
    """Organisation name -> the problem already said about its ban on personal keys."""

    def add(self, problem: Problem) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def add_forbidden(self, organization: str, problem: Problem) -> None:
        """Say once per organisation that it bans personal keys (a refusal beats a warning)."""
        earlier = self.forbidden.get(organization)
        if earlier is not None:
            if earlier.severity == "warning" and problem.severity == "error":
                self.problems[self.problems.index(earlier)] = problem
                self.forbidden[organization] = problem
            return
        self.forbidden[organization] = problem
        self.add(problem)


async def _flags(factory: ClientFactory, host: Host, token: str) -> FlagsCheck:
    async with factory(host, None) as client:
        return await client.check_project_key(token)


async def _check_project_key(
    token: str, host: Host, clouds: Clouds, factory: ClientFactory, found: _Found
) -> None:
    found.checked.append(host.label)
    try:
        check = await _flags(factory, host, token)
    except PostHogError as error:
        found.add(_error_problem(error, host))
        return
    if check.valid:
        found.valid, found.host = True, host
        _project_check_notes(check, found)
        return
    if check.status not in (400, 401, 403):
        found.add(Problem(f"{host.label} answered {check.status} to the key check.", ""))
        return
    other = clouds.other(host)
    if other is not None:
        found.checked.append(other.label)
        try:
            elsewhere = await _flags(factory, other, token)
        except PostHogError:
            elsewhere = None
        if elsewhere is not None and elsewhere.valid:
            found.valid, found.host = True, other
            _project_check_notes(elsewhere, found)
            found.add(
                Problem(
                    f"This project API key belongs to {other.label}, not {host.label}.",
                    f"Point your SDK at {other.label}: api_host {other.ingest_url!r} "
                    f"(and run phguide with --host {other.region}).",
                )
            )
            return
    found.valid = False
    where = " or ".join(found.checked)
    found.add(
        Problem(
            f"{where} does not accept this project API key"
            + (f" ({check.detail})." if check.detail else "."),
            "Copy it again from Project settings (phguide step 3). If an admin reset the "
            "project's key, every SDK needs the new one." + _truncation_hint(token, "project"),
        )
    )


def _project_check_notes(check: FlagsCheck, found: _Found) -> None:
    if check.status == 402:
        found.add(
            Problem(
                "The project has reached its billing limit: PostHog drops new events.",
                "Raise the billing limit in the organisation's billing settings.",
                "warning",
            )
        )
    else:
        flags = "1 feature flag" if check.flag_count == 1 else f"{check.flag_count} feature flags"
        found.notes.append(f"/flags accepted it and answered with {flags}.")


async def _me_and_key(
    client: PostHogClient,
) -> tuple[User | BaseException, PersonalApiKey | BaseException]:
    me, key = await asyncio.gather(client.me(), client.current_key(), return_exceptions=True)
    for result in (me, key):
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result  # cancellation and interrupts are not results
    return me, key


def _as_posthog_error(error: Exception) -> PostHogError:
    """A failure to report: PostHog's errors as they are, anything else as unexplained."""
    if isinstance(error, PostHogError):
        return error
    return TransportError(
        f"The check failed unexpectedly ({type(error).__name__}).",
        "Try again; if it keeps failing, please report it.",
        code="unexpected",
    )


async def _check_personal_key(
    value: str,
    host: Host,
    clouds: Clouds,
    factory: ClientFactory,
    found: _Found,
    ask_other_region: bool,
) -> None:
    secret = Secret(value)
    # A personal key goes to another host only when the user asked for that (troubleshooting
    # says it will): `check` and `status` ask the chosen host alone.
    other = clouds.other(host) if ask_other_region else None
    for candidate in (host, other):
        if candidate is None:
            break
        found.checked.append(candidate.label)
        async with factory(candidate, secret) as client:
            me, key = await _me_and_key(client)
            if isinstance(me, NotAuthenticated) or (
                isinstance(key, NotAuthenticated) and isinstance(me, Exception)
            ):
                continue  # refused here: it may belong to the other region
            # Only an answer proves a key works: any failure, not only PostHog's own errors,
            # leaves it unproven.
            failures = [_as_posthog_error(r) for r in (me, key) if isinstance(r, Exception)]
            if len(failures) == 2 and not any(isinstance(f, PermissionDenied) for f in failures):
                # Neither call got an answer about the key: the network or the server failed.
                if candidate is host:
                    found.add(_error_problem(failures[0], candidate))
                    return
                found.checked.pop()
                found.notes.append(f"Could not ask {candidate.label}: {failures[0].message}")
                break
            found.valid, found.host = True, candidate
            if candidate is not host:
                found.add(
                    Problem(
                        f"This personal API key belongs to {candidate.label}, not {host.label}.",
                        f"Call {candidate.app_url} with it (phguide: --host {candidate.region}, "
                        f"or POSTHOG_HOST={candidate.region}).",
                    )
                )
            await _describe_personal_key(client, me, key, found)
            return
    found.valid = False
    where = " or ".join(found.checked)
    fix = (
        "It was deleted or rolled, or copied incompletely. Create a new key in Account settings "
        "→ Personal API keys (phguide step 4), or roll this one, and copy it when it is shown."
    )
    if not host.is_cloud:
        fix += " If your account is on PostHog Cloud, check it there: --host us or --host eu."
    elif other is None and (skipped := clouds.other(host)) is not None:
        # The key was not sent there (only troubleshooting asks the other region).
        fix += f" If your account is on {skipped.label}, check it there: --host {skipped.region}."
    found.add(
        Problem(
            f"{where} does not accept this personal API key.",
            fix + _truncation_hint(value, "personal"),
        )
    )


def _forbidden_problem(detail: str, severity: Severity = "error") -> Problem:
    return Problem(
        detail,
        'Ask an admin of that organisation to turn on "Members can use personal API keys" '
        "(Organization settings), or use a key of an admin. Sending events needs no personal "
        "key: the project API key does that.",
        severity,
    )


def _scope_problem(scope: str, what: str) -> Problem:
    return Problem(
        f"The key lacks the {scope} scope, so {what}.",
        f"Add {scope} to the key's scopes in Account settings → Personal API keys (or create a "
        "key with it).",
        "warning",
    )


async def _describe_personal_key(
    client: PostHogClient,
    me: User | BaseException,
    key: PersonalApiKey | BaseException,
    found: _Found,
) -> None:
    user: User | None = None
    if isinstance(me, PostHogError):
        scope = _SCOPE.search(me.message)
        if isinstance(me, PermissionDenied):
            found.add(
                _scope_problem(
                    scope.group(1) if scope else "user:read", "phguide cannot tell whose key it is"
                )
            )
        else:
            found.add(_error_problem(me, client.host))
    elif not isinstance(me, BaseException):
        user = me
        found.user_email = me.email
    scoped_teams: tuple[int, ...] = ()
    scoped_orgs: tuple[str, ...] = ()
    if isinstance(key, PostHogError):
        found.notes.append(f"Its scopes are unknown: {key.message}")
    elif not isinstance(key, BaseException):
        found.key_label = key.label
        found.scopes = key.scopes
        found.last_used = key.last_used_at
        scoped_teams, scoped_orgs = key.scoped_teams, key.scoped_organizations
        if (
            key.scopes
            and "*" not in key.scopes
            and not any(s in ("project:read", "project:write") for s in key.scopes)
        ):
            found.add(_scope_problem("project:read", "it cannot read projects or their API keys"))
    organizations = user.organizations if user is not None else ()
    names = {org.id: org.name for org in organizations}
    if scoped_orgs:
        found.organizations = [names.get(org_id, org_id) for org_id in scoped_orgs]
    # Organisations that refuse members' keys refuse this one on every project they own.
    for org in organizations:
        covered = not scoped_orgs or org.id in scoped_orgs
        if covered and not org.members_can_use_personal_api_keys and not org.is_admin:
            found.add_forbidden(
                org.name,
                _forbidden_problem(
                    f"Organization '{org.name}' does not allow using personal API keys: this key "
                    "is refused on its projects.",
                    "warning",
                ),
            )
    targets: list[int | str] = list(scoped_teams[:MAX_PROJECTS_CHECKED])
    if not targets and user is not None and user.team is not None:
        targets = [user.team.id]
    if not targets and not scoped_teams:
        targets = ["@current"]
    results = await asyncio.gather(
        *(client.project(target) for target in targets), return_exceptions=True
    )
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        if isinstance(result, PermissionDenied):
            _permission_problem(result, found)
            if target != "@current":
                found.projects.append(f"id {target} (no access)")
        elif isinstance(result, PostHogError):
            if target != "@current":
                found.projects.append(f"id {target} ({result.message})")
        elif not isinstance(result, BaseException):
            found.projects.append(_project_label(result))
    found.projects.extend(f"id {team}" for team in scoped_teams[MAX_PROJECTS_CHECKED:])
    if not scoped_teams and found.projects:
        found.notes.append("Not scoped to projects: it reaches every project you can.")


def _permission_problem(error: PermissionDenied, found: _Found) -> None:
    text = error.message
    scope = _SCOPE.search(text)
    if "does not allow using personal API keys" in text:
        named = _ORGANIZATION.search(text)
        found.add_forbidden(named.group(1) if named else text, _forbidden_problem(text))
    elif scope:
        found.add(_scope_problem(scope.group(1), "it cannot read the project"))
    else:
        found.add(Problem(text, error.fix, "warning"))


def _project_label(project: Project) -> str:
    return f"{project.name} (id {project.id})"


def _purpose_problem(kind: KeyKind, purpose: Purpose | None) -> Problem | None:
    if purpose == "api" and kind == "project":
        return Problem(
            "A project API key cannot call PostHog's private API (/api/…): those requests get 401.",
            "Use a personal API key (phx_) with the scopes the job needs, sent as "
            "Authorization: Bearer (create one in phguide step 4).",
        )
    if purpose == "sdk" and kind in ("personal", "oauth-access", "oauth-refresh"):
        return Problem(
            "SDKs take the project API key; a secret key in frontend code can be read by anyone "
            "who opens your site.",
            "Use the project API key (phc_) from Project settings (phguide step 3). If this "
            "secret already shipped in frontend code, roll it.",
        )
    if purpose == "sdk" and kind == "project-secret":
        return Problem(
            "phs_ is the project's secret key for local flag evaluation, not the key SDKs send "
            "events with.",
            "Initialise the SDK with the project API key (phc_); give the phs_ key only to a "
            "server SDK's secret/feature-flags key setting.",
        )
    if purpose == "api" and kind in ("project-secret", "oauth-refresh"):
        return Problem(
            "This key cannot call PostHog's private API.",
            "Use a personal API key (phx_), created in Account settings → Personal API keys.",
        )
    return None


def _not_posthog_problem(classified: Classified) -> Problem:
    if not classified.value:
        return Problem("There is nothing to check.", "Paste the key.")
    what = classified.looks_like or "not a PostHog key"
    if classified.looks_like:
        what = f"This looks like {classified.looks_like}, not a PostHog key"
    else:
        what = "This is not a PostHog key"
    return Problem(
        f"{what}.",
        "Copy the project API key (phc_…) from Project settings, or a personal API key "
        "(phx_…) when you create it in Account settings → Personal API keys.",
    )


async def diagnose_key(
    value: str,
    host: Host,
    clouds: Clouds,
    client_factory: ClientFactory,
    *,
    purpose: Purpose | None = None,
    ask_other_region: bool = False,
) -> Diagnosis:
    """Say what a key is and check it live.

    A project key is checked through `/flags` on the ingestion host; a personal key through
    `users/@me` and `personal_api_keys/@current`, then the projects it can see. When a cloud
    region refuses the key, the other region is asked, and the answer says where it belongs.

    Args:
        value: The key as pasted (quotes, spaces and `NAME=` around it are removed).
        host: The PostHog to ask first.
        clouds: The cloud regions (to find the other one).
        client_factory: Builds a client for a host, with or without a personal key.
        purpose: What the key is meant for, when the user said: `sdk` or `api`.
        ask_other_region: Send a personal key the chosen region refuses to the other cloud
            region too (troubleshooting, which says so first); `check` and `status` do not.

    Returns:
        The diagnosis: never holds the key itself, only its mask.
    """
    classified = classify(value)
    kind = classified.kind
    found = _Found(notes=list(classified.notes))
    token = classified.value
    if classified.bad_text:
        found.valid = False
        found.add(
            Problem(
                f"This key {key_text_problem(token)}: non-ASCII, a control character or a "
                "space inside it. phguide did not send it anywhere.",
                "Copy the key again, exactly as PostHog shows it (a chat app or a word "
                "processor may have changed a character).",
            )
        )
    elif classified.masked_copy:
        found.valid = False
        found.add(
            Problem(
                "This is the masked form PostHog shows in its key list, not the key itself.",
                "PostHog shows a personal key's full value only once, when it is created or "
                "rolled. Create a new key (or roll this one) and copy it then.",
            )
        )
    elif kind == "project" or classified.legacy_project:
        await _check_project_key(token, host, clouds, client_factory, found)
        if classified.legacy_project:
            if found.valid:
                kind = "project"
                found.notes.append("An older project API key, from before PostHog's phc_ prefix.")
            else:
                found.problems.clear()
                found.valid = False
                found.add(_not_posthog_problem(classified))
    elif kind == "personal":
        await _check_personal_key(token, host, clouds, client_factory, found, ask_other_region)
    elif kind == "unknown":
        found.valid = False
        found.add(_not_posthog_problem(classified))
    purpose_problem = _purpose_problem(kind, purpose)
    if purpose_problem is not None:
        found.problems.insert(0, purpose_problem)
    info = _KINDS[kind]
    label = info.label
    if classified.looks_like and kind == "unknown":
        label = f"Not a PostHog key: {classified.looks_like}"
    return Diagnosis(
        kind=kind,
        kind_label=label,
        kind_explanation=info.explanation,
        # PostHog's own mask (nothing more: see `_MASKED_FORM`) is shown as pasted.
        mask=token if classified.masked_copy else mask(token) if token else "(empty)",
        valid=found.valid,
        host=found.host,
        checked=tuple(found.checked),
        user_email=found.user_email,
        key_label=found.key_label,
        scopes=found.scopes,
        projects=tuple(found.projects),
        organizations=tuple(found.organizations),
        last_used=found.last_used,
        notes=tuple(found.notes),
        problems=tuple(found.problems),
        wrong_job=purpose_problem is not None,
    )
