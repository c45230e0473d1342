"""Say what a pasted key is, whether it works, where, and what to do when it does not.

`classify` reads the text alone, `checks` asks PostHog, `verdict` holds the result as
structured rows that the CLI prints and the troubleshooting screen colours.
"""

from __future__ import annotations

from phguide.core.diagnose.classify import KINDS, Classified, classify, clean_key
from phguide.core.diagnose.verdict import Diagnosis, Found, Problem, Row
from phguide.core.secret import key_text_problem, mask

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    from phguide.api.key_kinds import KeyKind
    from phguide.core.diagnose.checks import ClientFactory
    from phguide.core.diagnose.verdict import RowKind
    from phguide.core.hosts import Clouds, Host

    Purpose: TypeAlias = Literal["sdk", "api"]
    """What the key is for: `sdk` (sending events, flags) or `api` (PostHog's private API)."""

# The live checks (and asyncio with them) load only when a key is sent somewhere: `phguide
# check` answers a non-key without them, and without dataclasses or typing (see `verdict`).

__all__ = [
    "Diagnosis",
    "Problem",
    "Purpose",
    "Row",
    "RowKind",
    "classify",
    "clean_key",
    "diagnose_key",
    "diagnose_offline",
]


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
    project_token: str | None = None,
) -> Diagnosis:
    """Say what a key is and check it live.

    A project key is checked through `/flags` on the ingestion host; a personal key through
    `users/@me` and `personal_api_keys/@current`, then the projects it can see; a project
    secret key through local evaluation. When a cloud
    region refuses the key, the other region is asked, and the answer says where it belongs.

    Args:
        value: The key as pasted (quotes, spaces and `NAME=` around it are removed).
        host: The PostHog to ask first.
        clouds: The cloud regions (to find the other one).
        client_factory: Builds a client for a host, with or without a personal key.
        purpose: What the key is meant for, when the user said: `sdk` or `api`.
        ask_other_region: Send a personal key the chosen region refuses to the other cloud
            region too (troubleshooting, which says so first); `check` and `status` do not.
        project_token: The project token (`phc_`) a secret key (`phs_`) is used with, to
            check the pair as a server SDK's local evaluation does.

    Returns:
        The diagnosis: never holds the key itself, only its mask.
    """
    offline = diagnose_offline(value, purpose=purpose)
    if offline is not None:
        return offline
    from phguide.core.diagnose.checks import (
        check_personal_key,
        check_project_key,
        check_secret_key,
    )

    classified = classify(value)
    kind = classified.kind
    found = Found(notes=list(classified.notes))
    token = classified.value
    if kind == "project" or classified.legacy_project:
        await check_project_key(token, host, clouds, client_factory, found)
        if classified.legacy_project:
            if found.valid:
                kind = "project"
                found.notes.append("An older project API key, from before PostHog's phc_ prefix.")
            else:
                found.problems.clear()
                found.valid = False
                found.add(_not_posthog_problem(classified))
    elif kind == "personal":
        await check_personal_key(token, host, clouds, client_factory, found, ask_other_region)
    elif kind == "project-secret":
        await check_secret_key(token, host, client_factory, found, project_token)
    elif classified.legacy_key:
        # No prefix, yet shaped like a key: a personal key from before phx_ (the server says).
        await check_personal_key(token, host, clouds, client_factory, found, False)
        if found.valid:
            kind = "personal"
            found.notes.append("An older personal API key, from before PostHog's phx_ prefix.")
        else:
            found.problems.clear()
            found.valid = False
            found.add(_not_posthog_problem(classified))
    return _verdict(classified, kind, found, purpose)


def _sent_nowhere(classified: Classified) -> bool:
    """True when the text is answered without a request (bad characters, a masked copy, or no
    PostHog key at all)."""
    if classified.bad_text or classified.masked_copy:
        return True
    if classified.kind in ("project", "personal", "project-secret"):
        return False
    return not classified.legacy_project and not classified.legacy_key


def diagnose_offline(value: str, *, purpose: Purpose | None = None) -> Diagnosis | None:
    """The diagnosis of text that is checked without sending it anywhere, else None.

    Args:
        value: The key as pasted.
        purpose: What the key is meant for, when the user said.

    Returns:
        The diagnosis of text with a character no key has, of PostHog's masked form, or of
        text that is no PostHog key; None when the key must be checked live (`diagnose_key`).
    """
    classified = classify(value)
    if not _sent_nowhere(classified):
        return None
    found = Found(notes=list(classified.notes))
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
    elif classified.kind == "unknown":
        found.valid = False
        found.add(_not_posthog_problem(classified))
    return _verdict(classified, classified.kind, found, purpose)


def _verdict(
    classified: Classified, kind: KeyKind, found: Found, purpose: Purpose | None
) -> Diagnosis:
    token = classified.value
    purpose_problem = _purpose_problem(kind, purpose)
    if purpose_problem is not None:
        found.problems.insert(0, purpose_problem)
    info = KINDS[kind]
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
        wrong_input=found.wrong_input,
    )
