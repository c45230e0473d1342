"""Status messages belong to the state they describe (a step, a host) and go when it changes."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Button, Input, RadioButton, TabbedContent

from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD
from phguide.services import Services
from phguide.system.clipboard import RecordingClipboard
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.create_key import CreateKeyDialog
from phguide.ui.screens.login import LoginScreen
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.host_picker import HostPicker
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import password_session, sign_in


def login(app: PhGuideApp) -> LoginScreen:
    screen = app.get_screen_stack("log-in")[0]
    assert isinstance(screen, LoginScreen)
    return screen


async def cancel_browser_approval(app: PhGuideApp, pilot: Pilot[None]) -> None:
    screen = login(app)
    screen.query_one("#device-start", Button).focus()
    await pilot.press("enter")
    panel = screen.query_one(DeviceCodePanel)
    await wait_for(pilot, lambda: panel.code is not None, "the one-time code")
    await pilot.press("escape")
    await settle(pilot)
    assert app.status == "Browser approval cancelled."


async def test_a_cancelled_approval_goes_when_the_step_changes(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.current_mode == "log-in", "Log in")
        await cancel_browser_approval(app, pilot)
        for step in ("4", "5"):
            await pilot.press(step)
            await settle(pilot)
            assert app.status == "", f"step {step} shows {app.status!r}"


async def test_news_of_a_step_stays_on_that_step(services: Services) -> None:
    # Only a change of step clears: a dialog coming and going on the same step does not.
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await cancel_browser_approval(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.press("escape")
        await settle(pilot)
        assert app.status == "Browser approval cancelled."


async def test_news_of_one_host_goes_when_the_host_changes(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        screen = login(app)
        picker = screen.query_one(HostPicker)
        picker.select(services.clouds.eu)
        await settle(pilot)
        # The US account signs in at EU Cloud: an error of EU Cloud's, and the offer of US.
        screen.query_one("#login-ways", TabbedContent).active = "way-password"
        await pilot.pause()
        screen.query_one("#login-email", Input).value = DEMO_EMAIL
        password = screen.query_one("#login-password", Input)
        password.value = DEMO_PASSWORD
        password.focus()
        await pilot.press("enter")
        await settle(pilot)
        box = screen.query_one(ProblemBox)
        assert "US Cloud" in box.text
        picker.query_one("#host-self-hosted", RadioButton).value = True
        await settle(pilot)
        assert picker.host is None
        assert box.text == ""
        assert screen.other_host is None  # ctrl+r no longer offers US Cloud


async def test_a_cancelled_attempt_goes_when_the_host_changes(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await cancel_browser_approval(app, pilot)
        login(app).query_one(HostPicker).select(services.clouds.eu)
        await settle(pilot)
        assert app.status == ""


async def test_the_clipboard_countdown_stays_on_every_step(services: Services) -> None:
    # The clipboard is the same on every step: its countdown is news on all of them.
    app = PhGuideApp(services, start="usage")
    async with app.run_test(size=SIZE) as pilot:
        app.copy_text(Secret("phx_demo").reveal(), secret=True, what="the key")
        clipboard = services.clipboard.system
        assert isinstance(clipboard, RecordingClipboard)
        await wait_for(pilot, lambda: "cleared in" in app.status, "the countdown")
        await pilot.press("6")
        await settle(pilot)
        assert app.current_mode == "troubleshoot"
        assert app.status.startswith("The key: ")
        assert "cleared in" in app.status


async def test_save_it_now_goes_once_the_new_key_is_safe(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateKeyDialog), "the dialog")
        await pilot.press(*"Stored by hand", "ctrl+s")
        await settle(pilot)
        assert app.status.endswith("save it or copy it now.")
        await pilot.press("v")  # shown, to copy by hand
        await pilot.pause()
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await settle(pilot)
        assert app.state.unsafe_fresh_keys() == []
        assert "save it or copy it now" not in app.status
