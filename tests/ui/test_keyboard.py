"""Keyboard first: from nothing, Enter, Enter, approve, c; a returning user, c alone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, TabbedContent, Tabs

from phguide.core.hosts import parse_host
from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import RecordingClipboard
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.login import LoginScreen
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.host_picker import HostPicker
from phguide.ui.widgets.login_browser import LoginBrowser
from tests.helpers import SIZE, settle
from tests.ui.rendered import lines

MOBILE = 1002
"""A project that is not the demo user's current one: approving it must select it."""


def recording(services: Services) -> RecordingClipboard:
    system = services.clipboard.system
    assert isinstance(system, RecordingClipboard)
    return system


async def until(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def test_from_nothing_enter_enter_approve_then_c_copies_the_approved_projects_key(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # 1: Key types → Log in
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.focused is app.screen.query_one("#device-start", Button)
        await pilot.press("enter")  # 2: browser approval starts
        panel = app.screen.query_one(DeviceCodePanel)
        await until(pilot, lambda: panel.code is not None, "the one-time code")
        assert panel.code is not None
        demo_server.approve_device(panel.code.user_code, DEMO_EMAIL, MOBILE)  # the browser
        await until(pilot, lambda: app.current_mode == "project-key", "step 3")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.selected_project is not None
        assert session.selected_project.id == MOBILE
        await pilot.press("c")  # 3: the key on the clipboard
        await settle(pilot)
        assert recording(services).copies[-1] == demo_server.data.projects[MOBILE].api_token


async def test_enter_on_log_in_keeps_the_host_given(
    services: Services, demo_server: DemoServer
) -> None:
    """A --host URL stays: Enter starts approval there, it never switches to US Cloud."""
    services.host = parse_host(demo_server.url)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        panel = app.screen.query_one(DeviceCodePanel)
        await until(pilot, lambda: panel.code is not None, "the one-time code")
        picker = app.screen.query_one(HostPicker)
        assert picker.host is not None and picker.host.app_url == demo_server.url
        assert not picker.host.is_cloud
        await pilot.press("escape")
        await settle(pilot)


async def test_the_footer_offers_enter_while_the_start_button_has_the_focus(
    services: Services,
) -> None:
    """Log in opens on Start browser approval: the footer says what Enter does there."""
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Button) and app.focused.id == "device-start"
        enter = app.active_bindings["enter"].binding
        assert enter.show and enter.description == "Browser approval"


@pytest.mark.parametrize(
    ("way", "field"), [("way-password", "login-email"), ("way-key", "pasted-key")]
)
async def test_enter_on_the_tabs_goes_into_the_way_chosen(
    services: Services, demo_server: DemoServer, way: str, field: str
) -> None:
    """With another way than browser approval chosen on the tabs, Enter opens its form and
    starts no approval (the footer says so)."""
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#login-ways", TabbedContent).query_one(Tabs).focus()
        await pilot.press(*["right"] * ["way-device", "way-password", "way-key"].index(way))
        assert app.screen.query_one("#login-ways", TabbedContent).active == way
        enter = app.active_bindings["enter"].binding
        assert enter.show and enter.description == "Go to the form"
        await pilot.press("enter")
        assert app.focused is not None and app.focused.id == field
        assert not app.screen.query_one(LoginBrowser).device_shown
        assert not [path for _, path in demo_server.requests_log if "device-code" in path]

    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#login-ways").active = "way-password"  # type: ignore[attr-defined]
        await pilot.pause()
        screen.query_one("#login-email", Input).value = DEMO_EMAIL
        password = screen.query_one("#login-password", Input)
        password.value = DEMO_PASSWORD
        password.focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.current_mode == "project-key", "step 3")
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert app.current_mode == "log-in"
        assert not isinstance(app.focused, Input)
        await pilot.press("4")
        await pilot.pause()
        assert app.current_mode == "personal-keys"


async def test_returning_user_opens_signed_in_on_step_3_and_c_copies(
    services: Services, demo_server: DemoServer
) -> None:
    assert services.host is not None
    value = demo_server.issue_key(DEMO_EMAIL, "Laptop", ("*",))
    result = services.save_personal_key(services.host, DEMO_EMAIL, Secret(value), label="Laptop")
    assert result.ok
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.current_mode == "project-key", "step 3")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.method == "keyring"
        # Which key, and how to change it.
        assert "keyring" in app.status and Secret(value).masked in app.status
        assert "2 Log in" in app.status
        await pilot.press("c")  # the only key
        await settle(pilot)
        web = demo_server.data.projects[1001]
        assert recording(services).copies[-1] == web.api_token
        await pilot.press("1")  # step 1 stays one key away
        await pilot.pause()
        assert app.current_mode == "key-types"


async def test_a_key_in_the_environment_signs_in_at_launch(
    services: Services, demo_server: DemoServer
) -> None:
    services.env_key = Secret(demo_server.issue_key(DEMO_EMAIL, "CI", ("*",)))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.current_mode == "project-key", "step 3")
        assert "POSTHOG_PERSONAL_API_KEY" in app.status


async def test_a_saved_key_that_no_longer_works_leaves_step_1(
    services: Services, demo_server: DemoServer
) -> None:
    assert services.host is not None
    services.save_personal_key(services.host, DEMO_EMAIL, Secret("phx_" + "Revoked9" * 5))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "key-types" and app.state.session is None


async def test_the_footer_says_what_enter_does_in_every_field(services: Services) -> None:
    """A field's Enter is hidden in Textual's footer: each of phguide's says what it does."""
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        expected = {
            "#login-email": ("way-password", "Next field"),
            "#login-password": ("way-password", "Sign in"),
            "#pasted-key": ("way-key", "Check key"),
        }
        for selector, (way, words) in expected.items():
            app.screen.query_one("#login-ways", TabbedContent).active = way
            await settle(pilot)
            app.screen.query_one(selector, Input).focus()
            await pilot.pause()
            enter = app.screen.active_bindings["enter"].binding
            assert (enter.show, enter.description) == (True, words), selector
        app.set_focus(None)
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.focused, Input) and app.focused.id == "key-input"
        enter = app.screen.active_bindings["enter"].binding
        assert (enter.show, enter.description) == (True, "Check key")


async def test_enter_on_a_signed_out_step_goes_to_log_in(services: Services) -> None:
    """Steps 3, 4 and 5 signed out: the footer offers ⏎ Log in, and Enter does it."""
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        for step in ("project-key", "personal-keys", "usage"):
            app.action_go(step)
            await settle(pilot)
            app.screen.set_focus(None)
            await pilot.pause()
            footer = lines(app.export_screenshot(), SIZE)[-1]
            assert "⏎ Log in" in footer, (step, footer)
            await pilot.press("enter")
            await until(pilot, lambda: app.current_mode == "log-in", f"Log in from {step}")


async def test_enter_signed_in_with_a_key_does_not_leave_step_3(
    services: Services, demo_server: DemoServer
) -> None:
    """Signed in with a key, step 3 still offers l Log in (for a password sign-in), not Enter."""
    services.env_key = Secret(demo_server.issue_key(DEMO_EMAIL, "Enter stays", ("*",)))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.current_mode == "project-key", "step 3")
        await settle(pilot)
        app.screen.set_focus(None)
        await pilot.pause()
        footer = lines(app.export_screenshot(), SIZE)[-1]
        assert "l Log in" in footer and "⏎ Log in" not in footer, footer
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "project-key"
        await pilot.press("l")
        await until(pilot, lambda: app.current_mode == "log-in", "Log in by l")
