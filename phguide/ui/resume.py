"""A returning user: sign in with the key phguide holds for the host, as the app starts.

POSTHOG_PERSONAL_API_KEY first (the user set it for this), else the host's active key in the
keyring. When that key's last sign-in showed a project key, the settings remember it (it is
public) and step 3 shows it in the first frame, while `/api/users/@me/` checks the key.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from phguide.core.state import Resuming
from phguide.core.text import clean
from phguide.ui.steps import step_by_id

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import User
    from phguide.core.hosts import Host
    from phguide.core.secret import Secret
    from phguide.core.state import AppState, AuthMethod, Session
    from phguide.services import Services
    from phguide.system.config import HeldKey

LANDING = "project-key"
"""Where a returning user lands: the project key step."""


@dataclass(frozen=True)
class Resumed:
    """PostHog took the held key: the session, and the held key it came from (None: the
    environment's key)."""

    session: Session
    held: HeldKey | None


@dataclass(frozen=True)
class NotResumed:
    """The held key did not sign in: what happened and what to do."""

    message: str
    fix: str


def remembered(services: Services, host: Host | None) -> Resuming | None:
    """The project key to show first: the one the host's active key showed last, if any.

    Only the settings file is read (no keyring, no request): it runs before the first frame.
    The environment's key wins over the keyring's, and phguide remembers nothing for it.
    """
    if host is None or services.env_key is not None:
        return None
    held = services.accounts.active(host)
    if held is None or held.project is None:
        return None
    return Resuming(host, held.email, held.project)


async def resume(services: Services, host: Host) -> Resumed | NotResumed | None:
    """Sign in with the key held for `host`; None when phguide holds none there."""
    # One thread reads the key and builds the client (keyring, httpx and the TLS settings
    # load there, the CA bundle outside the interpreter lock), so the event loop stays free
    # to paint the first frame meanwhile.
    try:
        found = await asyncio.to_thread(_open, services, host)
    except Exception:  # the worker's boundary: a broken keyring backend, say
        return NotResumed(
            "Something unexpected went wrong while reading your saved key.",
            "Press l to log in.",
        )
    if found is None or isinstance(found, NotResumed):
        return found
    key, method, client, held = found
    # The project key step's code loads while the request is on the wire, not after it.
    landing = step_by_id(LANDING)
    prefetch = asyncio.create_task(asyncio.to_thread(importlib.import_module, landing.module))
    from phguide.api.errors import PostHogError

    try:
        user = await client.me()
    except PostHogError as error:  # revoked, offline, the other region
        await client.aclose()
        whose = f" for {clean(held.email)}" if held is not None else ""
        return NotResumed(
            f"Your saved key{whose} did not sign you in.",
            " ".join(part for part in (error.message, error.fix, "Press l to log in.") if part),
        )
    except Exception:  # the worker's boundary: never a traceback
        await client.aclose()
        return NotResumed(
            "Something unexpected went wrong while checking your saved key.",
            "Press l to log in again.",
        )
    finally:
        with contextlib.suppress(Exception):  # a failed import fails again, visibly, later
            await prefetch
    from phguide.core.state import Session

    session = Session(host, client, method, user=user, personal_key=key, selected_project=user.team)
    return Resumed(session, held)


def remember(services: Services, held: HeldKey, user: User | None) -> None:
    """Note the project key this sign-in shows, for the next start (blocking: a thread).

    A sign-in that shows none (no current project, or one the settings file could not keep)
    forgets last time's: the next start must not show a key this account no longer uses.
    """
    from phguide.system.config import ProjectMemo

    team = user.team if user is not None else None
    memo = None
    if team is not None:
        memo = ProjectMemo.from_dict(
            {"id": team.id, "name": team.name, "api_token": team.api_token}
        )
    services.accounts.remember_project(held, memo)


def remember_session(services: Services, state: AppState) -> None:
    """Note the account's current project key (what the next check of the host's active key
    will show) when that key is the signed-in user's, as the app quits: the next start shows
    it in its first frame.

    A returning sign-in notes it too (`remember`), but a key saved in the session (approved
    in the browser, pasted, made at step 4) had none, so the first start after it showed none.
    """
    session = state.session
    if session is None or session.user is None:
        return
    held = services.accounts.active(session.host)
    if held is not None and state.signed_in_as(held):
        remember(services, held, session.user)


def _open(
    services: Services, host: Host
) -> tuple[Secret, AuthMethod, PostHogClient, HeldKey | None] | NotResumed | None:
    """The key to resume with and a client holding it (a thread: keyring calls can block)."""
    held = None
    method: AuthMethod
    if services.env_key is not None:
        key, method = services.env_key, "environment"
    else:
        accounts = services.accounts
        held = accounts.active(host)
        if held is None:
            return None
        value, result = accounts.read(held)
        if value is None or not result.ok:
            return NotResumed(
                f"phguide could not read your saved key for {clean(held.email)} from the keyring.",
                f"{result.message} Press l to log in.".strip(),
            )
        key, method = value, "keyring"
    client = services.client_factory(host, key)
    client.load_network()  # here, not on the event loop as the request starts
    return key, method, client, held
