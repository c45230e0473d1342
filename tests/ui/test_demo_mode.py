"""`phguide --demo` as built by the factory: its accounts, its stand-in browser, its keyring."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, TabbedContent

from phguide.demo.data import DEMO_EMAIL, SSO_EMAIL
from phguide.factory import DemoClouds, demo_services, start_demo
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.ui import app as app_module
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.create_key import CreateKeyDialog
from phguide.ui.screens.login import LoginScreen
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from tests.helpers import SIZE, settle, wait_for
from tests.ui.rendered import lines
from tests.ui.sessions import password_session, sign_in

NARROW = (80, 24)
MEMORY_NOTE = "The demo keeps keys in memory and forgets them when it exits."


@pytest.fixture
def servers() -> Iterator[DemoClouds]:
    """The demo's two servers, as `phguide --demo` starts them."""
    clouds = start_demo()
    try:
        yield clouds
    finally:
        clouds.stop()


@pytest.fixture
def demo(servers: DemoClouds) -> Iterator[Services]:
    """The demo's services, as `phguide --demo` builds them (no real browser opened)."""
    services = demo_services(servers, Clipboard(RecordingClipboard()))
    services.open_url = lambda url: False
    try:
        yield services
    finally:
        services.close()


def login(app: PhGuideApp) -> LoginScreen:
    screen = app.get_screen_stack("log-in")[0]
    assert isinstance(screen, LoginScreen)
    return screen


async def pick_demo_account(pilot: Pilot[None], app: PhGuideApp, email: str) -> None:
    """Choose a demo account from the list with the keyboard, as a user does."""
    accounts = login(app).query_one("#demo-account-list")
    accounts.focus()
    assert app.services.demo is not None
    emails = [account.email for account in app.services.demo.accounts]
    await pilot.press(*["down"] * emails.index(email), "enter")
    await pilot.pause()
    assert login(app).query_one("#login-email", Input).value == email


async def approve_in_the_demo(pilot: Pilot[None], app: PhGuideApp) -> None:
    """Start browser approval, then approve with the demo's stand-in browser (a)."""
    screen = login(app)
    screen.query_one("#login-ways", TabbedContent).active = "way-device"
    screen.query_one("#device-start", Button).focus()
    await pilot.press("enter")
    panel = screen.query_one(DeviceCodePanel)
    await wait_for(pilot, lambda: panel.code is not None, "the one-time code")
    await pilot.press("a")
    await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
    await settle(pilot)


async def test_the_sso_account_approves_as_itself(demo: Services) -> None:
    app = PhGuideApp(demo, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await pick_demo_account(pilot, app, SSO_EMAIL)
        await approve_in_the_demo(pilot, app)
        session = app.state.session
        assert session is not None and session.user is not None
        assert session.user.email == SSO_EMAIL


async def test_without_a_pick_the_demo_user_approves(demo: Services) -> None:
    app = PhGuideApp(demo, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await approve_in_the_demo(pilot, app)
        session = app.state.session
        assert session is not None and session.user is not None
        assert session.user.email == DEMO_EMAIL


async def test_a_demo_account_fills_a_form_in_view_at_80x24(demo: Services) -> None:
    app = PhGuideApp(demo, start="log-in")
    async with app.run_test(size=NARROW) as pilot:
        await pick_demo_account(pilot, app, SSO_EMAIL)
        await settle(pilot)
        shown = lines(app.export_screenshot(), NARROW)
        for selector in ("#login-email", "#login-password", "#password-submit"):
            where = app.screen.find_widget(login(app).query_one(selector))
            assert where.visible_region == where.region, f"{selector} is cut: {where}"
        email = login(app).query_one("#login-email")
        assert SSO_EMAIL in shown[app.screen.find_widget(email).region.y + 1]


async def test_the_demo_says_its_keyring_forgets(demo: Services) -> None:
    # Browser approval saves the new key in the demo's keyring: the memory, named as such.
    app = PhGuideApp(demo, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await approve_in_the_demo(pilot, app)
        await wait_for(pilot, lambda: "keyring (memory)" in app.status, "the save")
        assert app.status.endswith(MEMORY_NOTE)


async def test_a_saved_fresh_key_in_the_demo_says_its_keyring_forgets(demo: Services) -> None:
    app = PhGuideApp(demo, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(demo))
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateKeyDialog), "the dialog")
        await pilot.press(*"Demo note", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.query_one(FreshKeyPanel).fresh, "the new key")
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.status.startswith("Saved"), "the save")
        assert "keyring (memory)." in app.status
        assert app.status.endswith(MEMORY_NOTE)


class ToastCounting(PhGuideApp):
    """The app, noting every toast it is asked to show."""

    CSS_PATH = str(Path(app_module.__file__).with_name("phguide.tcss"))
    toasts: list[str]

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.toasts = [*getattr(self, "toasts", []), message]
        super().notify(message, *args, **kwargs)


async def test_no_toast_covers_step_3_after_browser_approval(demo: Services) -> None:
    # Step 3 shows "Only this project is listed" where a toast would sit: the news of the
    # saved key goes to the status line instead.
    app = ToastCounting(demo, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await approve_in_the_demo(pilot, app)
        await wait_for(pilot, lambda: "keyring (memory)" in app.status, "the save")
        assert app.current_mode == "project-key"
        assert getattr(app, "toasts", []) == []


async def test_no_toast_covers_step_3_after_a_pasted_key_is_saved(
    demo: Services, servers: DemoClouds
) -> None:
    key = servers.us.issue_key(DEMO_EMAIL, "Pasted", ("*",))
    app = ToastCounting(demo, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        screen = login(app)
        screen.query_one("#login-ways", TabbedContent).active = "way-key"
        await pilot.pause()
        field = screen.query_one("#pasted-key", Input)
        field.value = key
        field.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.check_action("save_pasted_key", ()), "the check")
        await pilot.press("s")
        await wait_for(pilot, lambda: app.current_mode == "project-key", "step 3")
        await wait_for(pilot, lambda: MEMORY_NOTE in app.status, "the save said")
        assert getattr(app, "toasts", []) == []


async def test_a_demo_accounts_wrapped_note_hangs_under_its_text(demo: Services) -> None:
    app = PhGuideApp(demo, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        listing = login(app).query_one("#demo-account-list")
        region = listing.content_region.intersection(app.screen.region)
        rows = lines(app.export_screenshot(), SIZE)
        shown = [rows[y][region.x : region.right].rstrip() for y in range(region.y, region.bottom)]
        notes = [row for row in shown if row.strip() and "@" not in row]
        assert len(notes) > len(demo.demo.accounts if demo.demo else ()), "no note wraps"
        for row in notes:
            assert row.startswith("  ") and row[2] != " ", f"{row!r} is not under its note"
