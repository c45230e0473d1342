"""Step 2: log in — pick the PostHog, then browser approval, email and password, or a pasted key.

Each way in is a widget under `ui/widgets/` that runs its own attempt and posts messages; this
screen lays them out and shows every attempt's progress and problems in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Input, Static, TabbedContent, TabPane

from phguide.ui.mounted import mounted
from phguide.ui.screens.base import StepScreen
from phguide.ui.widgets.demo_accounts import DemoAccounts
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.fresh_key import FRESH_KEY_BINDINGS, FreshKeyHost
from phguide.ui.widgets.host_picker import HostPicker
from phguide.ui.widgets.login_browser import LoginBrowser
from phguide.ui.widgets.login_password import LoginPassword
from phguide.ui.widgets.login_paste import LoginPaste
from phguide.ui.widgets.login_paste import pasted_key_problem as pasted_key_problem
from phguide.ui.widgets.login_saved import LoginSaved
from phguide.ui.widgets.login_way import LoginWay
from phguide.ui.widgets.problem import ProblemBox
from phguide.ui.widgets.spinner import Spinner

if TYPE_CHECKING:
    from phguide.core.hosts import Host

_Way = TypeVar("_Way", bound=LoginWay)

INTRO: Final = (
    "The guide's first step: log in to PostHog. Choose where your PostHog lives, "
    "then one of three ways in."
)


class LoginScreen(StepScreen, FreshKeyHost):
    """The guide's "Log in to PostHog", done for real in four ways."""

    CSS_PATH = "login.tcss"

    STEP_ID = "log-in"
    AUTO_FOCUS = "#device-start"
    """The default way in has focus: Enter starts browser approval for the preselected host
    (never the host picker, where Enter would change the host)."""
    BINDINGS = [
        Binding("enter", "start_default", "Browser approval", id="login-start-default"),
        Binding("enter", "open_way", "Go to the form", id="login-open-way"),
        Binding("escape", "cancel", "Cancel", id="login-cancel"),
        Binding("c", "copy_url", "Copy URL", id="copy-device-url"),
        Binding("o", "open_browser", "Open browser", id="open-device-url"),
        Binding("a", "demo_approve", "Approve (demo)", id="demo-approve-device"),
        Binding("q", "show_qr", "QR code", id="show-device-qr"),
        Binding("ctrl+r", "other_region", "Try other region", id="login-other-region"),
        Binding("e", "use_env_key", "Use env key", id="use-env-key"),
        Binding("k", "use_saved_key", "Use saved key", id="use-saved-key"),
        Binding("s", "save_pasted_key", "Save in keyring", id="save-pasted-key"),
        *FRESH_KEY_BINDINGS,
    ]

    busy: reactive[bool] = reactive(False, bindings=True)
    """True while an attempt runs (Esc cancels it)."""
    other_host: reactive[Host | None] = reactive(None, bindings=True)
    """The other cloud region, while the problem shown may mean the account lives there."""

    def __init__(self) -> None:
        super().__init__()
        self._attempt = 0
        """The number of the attempt on show."""
        self._retry: Callable[[Host], object] | None = None
        self._problem_host: Host | None = None
        """The PostHog the problem on show happened at (it goes when the host changes)."""

    # -- layout -----------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        services = self.services
        # Only the environment is worth pointing out: a --host was typed a moment ago.
        source = "POSTHOG_HOST" if services.host is not None and services.env_host_set else ""
        with VerticalScroll(id="body"):
            yield Static(INTRO, id="login-intro")
            yield Static("", id="session-note")
            with Horizontal(id="login-columns"):
                with Vertical(id="login-side"):
                    yield HostPicker(
                        services.clouds, services.host, source=source, id="host-picker"
                    )
                    yield LoginSaved(services, self._host, id="login-saved")
                    if services.demo is not None:
                        yield DemoAccounts(services.demo.accounts, id="demo-accounts")
                with Vertical(id="login-main"):
                    with TabbedContent(id="login-ways", initial="way-device"):
                        with TabPane("Browser approval", id="way-device"):
                            yield LoginBrowser(services, self._host, id="login-browser")
                        with TabPane("Email and password", id="way-password"):
                            yield LoginPassword(
                                services, self._host, mode=self.STEP_ID, id="login-with-password"
                            )
                        with TabPane("Paste a key", id="way-key"):
                            yield LoginPaste(services, self._host, id="login-paste")
                    with Horizontal(id="login-progress"):
                        yield Spinner(id="login-spinner")
                        yield Static("", id="login-progress-text")
                    yield ProblemBox(
                        action_id="other-region-button",
                        id="login-error",
                        button_action="screen.other_region",
                    )

    def on_mount(self) -> None:
        for selector in ("#login-progress", "#session-note"):
            self.query_one(selector).display = False
        self.query_one(LoginSaved).look_up(self.query_one(HostPicker).host)
        self.watch(self.query_one(LoginBrowser), "device_shown", self._device_shown, init=False)

    def _device_shown(self, shown: bool) -> None:
        # While the code is up, the page is about it: the host cannot change mid-approval, so the
        # side column and the intro give way to the code and the QR code. Hidden one by one: a
        # class on the screen restyled every widget of it, twice an approval.
        for selector in ("#login-side", "#login-intro"):
            self.query_one(selector).display = not shown

    @on(TabbedContent.TabActivated)
    def _way_opened(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()  # what Enter does follows the way chosen
        # A short terminal: the way's own button (Sign in, Check key) in view, not below the fold.
        buttons = [b for b in event.pane.query(Button) if b.variant == "primary" and b.display]
        if buttons:
            self.call_after_refresh(buttons[0].scroll_visible, animate=False)

    @on(HostPicker.Changed)
    def _host_changed(self, event: HostPicker.Changed) -> None:
        self.query_one(LoginSaved).look_up(event.host)
        # What was said of another PostHog (an error, a cancelled attempt) is no longer news.
        if self._problem_host is not None and self._problem_host != event.host:
            self._clear_problem()
        self.guide.host_changed(event.host)

    def refresh_from_state(self) -> None:
        note = self.query_one("#session-note", Static)
        session = self.state.session
        note.display = session is not None
        if session is not None and isinstance(self.focused, Input):
            # Back on Log in once signed in: a field left focused would take the step
            # numbers typed next. Focus the default way in, which takes no text.
            self.query_one("#device-start", Button).focus()
        if session is not None:
            who = session.user.email if session.user else "a key that does not say whose it is"
            note.update(
                Text(
                    f"Signed in to {session.host.label} as {who}. "
                    "Sign in again below to switch account or region."
                )
            )

    def _way(self, kind: type[_Way]) -> _Way | None:
        # Found once and kept (`mounted`): Textual asks about every key of the footer on each
        # change, and three look-ups per key were a twentieth of Log in's CPU in its tests.
        found = mounted(self, kind)
        return found[0] if found else None  # check_action may ask before the body is composed

    # Each key that applies only sometimes answers for its own action alone (`_CHECKS`).
    def _device_shown_now(self) -> bool:
        browser = self._way(LoginBrowser)
        return browser is not None and browser.device_shown

    def _way_chosen(self) -> str | None:
        ways = mounted(self, TabbedContent)
        return (ways[0].active or None) if ways else None

    def _can_start_default(self) -> bool:
        browser = self._way(LoginBrowser)
        fresh = browser.fresh if browser is not None else None
        # Not once another way is chosen: Enter then goes into that way's form.
        default = self._way_chosen() in (None, "way-device")
        return default and not self.busy and not self._device_shown_now() and fresh is None

    def _can_open_way(self) -> bool:
        chosen = self._way_chosen()
        focused = self.focused
        inside = focused is not None and any(
            node.id == chosen for node in focused.ancestors_with_self
        )
        return chosen not in (None, "way-device") and not self.busy and not inside

    def _can_demo_approve(self) -> bool:
        demo = self.services.demo
        return self._device_shown_now() and demo is not None and demo.approve_device is not None

    def _can_use_saved_key(self) -> bool:
        saved = self._way(LoginSaved)
        return saved is not None and saved.found is not None and not self.busy

    def _can_save_pasted_key(self) -> bool:
        paste = self._way(LoginPaste)
        return paste is not None and paste.checked is not None and paste.checked.user is not None

    def _can_continue_pasted(self) -> bool:
        paste = self._way(LoginPaste)
        return paste is not None and paste.checked is not None

    _CHECKS: Final[dict[str, Callable[[LoginScreen], bool]]] = {
        "cancel": lambda screen: screen.busy,
        "copy_url": _device_shown_now,
        "open_browser": _device_shown_now,
        "show_qr": _device_shown_now,
        "demo_approve": _can_demo_approve,
        "start_default": _can_start_default,
        "open_way": _can_open_way,
        "other_region": lambda screen: screen.other_host is not None and not screen.busy,
        "use_env_key": lambda screen: screen.services.env_key is not None and not screen.busy,
        "use_saved_key": _can_use_saved_key,
        "save_pasted_key": _can_save_pasted_key,
        "continue_pasted": _can_continue_pasted,
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        check = self._CHECKS.get(action)
        if check is not None:
            return check(self)
        return super().check_action(action, parameters)

    # -- one attempt at a time, its progress and its problems ---------------------------------
    def _host(self) -> Host | None:
        host = self.query_one(HostPicker).host
        if host is None:
            self._show_problem("Choose US Cloud, EU Cloud, or type your PostHog's address first.")
            self.query_one("#host-url", Input).focus()
        return host

    @on(LoginWay.Started)
    def _started(self, event: LoginWay.Started) -> None:
        # One sign-in at a time: the newest wins.
        for way in self.query(LoginWay):
            if way is not event.way:
                way.stop()
        self._attempt = event.number
        self._clear_problem()
        self.guide.unsay()  # news of the last attempt ("cancelled") is not news of this one
        self._set_progress(event.text)

    @on(LoginWay.Progress)
    def _progress(self, event: LoginWay.Progress) -> None:
        self._set_progress(event.text)
        if event.reveal is not None:
            self.call_after_refresh(event.reveal.scroll_visible, top=True, animate=False)

    @on(LoginWay.Ended)
    def _ended(self, event: LoginWay.Ended) -> None:
        # An attempt a newer one replaced says nothing: the screen is the newer one's.
        if event.number != self._attempt:
            return
        self.busy = False
        self.query_one("#login-progress").display = False
        if event.note:
            self.guide.say(event.note, host=event.host)

    @on(LoginWay.Problem)
    def _problem(self, event: LoginWay.Problem) -> None:
        error, host, retry = event.error, event.host, event.retry
        self._clear_problem()
        box = self.query_one(ProblemBox)
        other = None
        if error is not None and host is not None and host.is_cloud:
            other = self.services.clouds.other(host)
        if error is not None and error.maybe_wrong_region and other is not None and retry:
            # The account may live in the other region: offer it, with the same sign-in.
            self.other_host, self._retry = other, retry
            box.show_error(error, action=f"Try {other.label} (ctrl+r)")
            # The box scrolls itself into view once laid out; the focus must not scroll too: on a
            # busy machine it ran before that layout and centred a button not yet placed.
            box.button.focus(scroll_visible=False)
        else:
            box.show(event.message, event.fix)
        self._problem_host = host

    def _set_progress(self, text: str) -> None:
        self.busy = True
        self.query_one("#login-progress-text", Static).update(f"{text}  (Esc to cancel)")
        self.query_one("#login-progress").display = True

    def _clear_problem(self) -> None:
        self.other_host, self._retry, self._problem_host = None, None, None
        self.query_one(ProblemBox).clear()

    def _show_problem(self, message: str, fix: str = "") -> None:
        self._clear_problem()
        self.query_one(ProblemBox).show(message, fix)

    def action_cancel(self) -> None:
        """Stop the sign-in in progress."""
        for way in self.query(LoginWay):
            way.stop()

    def action_other_region(self) -> None:
        """Switch to the other cloud region and try the same sign-in there."""
        other, retry = self.other_host, self._retry
        if other is not None and retry is not None:
            self.query_one(HostPicker).select(other)
            retry(other)

    # -- browser approval ---------------------------------------------------------------------
    @on(LoginPassword.SsoOnly)
    def _sso_only(self) -> None:
        self.query_one("#login-ways", TabbedContent).active = "way-device"
        self.query_one("#device-start", Button).focus()

    def action_copy_url(self) -> None:
        """Copy the approval URL."""
        url = self.query_one(LoginBrowser).url
        if url is not None:
            self.guide.copy_text(url, secret=False, what="the approval URL")

    def action_open_browser(self) -> None:
        """Open the approval URL in the browser (again)."""
        browser = self.query_one(LoginBrowser)
        if browser.url is not None:
            browser.open_browser(browser.url)

    def action_start_default(self) -> None:
        """Enter: the default way in, browser approval for the host shown."""
        self.query_one("#login-ways", TabbedContent).active = "way-device"
        self.query_one("#device-start", Button).press()

    def action_open_way(self) -> None:
        """Enter on the tabs with another way chosen: into that way's form, at its first field."""
        pane = self.query_one("#login-ways", TabbedContent).active_pane
        if pane is not None:
            first = next((w for w in pane.query(Widget) if w.focusable), None)
            if first is not None:
                first.focus()

    def action_show_qr(self) -> None:
        """Show the approval URL's QR code full-screen, to scan with a phone."""
        self.query_one(DeviceCodePanel).show_qr_full()

    def action_demo_approve(self) -> None:
        """Approve the code as the demo user (the demo has no real browser sign-in)."""
        self.query_one(LoginBrowser).demo_approve()

    # -- keys: pasted, saved, from the environment ----------------------------------------------
    def action_use_env_key(self) -> None:
        """Sign in with POSTHOG_PERSONAL_API_KEY."""
        self.query_one(LoginSaved).use_env()

    def action_use_saved_key(self) -> None:
        """Sign in with the key an earlier run saved in the keyring."""
        self.query_one(LoginSaved).use_saved()

    def action_save_pasted_key(self) -> None:
        """Save the checked key in the keyring, then continue."""
        self.query_one(LoginPaste).save_checked()

    def action_continue_pasted(self) -> None:
        """Continue with the checked key, without saving it."""
        self.query_one(LoginPaste).continue_checked()

    # -- demo accounts ------------------------------------------------------------------------
    @on(DemoAccounts.Chosen)
    def _demo_account_chosen(self, event: DemoAccounts.Chosen) -> None:
        event.stop()
        if self.services.demo is not None:
            # The demo's stand-in browser approves as the account picked, SSO ones included.
            self.services.demo.approve_as = event.account.email
        self.query_one("#login-ways", TabbedContent).active = "way-password"
        self.query_one(LoginPassword).fill(event.account.email, event.account.password)
