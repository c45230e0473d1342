"""The palette's "Switch account": one command per key phguide holds that is not active yet."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from phguide.core.hosts import HostError, parse_host
from phguide.core.sources import as_cloud
from phguide.ui.safe import escape

if TYPE_CHECKING:
    from phguide.core.accounts import HeldKey
    from phguide.ui.app import PhGuideApp

__all__ = ["account_commands", "describe"]


def _host_label(app: PhGuideApp, app_url: str) -> str:
    with contextlib.suppress(HostError):
        return as_cloud(parse_host(app_url, app.services.clouds), app.services.clouds).label
    return app_url


def describe(app: PhGuideApp, held: HeldKey) -> str:
    """A held key in words: its email, label and mask, and its host."""
    label = f" “{held.label}”" if held.label else ""
    mask = f" ({held.mask})" if held.mask else ""
    return f"{held.email}{label}{mask} on {_host_label(app, held.host)}"


def account_commands(app: PhGuideApp) -> Iterable[SystemCommand]:
    """Commands that make another held key active (the settings file only: no keyring call).

    The palette reads titles as markup, and emails and labels come from PostHog: escaped.
    """
    accounts = app.services.accounts
    for held in accounts.held():
        active = accounts.active(held.host)
        if active == held:
            continue
        now = "" if active is None else f" (now: {describe(app, active)})"
        yield SystemCommand(
            escape(f"Switch account: {held.email} on {_host_label(app, held.host)}"),
            escape(f"Make {describe(app, held)} the active key{now}"),
            partial(_switch, app, held),
        )


def _switch(app: PhGuideApp, held: HeldKey) -> None:
    def switch() -> None:
        # A settings write: off the event loop, like every file and keyring call.
        try:
            now = app.services.accounts.set_active(held.host, held.key_id)
        except (KeyError, OSError) as error:
            message = f"Could not switch account: {error}"
        else:
            message = (
                f"Active key: {describe(app, now)}. Log in (step 2) signs in with it (k); "
                "phguide token and phguide run use it."
            )
        app.call_from_thread(setattr, app, "status", message)
        app.call_from_thread(_offer_on_log_in, app)

    app.run_worker(switch, thread=True, group="switch-account", exit_on_error=False)


def _offer_on_log_in(app: PhGuideApp) -> None:
    """On the Log in step, offer the key now active (the saved-key box looks again)."""
    from phguide.ui.widgets.login_saved import LoginSaved

    for saved in app.screen.query(LoginSaved):
        saved.refresh_saved()
