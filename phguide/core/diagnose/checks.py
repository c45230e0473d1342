"""The live checks of a key: a project key through /flags, a personal key through the API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from phguide.api.errors import (
    NotAuthenticated,
    PermissionDenied,
    PostHogError,
    ServerError,
    TransportError,
)
from phguide.core.diagnose.classify import (
    KEY_CHARS,
    PERSONAL_KEY_LENGTH,
    PROJECT_KEY_LENGTH,
)
from phguide.core.diagnose.verdict import Found, Problem
from phguide.core.hosts import Clouds, Host
from phguide.core.scopes import missing
from phguide.core.secret import Secret
from phguide.core.visibility import what_can_see

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.key_kinds import KeyKind
    from phguide.api.models import FlagsCheck, PersonalApiKey, Project, User
    from phguide.core.diagnose.verdict import Severity

ClientFactory = Callable[[Host, Secret | None], "PostHogClient"]


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
    expected = {
        "project": PROJECT_KEY_LENGTH,
        "personal": PERSONAL_KEY_LENGTH,
        "project-secret": PERSONAL_KEY_LENGTH,
    }.get(kind)
    if KEY_CHARS.fullmatch(value) is None:
        return " It contains characters a PostHog key never has: copy it again."
    if expected is not None and len(value) < expected:
        return (
            f" It is {len(value)} characters long where such keys have {expected}: it looks cut "
            "short, so copy it again whole."
        )
    return ""


async def _flags(factory: ClientFactory, host: Host, token: str) -> FlagsCheck:
    async with factory(host, None) as client:
        return await client.check_project_key(token)


async def check_project_key(
    token: str, host: Host, clouds: Clouds, factory: ClientFactory, found: Found
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
            # PostHog's detail is a sentence: its own full stop goes, the line's closes it.
            + (f" ({check.detail.rstrip('. ')})." if check.detail else "."),
            "Copy it again from Project settings (phguide step 3). If an admin reset the "
            "project's key, every SDK needs the new one." + _truncation_hint(token, "project"),
        )
    )


def _project_check_notes(check: FlagsCheck, found: Found) -> None:
    if check.status == 402:
        found.add(
            Problem(
                "The project has reached its billing limit: PostHog drops new events.",
                "Raise the billing limit in the organization's billing settings.",
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


async def check_personal_key(
    value: str,
    host: Host,
    clouds: Clouds,
    factory: ClientFactory,
    found: Found,
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
        "It was deleted or rolled (PostHog rolls keys it finds leaked on GitHub, and emails "
        "the owner), or copied incompletely. Create a new key in Account settings → Personal "
        "API keys (phguide step 4), or roll this one, and copy it when it is shown."
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
        'Ask an admin of that organization to turn on "Members can use personal API keys" '
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


MAX_PROJECTS_NAMED: Final = 10
"""Projects named in a diagnosis; the rest are counted."""


def _project_label(project: Project) -> str:
    return f"{project.name} (id {project.id})"


def _key_facts(key: PersonalApiKey | BaseException, found: Found) -> PersonalApiKey | None:
    if isinstance(key, PostHogError):
        found.scopes = None
        found.notes.append(f"Its scopes are unknown: {key.message}")
        return None
    if isinstance(key, BaseException):
        return None
    found.key_label = key.label
    found.scopes = key.scopes
    found.last_used = key.last_used_at
    if not key.scopes:
        found.add(
            Problem(
                "This key has no scopes, so it has no access: PostHog reads no scopes as no "
                "access (since March 2026).",
                "Give it the scopes its job needs in PostHog's personal API key settings, or "
                "create a key from a preset (phguide step 4).",
            )
        )
    elif "project:read" in missing(key.scopes):
        found.add(_scope_problem("project:read", "it cannot read projects or their API keys"))
    return key


async def _describe_personal_key(
    client: PostHogClient,
    me: User | BaseException,
    key: PersonalApiKey | BaseException,
    found: Found,
) -> None:
    user: User | None = None
    if isinstance(me, PermissionDenied):
        # A 403 on @me from a key the server accepted: valid, without user:read.
        scope = me.missing_scope or "user:read"
        found.add(_scope_problem(scope, "phguide cannot tell whose key it is"))
    elif isinstance(me, PostHogError):
        found.add(_error_problem(me, client.host))
    elif not isinstance(me, BaseException):
        user = me
        found.user_email = me.email
    described = _key_facts(key, found)
    if described is not None and not described.scopes:
        return  # no access: every further call would be refused
    scoped_orgs = described.scoped_organizations if described is not None else ()
    organizations = user.organizations if user is not None else ()
    names = {org.id: org.name for org in organizations}
    if scoped_orgs:
        found.organizations = [names.get(org_id, org_id) for org_id in scoped_orgs]
    forbidding = [
        org
        for org in organizations
        if (not scoped_orgs or org.id in scoped_orgs)
        and not org.members_can_use_personal_api_keys
        and not org.is_admin
    ]
    try:
        seen = await what_can_see(client, user=user)
    except PostHogError as error:
        found.notes.append(f"Its projects are unknown: {error.message}")
        return
    projects = seen.projects
    found.projects = [_project_label(project) for project in projects[:MAX_PROJECTS_NAMED]]
    if len(projects) > MAX_PROJECTS_NAMED:
        found.projects.append(f"and {len(projects) - MAX_PROJECTS_NAMED} more")
    refused = [f for f in seen.failures if isinstance(f.error, PermissionDenied)]
    found.projects.extend(f"id {f.what.removeprefix('project ')} (no access)" for f in refused)
    # A key whose every project is refused, by an organization that bans members' keys, is
    # refused because of that ban: an error, not a warning.
    banned = bool(refused) and not projects
    for org in forbidding:
        found.add_forbidden(
            org.name,
            _forbidden_problem(
                f"Organization '{org.name}' does not allow using personal API keys: this key "
                "is refused on its projects.",
                "error" if banned else "warning",
            ),
        )
    for failure in refused:
        refusal = failure.error
        named = refusal.missing_scope if isinstance(refusal, PermissionDenied) else None
        if named is not None:
            found.add(_scope_problem(named, "it cannot read the project"))
        elif not forbidding:
            found.add(Problem(failure.reason, failure.error.fix, "warning"))
    for listing in seen.organizations:
        if listing.error and listing.organization.name not in {o.name for o in forbidding}:
            found.add(Problem(f"{listing.organization.name}: {listing.error}", "", "warning"))
    if not seen.scoped and projects:
        found.notes.append("Not scoped to projects: it reaches every project you can.")


async def check_secret_key(
    value: str,
    host: Host,
    factory: ClientFactory,
    found: Found,
    project_token: str | None,
) -> None:
    """A project secret key (`phs_`) through local evaluation, as a server SDK uses it.

    A 401 comes for a bad key and for a wrong project token alike: asking again without the
    token (a secret key names its own project) says which input is wrong.
    """
    found.checked.append(host.label)
    try:
        async with factory(host, Secret(value)) as client:
            first = await client.local_evaluation(project_token)
            alone = None
            if not first.valid and project_token and first.status in (400, 401, 403):
                alone = await client.local_evaluation()
    except PostHogError as error:
        found.add(_error_problem(error, host))
        return
    if first.valid:
        found.valid, found.host = True, host
        flags = "1 feature flag" if first.flag_count == 1 else f"{first.flag_count} feature flags"
        found.notes.append(f"Local evaluation accepted it and sent {flags}.")
        return
    if first.status == 403 or (alone is not None and alone.status == 403):
        found.valid, found.host = True, host
        found.add(_scope_problem("feature_flag:read", "it cannot fetch flag definitions"))
        return
    if alone is not None and alone.valid:
        found.valid, found.host, found.wrong_input = True, host, "project-token"
        found.add(
            Problem(
                "The secret key works, but the project token given with it belongs to another "
                "project than the key's (or to none).",
                "Use the project token (phc_) of the key's own project, from Project settings "
                "(phguide step 3), or create a secret key in the project the token belongs to.",
            )
        )
        return
    if first.status == 400 and project_token is None:
        found.notes.append(
            "This server wants the project token with the key: give it to check the pair."
        )
        return
    found.valid = False
    found.wrong_input = "secret-key"
    found.add(
        Problem(
            f"{host.label} does not accept this project secret API key.",
            "It was deleted or rolled (PostHog rolls secret keys it finds leaked on GitHub, "
            "and emails the owner), or copied incompletely. Roll it or create a new one in "
            "Project settings → Secret API keys, and copy it when it is shown."
            + _truncation_hint(value, "project-secret"),
        )
    )
