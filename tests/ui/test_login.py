"""The Log in step, every way in, end to end against the demo server over loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static, TabbedContent

from phguide.core.secret import Secret
from phguide.demo import DemoServer, demo_data
from phguide.demo.data import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EMAIL_CODE_EMAIL,
    EU_EMAIL,
    SSO_EMAIL,
    TOTP_EMAIL,
    UNVERIFIED_EMAIL,
)
from phguide.services import DemoAccount, DemoInfo, Services
from phguide.system.clipboard import RecordingClipboard
from phguide.system.credentials import MemoryStore, StoreResult
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.second_factor import SecondFactorDialog
from phguide.ui.screens.login import LoginScreen, pasted_key_problem
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from phguide.ui.widgets.host_picker import HostPicker
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, in_view, settle, wait_for

WEB_APP = 1001
"""The demo user's first project."""


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """The US demo server, telling device-flow clients to poll every second (not 5)."""
    server = DemoServer(demo_data(), device_interval=1).start()
    try:
        yield server
    finally:
        server.stop()


# -- helpers ----------------------------------------------------------------------------------


def login(app: PhGuideApp) -> LoginScreen:
    """The log-in screen (the current one, or the one kept by its mode)."""
    screen = app.get_screen_stack("log-in")[0]
    assert isinstance(screen, LoginScreen)
    return screen


def text_of(app: PhGuideApp, selector: str) -> str:
    """The plain text a Static on the log-in screen shows."""
    return str(login(app).query_one(selector, Static).render())


def error_text(app: PhGuideApp) -> str:
    """The problem the log-in screen shows."""
    text = login(app).query_one(ProblemBox).text
    assert text, "no problem is shown"
    return text


async def open_way(pilot: Pilot[None], app: PhGuideApp, way: str) -> None:
    login(app).query_one("#login-ways", TabbedContent).active = way
    await pilot.pause()


async def submit_password(pilot: Pilot[None], app: PhGuideApp, email: str, password: str) -> None:
    await open_way(pilot, app, "way-password")
    screen = login(app)
    screen.query_one("#login-email", Input).value = email
    password_input = screen.query_one("#login-password", Input)
    password_input.value = password
    password_input.focus()
    await pilot.press("enter")


def code_dialog_ready(app: PhGuideApp) -> bool:
    """True once the second-factor dialog is up with its field focused."""
    screen = app.screen
    if not isinstance(screen, SecondFactorDialog):
        return False
    # On a busy machine the dialog is on top a moment before its field is mounted.
    field = screen.query("#second-factor-code")
    return bool(field) and app.focused is field.first()


async def enter_code(pilot: Pilot[None], app: PhGuideApp, code: str) -> None:
    await wait_for(pilot, lambda: code_dialog_ready(app), "the code dialog")
    await pilot.press(*code, "enter")


async def start_device_flow(pilot: Pilot[None], app: PhGuideApp) -> DeviceCodePanel:
    screen = login(app)
    screen.query_one("#device-start", Button).focus()
    await pilot.press("enter")
    panel = screen.query_one(DeviceCodePanel)
    await wait_for(pilot, lambda: panel.code is not None, "the one-time code")
    return panel


def posts(server: DemoServer, path: str) -> int:
    """How many POSTs the server received on a path (with or without its trailing slash)."""
    return sum(
        1
        for method, p in server.requests_log
        if method == "POST" and p.rstrip("/") == path.rstrip("/")
    )


# -- email and password -----------------------------------------------------------------------


