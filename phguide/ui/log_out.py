"""The palette's "Log out": forget every key and sign-in phguide stored for the host, and end
the session there (as `phguide logout` does, asked first)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from phguide.ui import messages
from phguide.ui.safe import escape

if TYPE_CHECKING:
    from phguide.core.accounts import Accounts
    from phguide.core.hosts import Host
    from phguide.system.credentials import StoreResult
    from phguide.ui.app import PhGuideApp

__all__ = ["log_out_commands"]


def _host(app: PhGuideApp) -> Host | None:
    """The host the user is signed in to, else the one phguide started with."""
    session = app.state.session
    return session.host if session is not None else app.services.host


def log_out_commands(app: PhGuideApp) -> Iterable[SystemCommand]:
    """ "Log out of <host>", while signed in there or holding a key for it (no keyring call)."""
    host = _host(app)
    if host is None:
        return
    held = len(app.services.accounts.held(host))
    if app.state.session is None and not held:
        return
    yield SystemCommand(
        escape(f"Log out of {host.label}"),
        escape(
            f"Forget the {_keys(held)} and the sign-in phguide stored for {host.app_url}, "
            "and end this session"
        ),
        partial(_ask, app, host, held),
    )


def _keys(count: int) -> str:
    return "1 personal API key" if count == 1 else f"{count} personal API keys"


def _ask(app: PhGuideApp, host: Host, held: int) -> None:
    # Here, not at the top: the palette lists this command as it opens, and asked seldom.
    from phguide.ui.dialogs.confirm import ConfirmDialog

    dialog = ConfirmDialog(
        f"Log out of {host.label}?",
        f"phguide removes the {_keys(held)} and the sign-in it stored for {host.app_url} from "
        f"your keyring ({app.services.store.name}) and its settings, and ends this session. "
        "The keys themselves still work: delete them in PostHog if you no longer need them. "
        "A key kept only in the keyring is gone from this machine.",
        yes="Log out",
        no="Cancel",
        danger=True,
    )

    def answered(yes: bool | None) -> None:
        if yes:
            app.run_worker(
                _log_out(app, host, held), group="log-out", exclusive=True, exit_on_error=False
            )

    app.push_screen(dialog, answered)


def _forget(accounts: Accounts, host: Host) -> tuple[StoreResult, set[str]]:
    """Forget the host (blocking), and the ids of the keys still held on any host."""
    result = accounts.forget_host(host)
    return result, {key.key_id for key in accounts.held()}


async def _log_out(app: PhGuideApp, host: Host, held: int) -> None:
    result, still_held = await asyncio.to_thread(_forget, app.services.accounts, host)
    if not result.ok:
        app.status = f"Could not log out of {host.label}: {result.message} {result.fix}".strip()
        return
    said = f"Logged out of {host.label}: forgot the {_keys(held)} and the sign-in stored there."
    # A returning user's sign-in under way read the key before it was forgotten: it must not
    # sign in with it now.
    app.workers.cancel_group(app, "resume")
    resuming = app.state.resuming
    if resuming is not None and resuming.host.app_url == host.app_url:
        # Last time's project key on step 3 came with a sign-in that is forgotten now.
        app.state.resuming = None
        app.refresh_step("project-key")
    lost = app.state.keyring_forgot(still_held)
    if lost:
        # A new key still on screen was safe only in the keyring: the guards ask again.
        _refresh_panels(app)
        labels = ", ".join(f"“{key.label}”" for key in lost)
        said += f" The new key {labels} was kept only there: save or store it again."
    if app.services.env_key is not None:
        said += f" {app.services.env_key_variable} is still set: unset it to stop using it."
    session = app.state.session
    if session is None or session.host.app_url != host.app_url:
        app.status = said
        return
    with contextlib.suppress(Exception):  # best effort: the server's session expires anyway
        await session.client.logout()
    app.post_message(messages.SignedOut(said))


def _refresh_panels(app: PhGuideApp) -> None:
    """Every fresh-key panel, on every step shown so far, says again where its key is kept."""
    from phguide.ui.steps import STEPS
    from phguide.ui.widgets.fresh_key import FreshKeyPanel

    for step in STEPS:
        try:
            screens = app.get_screen_stack(step.id)
        except KeyError:  # a step never shown has no panel
            continue
        for screen in screens:
            for panel in screen.query(FreshKeyPanel):
                panel.refresh_state()
