"""A walkthrough with Textual's debug log on, run as its own process (Textual reads TEXTUAL_LOG
once, on import): `python -m tests.security.log_walk SECRETS.json` with TEXTUAL_LOG set.

Types a password and a TOTP code key by key, creates a personal key, copies it and saves it to
the keyring, then pastes another personal key on the log-in step; every secret it used is
written to SECRETS.json for the test to look for in the log.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import phguide.ui  # noqa: F401  (before Textual: it sets up the debug log Textual will read)
from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.demo import DemoServer, demo_data
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD, TOTP_EMAIL
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.second_factor import SecondFactorDialog
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from tests.helpers import SIZE, paste, settle, wait_for


async def walk(server: DemoServer) -> dict[str, str]:
    """The walkthrough; returns the secrets it typed, pasted or was given."""
    from textual.widgets import Input, Static, TabbedContent

    host = with_region(parse_host(server.url), "us")
    services = Services(
        store=MemoryStore(),
        clipboard=Clipboard(RecordingClipboard(), clear_after=45.0),
        clouds=Clouds(us=host, eu=host),
        host=host,
        open_url=lambda url: True,
    )
    pasted = server.issue_key(DEMO_EMAIL, "Pasted in the walk", ["*"])
    secrets = {"password": DEMO_PASSWORD, "pasted key": pasted}
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        login = app.screen
        login.query_one("#login-ways", TabbedContent).active = "way-password"
        await pilot.pause()
        login.query_one("#login-email", Input).focus()
        await pilot.press(*TOTP_EMAIL)
        login.query_one("#login-password", Input).focus()
        await pilot.press(*DEMO_PASSWORD, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SecondFactorDialog), "the code")
        await pilot.pause()
        code = secrets["TOTP code"] = server.current_totp(TOTP_EMAIL)
        await pilot.press(*code, "enter")
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        await settle(pilot)

        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonalKeysScreen), "step 4")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Log walk", "ctrl+s")
        await wait_for(pilot, lambda: app.state.fresh_keys, "the new key")
        secrets["created key"] = app.state.fresh_keys[-1].value.reveal()
        await settle(pilot)
        panel = app.screen.query_one(FreshKeyPanel)
        await pilot.press("v")  # revealed on screen: the log must still not have it
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.state.fresh_keys[-1].saved, "the save")
        assert panel.fresh is not None and panel.fresh.value.reveal() == secrets["created key"]

        await pilot.press("2")
        await wait_for(pilot, lambda: app.current_mode == "log-in", "step 2")
        login = app.screen
        login.query_one("#login-ways", TabbedContent).active = "way-key"
        await pilot.pause()
        login.query_one("#pasted-key", Input).focus()
        await paste(pilot, pasted)
        await pilot.press("enter")
        await settle(pilot)
        result = str(login.query_one("#key-result-text", Static).render())
        assert "belongs to" in result, result
        await pilot.press("s")
        await settle(pilot)
    return secrets


def main() -> None:
    server = DemoServer(demo_data()).start()
    try:
        secrets = asyncio.run(walk(server))
    finally:
        server.stop()
    Path(sys.argv[1]).write_text(json.dumps(secrets))


if __name__ == "__main__":
    main()