async def test_password_without_second_factor(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, DEMO_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.method == "password"
        assert session.user is not None and session.user.email == DEMO_EMAIL
        assert session.host == services.clouds.us
        assert app.current_mode == "project-key"
        # Back on Log in, the password is gone from the form; the email stays.
        assert login(app).query_one("#login-password", Input).value == ""
        assert login(app).query_one("#login-email", Input).value == DEMO_EMAIL


async def test_password_input_is_masked(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await open_way(pilot, app, "way-password")
        assert login(app).query_one("#login-password", Input).password


async def test_totp_wrong_then_right_and_remembered(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
        await enter_code(pilot, app, "000000")
        # The wrong code brings the dialog back, saying why.
        await wait_for(
            pilot,
            lambda: code_dialog_ready(app) and app.screen.query_one("#second-factor-error").display,
            "the dialog to come back with an error",
        )
        assert "not valid" in str(app.screen.query_one("#second-factor-error", Static).render())
        await pilot.press(*demo_server.current_totp(TOTP_EMAIL), "enter")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.user is not None
        assert session.user.email == TOTP_EMAIL
    cookies, result = services.store.load_cookies(services.clouds.us.app_url, TOTP_EMAIL)
    assert result.ok
    assert any(name.startswith("remember-cookie_") for name in cookies)


async def test_escape_in_the_code_dialog_cancels_the_sign_in(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
        await wait_for(pilot, lambda: code_dialog_ready(app), "the dialog")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.state.session is None
        assert "cancelled" in app.status


async def test_backup_code(services: Services, demo_server: DemoServer) -> None:
    code = demo_server.backup_codes(TOTP_EMAIL)[0]
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
        await enter_code(pilot, app, code)
        await settle(pilot)
        assert app.state.session is not None
    # A backup code works once: the server has used it up.
    assert code not in demo_server.backup_codes(TOTP_EMAIL)


async def test_second_login_skips_totp_with_saved_cookies(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
        await enter_code(pilot, app, demo_server.current_totp(TOTP_EMAIL))
        await settle(pilot)
        assert app.state.session is not None
        await pilot.press("2")
        await pilot.pause()
        await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        assert not isinstance(app.screen, SecondFactorDialog)
        assert app.current_mode == "project-key"


async def test_emailed_code_with_resend(services: Services, demo_server: DemoServer) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, EMAIL_CODE_EMAIL, DEMO_PASSWORD)
        await wait_for(pilot, lambda: code_dialog_ready(app), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, SecondFactorDialog) and dialog.kind == "email"
        first = demo_server.last_emailed_code(EMAIL_CODE_EMAIL)
        assert first is not None
        # Too soon: PostHog allows one resend a minute, and the dialog says so, as a problem.
        await pilot.press("ctrl+r")
        problem = dialog.query_one(ProblemBox)
        await wait_for(pilot, lambda: "minute" in problem.text, "the too-soon problem")
        demo_server.clock.advance(61)
        await pilot.press("ctrl+r")
        await wait_for(
            pilot,
            lambda: (
                "new code was sent" in str(dialog.query_one("#second-factor-note", Static).render())
            ),
            "the resend",
        )
        assert problem.text == ""
        second = demo_server.last_emailed_code(EMAIL_CODE_EMAIL)
        assert second is not None and second != first
        await pilot.press(*second, "enter")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.user is not None
        assert session.user.email == EMAIL_CODE_EMAIL


async def test_sso_precheck_sends_to_browser_approval(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, SSO_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        assert "Google" in error_text(app)
        screen = login(app)
        assert screen.query_one("#login-ways", TabbedContent).active == "way-device"
        assert app.focused is screen.query_one("#device-start")
        assert app.state.session is None
    # The password never left phguide: only the precheck was sent.
    assert posts(demo_server, "/api/login/precheck") == 1
    assert posts(demo_server, "/api/login") == 0


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (UNVERIFIED_EMAIL, "not verified"),
        (DEMO_EMAIL, "Invalid email or password"),
    ],
)
async def test_account_errors_have_their_own_text(
    services: Services, email: str, expected: str
) -> None:
    password = DEMO_PASSWORD if email == UNVERIFIED_EMAIL else "wrong-password"
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, email, password)
        await settle(pilot)
        assert expected in error_text(app)
        assert app.state.session is None


async def test_lockout_after_failed_sign_ins(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):
            await submit_password(pilot, app, DEMO_EMAIL, "wrong-password")
            await settle(pilot)
        text = error_text(app)
        assert "locked" in text and "10 minutes" in text


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ({"kind": "throttle", "retry_after": 7}, "Wait 7 seconds"),
        ({"kind": "status", "status": 502, "times": None}, "answered 502"),
    ],
)
async def test_throttling_and_proxy_errors(
    services: Services, demo_server: DemoServer, fault: dict[str, object], expected: str
) -> None:
    demo_server.faults.add(path=r"^/api/login/?$", method="POST", **fault)  # type: ignore[arg-type]
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, DEMO_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        text = error_text(app)
        assert expected in text
        assert "<html" not in text.lower()


async def test_wrong_region_offers_the_other_and_succeeds(services: Services) -> None:
    # Eva's account lives in EU Cloud only; US answers "invalid credentials".
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, EU_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        text = error_text(app)
        assert "your account may be in EU Cloud." in text
        assert text.count("EU Cloud") == 1  # said once, not twice
        button = login(app).query_one("#other-region-button", Button)
        assert button.display and app.focused is button
        await pilot.press("ctrl+r")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.host == services.clouds.eu
        assert session.user is not None and session.user.email == EU_EMAIL
        assert login(app).query_one(HostPicker).host == services.clouds.eu


async def test_server_stopped_mid_login_then_app_still_works(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
        code = demo_server.current_totp(TOTP_EMAIL)
        await wait_for(pilot, lambda: code_dialog_ready(app), "the dialog")
        demo_server.stop()
        await pilot.press(*code, "enter")
        await settle(pilot)
        text = error_text(app)
        assert "Traceback" not in text
        assert app.state.session is None
        assert isinstance(app.screen, LoginScreen)
        # Still usable: sign in elsewhere.
        login(app).query_one(HostPicker).select(services.clouds.eu)
        await pilot.pause()
        await submit_password(pilot, app, EU_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        assert app.state.session is not None


async def test_cancel_a_slow_sign_in(services: Services, demo_server: DemoServer) -> None:
    demo_server.faults.add("slow", path=r"^/api/login/?$", method="POST", delay=30)
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, DEMO_EMAIL, DEMO_PASSWORD)
        progress = login(app).query_one("#login-progress")
        await wait_for(
            pilot, lambda: "Signing in" in text_of(app, "#login-progress-text"), "progress"
        )
        assert progress.display
        await pilot.press("escape")
        await settle(pilot)
        assert not progress.display
        assert "cancelled" in app.status
        assert app.state.session is None


# -- browser approval (device flow) -----------------------------------------------------------


async def test_device_flow_approved(
    services: Services, demo_server: DemoServer, opened_urls: list[str]
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        panel = await start_device_flow(pilot, app)
        code = panel.code
        assert code is not None
        assert text_of(app, "#device-user-code") == " ".join(code.user_code)
        await wait_for(pilot, lambda: opened_urls, "the browser")
        assert opened_urls == [code.browser_url]
        assert "Opened in your browser" in text_of(app, "#device-browser-note")
        assert "expires in" in text_of(app, "#device-countdown")
        # The code takes the page: the host cannot change mid-approval.
        assert not login(app).query_one("#login-side").display
        assert not login(app).query_one("#login-intro").display
        clipboard = services.clipboard.system
        assert isinstance(clipboard, RecordingClipboard)
        await pilot.press("c")
        await wait_for(pilot, lambda: clipboard.copies, "the copy")
        assert clipboard.copies == [code.browser_url]
        demo_server.approve_device(code.user_code, DEMO_EMAIL, WEB_APP)
        await settle(pilot)

        session = app.state.session
        assert session is not None and session.method == "device"
        assert session.user is not None and session.user.email == DEMO_EMAIL
        assert session.selected_project is not None and session.selected_project.id == WEB_APP
        key = session.personal_key
        assert key is not None and session.personal_key_label
        # The fresh key is the user's: saved in the keyring, known to the server.
        held = services.accounts.active(services.clouds.us)
        assert held is not None and held.source == "approved" and held.email == DEMO_EMAIL
        stored, _ = services.accounts.read(held)
        assert stored == key
        assert [fresh.saved for fresh in app.state.fresh_keys] == [True]
        assert demo_server.data.find_key(key.reveal()) is not None
        assert app.current_mode == "project-key"
        # Log in has its side column and intro back for the next visit.
        assert login(app).query_one("#login-side").display
        assert login(app).query_one("#login-intro").display


async def test_device_key_kept_on_screen_when_the_keyring_fails(
    services: Services, demo_server: DemoServer
) -> None:
    assert isinstance(services.store, MemoryStore)
    services.store.failure = StoreResult("no-backend", "No keyring here.", "Install one.")
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        panel = await start_device_flow(pilot, app)
        assert panel.code is not None
        demo_server.approve_device(panel.code.user_code, DEMO_EMAIL, WEB_APP)
        await settle(pilot)
        # Not signed in yet: the key PostHog will never show again comes first.
        assert app.state.session is None
        fresh_panel = login(app).query_one(FreshKeyPanel)
        assert fresh_panel.display and fresh_panel.fresh is not None
        value = fresh_panel.fresh.value
        assert "No keyring here." in str(fresh_panel.query_one("#fresh-key-state", Static).render())
        assert value.reveal() not in str(fresh_panel.box.render())
        assert app.state.unsafe_fresh_keys() == [fresh_panel.fresh]
        await pilot.press("x")  # not safe yet: nothing happens
        await pilot.pause()
        assert app.state.session is None
        await pilot.press("c")
        clipboard = services.clipboard.system
        assert isinstance(clipboard, RecordingClipboard)
        await wait_for(pilot, lambda: clipboard.copies, "the copy")
        assert clipboard.copies == [value.reveal()]
        # A copy alone is not safe (the clipboard clears itself): the user says they stored it.
        await wait_for(pilot, lambda: fresh_panel.fresh and fresh_panel.fresh.copied, "copied")
        assert app.state.unsafe_fresh_keys() == [fresh_panel.fresh]
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.state.unsafe_fresh_keys(), "the key to be safe")
        await pilot.press("x")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.personal_key == value
        assert app.current_mode == "project-key"


class _HangingStore(MemoryStore):
    """A keyring whose save hangs until released (a locked Secret Service waiting on a prompt)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def save_key(self, app_url: str, user: str, key_id: str, key: Secret) -> StoreResult:
        self.entered.set()
        self.release.wait(10)
        return super().save_key(app_url, user, key_id, key)


async def test_device_key_stays_on_screen_when_cancelled_while_saving(
    services: Services, demo_server: DemoServer
) -> None:
    store = _HangingStore()
    services.store = store
    app = PhGuideApp(services, start="log-in")
    try:
        async with app.run_test(size=SIZE) as pilot:
            panel = await start_device_flow(pilot, app)
            assert panel.code is not None
            demo_server.approve_device(panel.code.user_code, DEMO_EMAIL, WEB_APP)
            await wait_for(pilot, store.entered.is_set, "the keyring save")
            await pilot.press("escape")  # the user gives up while the keyring hangs
            await wait_for(pilot, lambda: login(app).query_one(FreshKeyPanel).display, "the key")
            fresh_panel = login(app).query_one(FreshKeyPanel)
            assert fresh_panel.fresh is not None
            assert app.state.unsafe_fresh_keys() == [fresh_panel.fresh]
            assert app.state.session is None
    finally:
        store.release.set()


async def test_device_flow_expired(services: Services, demo_server: DemoServer) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await start_device_flow(pilot, app)
        demo_server.clock.advance(601)
        await settle(pilot)
        assert "expired" in error_text(app)
        start = login(app).query_one("#device-start", Button)
        assert start.display and str(start.label) == "Start again"
        assert not login(app).query_one(DeviceCodePanel).display
        assert app.state.session is None


async def test_device_flow_cancelled_without_a_browser(
    services: Services, demo_server: DemoServer
) -> None:
    services.open_url = lambda url: False
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        panel = await start_device_flow(pilot, app)
        await wait_for(
            pilot,
            lambda: "machine with a browser" in text_of(app, "#device-browser-note"),
            "the no-browser note",
        )
        await pilot.press("escape")
        await settle(pilot)
        assert panel.code is None and not panel.display
        assert "cancelled" in app.status
        assert app.state.session is None
        # Nothing keeps polling behind the user's back.
        assert not [w for w in app.workers if w.group == "login" and not w.is_finished]
        # Approving again: the status line no longer says the last approval was cancelled.
        await start_device_flow(pilot, app)
        assert "cancelled" not in app.status


async def test_device_flow_unsupported(services: Services, demo_server: DemoServer) -> None:
    demo_server.faults.add("status", path="/api/cli-auth/device-code", status=404)
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        screen = login(app)
        screen.query_one("#device-start", Button).focus()
        await pilot.press("enter")
        await settle(pilot)
        text = error_text(app)
        assert "does not offer browser approval" in text
        assert "email and password" in text


# -- a personal key ---------------------------------------------------------------------------


async def test_pasted_key_valid_and_saved(services: Services, demo_server: DemoServer) -> None:
    value = demo_server.issue_key(DEMO_EMAIL, "Pasted", ["*"])
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await open_way(pilot, app, "way-key")
        field = login(app).query_one("#pasted-key", Input)
        assert field.password
        field.focus()
        # Pasted from a .env file or a chat, with quotes and spaces around it.
        field.value = f' "{value}" '
        await pilot.press("enter")
        await settle(pilot)
        assert "belongs to Max Hedgehog" in text_of(app, "#key-result-text")
        assert app.state.session is None
        await pilot.press("s")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.method == "pasted"
        assert session.personal_key == Secret(value)
    held = services.accounts.active(services.clouds.us)
    assert held is not None and held.source == "pasted" and held.email == DEMO_EMAIL
    stored, _ = services.accounts.read(held)
    assert stored == Secret(value)


async def test_pasted_key_without_user_read(services: Services, demo_server: DemoServer) -> None:
    value = demo_server.issue_key(DEMO_EMAIL, "Flags only", ["project:read"])
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await open_way(pilot, app, "way-key")
        field = login(app).query_one("#pasted-key", Input)
        field.value = value
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "user:read" in text_of(app, "#key-result-text")
        assert not login(app).query_one("#key-save").display
        await pilot.press("enter")  # Continue is focused
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.user is None and session.method == "pasted"


async def test_pasted_key_invalid_offers_other_region(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await open_way(pilot, app, "way-key")
        field = login(app).query_one("#pasted-key", Input)
        field.value = "phx_" + "x" * 35
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        text = error_text(app)
        assert "not valid" in text and "EU Cloud" in text
        assert app.state.session is None


@pytest.mark.parametrize("size", [(100, 30), (60, 18)])
async def test_a_second_problem_is_scrolled_into_view_whole(
    services: Services, size: tuple[int, int]
) -> None:
    """The problem box shown again, longer (a button now): all of it in sight, not the size
    and place it had the first time."""
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=size) as pilot:
        await open_way(pilot, app, "way-key")
        field = login(app).query_one("#pasted-key", Input)
        for value in ("phc_abcdefghijkl", "phx_" + "x" * 35):  # wrong kind, then not valid
            field.value = value
            field.focus()
            await pilot.press("enter")
            await settle(pilot)
            box = app.screen.query_one(ProblemBox)
            await wait_for(pilot, partial(in_view, box), f"{value} in sight", 3)
            assert box.display
        assert "not valid" in error_text(app)


async def test_pasted_wrong_kind_of_key_is_explained_without_a_request(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await open_way(pilot, app, "way-key")
        field = login(app).query_one("#pasted-key", Input)
        field.focus()
        await pilot.press(*"phc_abcdefghijkl")
        assert "Project API key, the project token" in text_of(app, "#pasted-key-feedback")
        before = len(demo_server.requests_log)
        await pilot.press("enter")
        await settle(pilot)
        assert "Project API key, the project token" in error_text(app)
        assert len(demo_server.requests_log) == before


def test_pasted_key_problems() -> None:
    assert pasted_key_problem("phx_" + "a" * 35) is None
    assert "project secret" in (pasted_key_problem("phs_abcdefghijkl") or "")
    assert "OAuth" in (pasted_key_problem("pha_abcdefghijkl") or "")
    assert "start with phx_" in (pasted_key_problem("sk_live_123") or "")
    assert "too short" in (pasted_key_problem("phx_abc") or "")
    # A personal key from before the phx_ prefix is not refused by its form: PostHog decides.
    assert pasted_key_problem("Q" * 40) is None


async def test_key_from_the_environment(services: Services, demo_server: DemoServer) -> None:
    value = demo_server.issue_key(DEMO_EMAIL, "From env", ["*"])
    services.env_key = Secret(value)
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        assert "POSTHOG_PERSONAL_API_KEY" in text_of(app, "#env-key-note")
        assert value not in text_of(app, "#env-key-note")
        login(app).query_one("#env-key-use", Button).focus()
        await pilot.press("e")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.method == "environment"
        assert session.user is not None and session.user.email == DEMO_EMAIL


# -- the host picker --------------------------------------------------------------------------


async def test_host_picker_validates_a_self_hosted_url(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        picker = login(app).query_one(HostPicker)
        picker.query_one("#host-self-hosted").value = True  # type: ignore[attr-defined]
        await pilot.pause()
        url = picker.query_one("#host-url", Input)
        assert url.display and app.focused is url
        await pilot.press(*"http://posthog.example.com")
        assert picker.host is None
        assert "https" in str(picker.query_one("#host-feedback", Static).render())
        url.value = demo_server.url
        await pilot.pause()
        assert picker.host is not None and picker.host.app_url == demo_server.url
        # A self-hosted address on loopback may use http, and signing in there works.
        await submit_password(pilot, app, DEMO_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        assert app.state.session is not None


async def test_narrow_terminal_stacks_the_columns(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.pause()
        side = login(app).query_one("#login-side")
        main = login(app).query_one("#login-main")
        assert main.region.y > side.region.y
        assert main.region.x == side.region.x


async def test_host_from_posthog_host_is_said(services: Services) -> None:
    services.host = services.clouds.eu
    services.env_host_set = True
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE):
        picker = login(app).query_one(HostPicker)
        assert picker.host == services.clouds.eu
        assert "POSTHOG_HOST" in str(picker.query_one("#host-source", Static).render())


# -- demo mode --------------------------------------------------------------------------------


def demo_info(server: DemoServer) -> DemoInfo:
    def hint(email: str) -> str | None:
        return server.last_emailed_code(email) or (
            server.current_totp(email) if server.totp_secret(email) else None
        )

    return DemoInfo(
        accounts=[
            DemoAccount(DEMO_EMAIL, DEMO_PASSWORD, "no second factor"),
            DemoAccount(TOTP_EMAIL, DEMO_PASSWORD, "asks for an authenticator code"),
        ],
        code_hint=hint,
        approve_device=lambda code: server.approve_device(code, DEMO_EMAIL, WEB_APP),
    )


async def test_demo_accounts_and_code_hint(services: Services, demo_server: DemoServer) -> None:
    demo_server.clock.freeze()  # the hint and the check must see the same 30-second window
    services.demo = demo_info(demo_server)
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        accounts = login(app).query_one("#demo-account-list")
        accounts.focus()
        await pilot.press("down", "enter")
        screen = login(app)
        assert screen.query_one("#login-email", Input).value == TOTP_EMAIL
        assert app.focused is screen.query_one("#password-submit")
        # The footer says what Enter does now.
        enter = app.screen.active_bindings["enter"]
        assert enter.enabled and enter.binding.description == "Sign in", enter
        await pilot.press("enter")
        await wait_for(pilot, lambda: code_dialog_ready(app), "the dialog")
        hint = str(app.screen.query_one("#second-factor-hint", Static).render())
        code = demo_server.current_totp(TOTP_EMAIL)
        assert code in hint
        await pilot.press(*code, "enter")
        await settle(pilot)
        assert app.state.session is not None


async def test_demo_key_approves_device_flow(services: Services, demo_server: DemoServer) -> None:
    services.demo = demo_info(demo_server)
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await start_device_flow(pilot, app)
        await pilot.press("a")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.method == "device"


async def test_narrow_device_scopes_keep_the_key_and_approving_again_reaches_the_project_key(
    services: Services, demo_server: DemoServer
) -> None:
    """A PostHog that grants only CLI_SCOPES: the key is saved, the missing scopes are named,
    and approving again with user:read and project:read ticked reaches the project key."""
    from phguide.demo.device import AGENT_CLI_SCOPES

    demo_server.state.device_scopes = "narrow"
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        panel = await start_device_flow(pilot, app)
        assert panel.code is not None
        demo_server.approve_device(panel.code.user_code, DEMO_EMAIL, WEB_APP)
        await settle(pilot)
        assert app.state.session is None
        fresh = app.state.fresh_keys[-1]
        assert fresh.saved  # kept safe: it is a real key
        held = services.accounts.active(services.clouds.us)
        assert held is not None and held.source == "approved"
        stored, _ = services.accounts.read(held)
        assert stored == fresh.value
        shown = " ".join(str(w.render()) for w in login(app).query(Static))
        assert "user:read" in shown and "project:read" in shown
        assert "Approve again" in str(login(app).query_one("#device-start", Button).label)

        panel = await start_device_flow(pilot, app)
        assert panel.code is not None
        demo_server.approve_device(
            panel.code.user_code, DEMO_EMAIL, WEB_APP, scopes=AGENT_CLI_SCOPES
        )
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.method == "device"
        assert session.selected_project is not None
        assert session.selected_project.api_token == demo_server.data.projects[WEB_APP].api_token
        assert app.current_mode == "project-key"
