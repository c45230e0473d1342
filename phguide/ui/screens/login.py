"""Step 2: log in — pick the PostHog, then browser approval, email and password, or a pasted key."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Button, Input, LoadingIndicator, Static, TabbedContent, TabPane

from phguide.api.errors import (
    DeviceCodeExpired,
    DeviceFlowUnsupported,
    PermissionDenied,
    PostHogError,
    SecondFactorInvalid,
    SecondFactorRequired,
    SsoEnforced,
)
from phguide.core.diagnose import classify
from phguide.core.secret import Secret
from phguide.core.state import AuthMethod, FreshKey, Session
from phguide.ui import messages
from phguide.ui.dialogs.second_factor import SecondFactorDialog, SecondFactorKind
from phguide.ui.screens.base import StepScreen
from phguide.ui.widgets.demo_accounts import DemoAccounts
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.fresh_key import KEYS_GROUP, FreshKeyPanel
from phguide.ui.widgets.host_picker import HostPicker
from phguide.ui.widgets.problem import ProblemBox

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import DeviceAuthorization, Project, User
    from phguide.core.accounts import KeySource
    from phguide.core.hosts import Host
    from phguide.system.credentials import StoreResult

INTRO: Final = (
    "The guide's first step: log in to PostHog. Choose where your PostHog lives, "
    "then one of three ways in."
)
DEVICE_TEXT: Final = (
    "Approve phguide in your browser, where any sign-in works: SSO, passkeys, two-factor. "
    "PostHog then gives phguide a new personal API key for the project you pick "
    "(it counts toward your limit of 10 keys). No password is typed here."
)
PASSWORD_TEXT: Final = (
    "Sign in as on PostHog's login page. This is the only way that lets phguide list, "
    "create and roll your personal API keys."
)
KEY_TEXT: Final = (
    "Paste a personal API key (phx_…) you already have. It stays masked and is checked "
    "with PostHog before it is used."
)
TEN_KEYS: Final = "It counts toward your limit of 10 personal API keys."

_SSO_NAMES: Final = {
    "google-oauth2": "Google",
    "github": "GitHub",
    "gitlab": "GitLab",
    "saml": "SAML single sign-on",
}

_WRONG_KIND: Final = {
    "project": (
        "That is a Project API key (phc_…): it is public and only sends events, so it cannot "
        "sign in. Paste a personal API key (phx_…); the next step shows your project key."
    ),
    "project-secret": (
        "That is a project secret key (phs_…), used for local feature-flag evaluation. "
        "phguide needs a personal API key (phx_…)."
    ),
    "oauth-access": (
        "That is an OAuth access token (pha_…) that belongs to another app. phguide needs a "
        "personal API key (phx_…), or use browser approval."
    ),
    "oauth-refresh": (
        "That is an OAuth refresh token (phr_…) that belongs to another app. phguide needs a "
        "personal API key (phx_…), or use browser approval."
    ),
}


def pasted_key_problem(text: str) -> str | None:
    """Why pasted text cannot be a personal API key, or None when it may be one.

    Args:
        text: What the user pasted (quotes, spaces, `NAME=` and `Bearer` are allowed around it).
    """
    found = classify(text)
    if not found.value:
        return "Paste a personal API key: it starts with phx_."
    if found.kind == "personal":
        if found.masked_copy:
            return (
                "That is the masked form PostHog lists (phx_...abcd), not the key. The whole "
                "key is shown only once, when it is created: create or roll one in step 4."
            )
        if len(found.value) < 12:
            return "That key is too short: copy the whole key, phx_ and all."
        return None
    if found.kind in _WRONG_KIND:
        return _WRONG_KIND[found.kind]
    looks_like = (
        f"That looks like {found.looks_like}, not a PostHog key. " if found.looks_like else ""
    )
    return (
        f"{looks_like}Personal API keys start with phx_. Copy one from PostHog (Account settings "
        "→ Personal API keys), or create one in step 4."
    )


@dataclass
class _CheckedKey:
    """A pasted key PostHog accepted, waiting for the user to save it or continue."""

    host: Host
    client: PostHogClient
    key: Secret
    user: User | None


class LoginScreen(StepScreen):
    """The guide's "Log in to PostHog", done for real in three ways."""

    STEP_ID = "log-in"
    AUTO_FOCUS = "#host-choice"
    """Start where the page starts, at the host: not on the scrolling body."""
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="login-cancel"),
        Binding("c", "copy_url", "Copy URL", id="copy-device-url"),
        Binding("o", "open_browser", "Open browser", id="open-device-url"),
        Binding("a", "demo_approve", "Approve (demo)", id="demo-approve-device"),
        Binding("ctrl+r", "other_region", "Try other region", id="login-other-region"),
        Binding("e", "use_env_key", "Use env key", id="use-env-key"),
        Binding("k", "use_saved_key", "Use saved key", id="use-saved-key"),
        Binding("s", "save_pasted_key", "Save in keyring", id="save-pasted-key"),
        Binding("c", "copy_fresh", "Copy new key", group=KEYS_GROUP, id="login-copy-fresh-key"),
        Binding("s", "save_fresh", "Save to keyring", group=KEYS_GROUP, id="login-save-fresh-key"),
        Binding("v", "reveal_fresh", "Reveal", group=KEYS_GROUP, id="login-reveal-fresh-key"),
        Binding(
            "i",
            "acknowledge_fresh",
            "I have it",
            group=KEYS_GROUP,
            id="login-acknowledge-fresh-key",
        ),
        Binding("x", "dismiss_fresh", "Done", group=KEYS_GROUP, id="login-dismiss-fresh-key"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._busy = False
        self._attempt = 0
        self._device_shown = False
        self._retry: Callable[[Host], object] | None = None
        self._other_host: Host | None = None
        self._checked: _CheckedKey | None = None
        self._pending: Session | None = None
        """A device-flow session held back until the user has its unsaved key safe."""
        self._saved: tuple[Host, str, Secret] | None = None
        """The host, user and key an earlier run saved in the keyring, if any."""

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
                    if services.env_key is not None:
                        with Vertical(id="env-key-box"):
                            yield Static(
                                Text(
                                    "POSTHOG_PERSONAL_API_KEY is set in your environment "
                                    f"({services.env_key.masked})."
                                ),
                                id="env-key-note",
                            )
                            yield Button("Use this key (e)", id="env-key-use")
                    with Vertical(id="saved-key-box"):
                        yield Static("", id="saved-key-note")
                        yield Button("Use the saved key (k)", id="saved-key-use")
                    if services.demo is not None:
                        yield DemoAccounts(services.demo.accounts, id="demo-accounts")
                with Vertical(id="login-main"):
                    with TabbedContent(id="login-ways", initial="way-device"):
                        with TabPane("Browser approval", id="way-device"):
                            yield from self._compose_device()
                        with TabPane("Email and password", id="way-password"):
                            yield Static(PASSWORD_TEXT, classes="way-text")
                            yield Input(placeholder="Email", id="login-email")
                            yield Input(placeholder="Password", password=True, id="login-password")
                            yield Button("Sign in", id="password-submit", variant="primary")
                        with TabPane("I have a personal API key", id="way-key"):
                            yield from self._compose_key()
                    with Horizontal(id="login-progress"):
                        yield LoadingIndicator(id="login-spinner")
                        yield Static("", id="login-progress-text")
                    yield ProblemBox(action_id="other-region-button", id="login-error")

    def _compose_device(self) -> ComposeResult:
        yield Static(DEVICE_TEXT, classes="way-text", id="device-text")
        yield Button("Start browser approval", id="device-start", variant="primary")
        yield DeviceCodePanel(id="device-panel")
        with Horizontal(id="device-buttons"):
            # Compact, and their keys left to the footer: four buttons fit the column.
            yield Button("Copy URL", id="device-copy", compact=True)
            yield Button("Open browser", id="device-open", compact=True)
            demo = self.services.demo
            if demo is not None and demo.approve_device is not None:
                yield Button("Approve (demo)", id="device-demo-approve", compact=True)
            yield Button("Cancel", id="device-cancel", compact=True)
        yield FreshKeyPanel()

    def _compose_key(self) -> ComposeResult:
        yield Static(KEY_TEXT, classes="way-text")
        yield Input(placeholder="phx_…", password=True, id="pasted-key")
        yield Static("", id="pasted-key-feedback")
        yield Button("Check key", id="key-submit", variant="primary")
        with Vertical(id="key-result"):
            yield Static("", id="key-result-text")
            with Horizontal(id="key-result-buttons"):
                yield Button("Save in keyring and continue (s)", id="key-save", variant="primary")
                yield Button("Continue without saving", id="key-continue")

    def on_mount(self) -> None:
        for selector in (
            "#login-progress",
            "#device-buttons",
            "#key-result",
            "#session-note",
            "#saved-key-box",
        ):
            self.query_one(selector).display = False
        self.query_one(FreshKeyPanel).display = False
        self._look_up_saved_key(self.query_one(HostPicker).host)

    # -- a key saved by an earlier run ------------------------------------------------------
    @on(HostPicker.Changed)
    def _host_changed(self, event: HostPicker.Changed) -> None:
        self._look_up_saved_key(event.host)

    @work(exclusive=True, group="saved-key", exit_on_error=False, thread=True)
    def _look_up_saved_key(self, host: Host | None) -> None:
        """Find the key an earlier run saved for this host (keyring calls can block: a thread)."""
        found: tuple[Host, str, Secret] | None = None
        held = None if host is None else self.services.accounts.active(host)
        if host is not None and held is not None:
            key, result = self.services.accounts.read(held)
            if key is not None and result.ok:
                found = (host, held.email, key)
        self.app.call_from_thread(self._show_saved_key, found)

    def _show_saved_key(self, found: tuple[Host, str, Secret] | None) -> None:
        self._saved = found
        box = self.query_one("#saved-key-box")
        box.display = found is not None
        if found is not None:
            host, user, key = found
            self.query_one("#saved-key-note", Static).update(
                Text(
                    f"Saved in your keyring: a personal API key of {user} for {host.label} "
                ).append(f"({key.masked}).")
            )
        self.refresh_bindings()

    def action_use_saved_key(self) -> None:
        """Sign in with the key an earlier run saved in the keyring."""
        if self._saved is not None:
            host, _, key = self._saved
            self._check_key(host, key, "keyring")

    def refresh_from_state(self) -> None:
        note = self.query_one("#session-note", Static)
        session = self.state.session
        note.display = session is not None
        if session is not None:
            who = session.user.email if session.user else "a key that does not say whose it is"
            note.update(
                Text(
                    f"Signed in to {session.host.label} as {who}. "
                    "Sign in again below to switch account or region."
                )
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        fresh = self._fresh
        demo = self.services.demo
        checks: dict[str, bool] = {
            "cancel": self._busy,
            "copy_url": self._device_shown,
            "open_browser": self._device_shown,
            "demo_approve": self._device_shown
            and demo is not None
            and demo.approve_device is not None,
            "other_region": self._other_host is not None and not self._busy,
            "use_env_key": self.services.env_key is not None and not self._busy,
            "use_saved_key": self._saved is not None and not self._busy,
            "save_pasted_key": self._checked is not None and self._checked.user is not None,
            "copy_fresh": fresh is not None,
            "reveal_fresh": fresh is not None,
            "acknowledge_fresh": fresh is not None and not fresh.safe,
            "save_fresh": fresh is not None and not fresh.saved and self._pending is not None,
            "dismiss_fresh": fresh is not None and fresh.safe,
        }
        return checks.get(action, True)

    # -- progress and problems ----------------------------------------------------------------
    def _host(self) -> Host | None:
        host = self.query_one(HostPicker).host
        if host is None:
            self._show_problem("Choose US Cloud, EU Cloud, or type your PostHog's address first.")
            self.query_one("#host-url", Input).focus()
        return host

    def _begin(self, text: str) -> int:
        """Start an attempt: show progress, clear the last problem; returns the attempt's number."""
        self._attempt += 1
        self._clear_problem()
        self._set_progress(text)
        return self._attempt

    def _set_progress(self, text: str) -> None:
        self._busy = True
        self.query_one("#login-progress-text", Static).update(f"{text}  (Esc to cancel)")
        self.query_one("#login-progress").display = True
        self.refresh_bindings()

    def _end(self, attempt: int) -> None:
        """Finish an attempt, unless a newer one has already taken over the screen."""
        if attempt != self._attempt:
            return
        self._busy = False
        self.query_one("#login-progress").display = False
        self.refresh_bindings()

    def _clear_problem(self) -> None:
        self._other_host = None
        self._retry = None
        self.query_one(ProblemBox).clear()
        self.refresh_bindings()

    def _show_problem(self, message: str, fix: str = "") -> None:
        self._clear_problem()
        self.query_one(ProblemBox).show(message, fix)

    def _show_error(
        self, error: PostHogError, host: Host, retry: Callable[[Host], object] | None = None
    ) -> None:
        """Show a PostHog error's message and fix; offer the other region when it may be that."""
        self._clear_problem()
        other = self.services.clouds.other(host) if host.is_cloud else None
        box = self.query_one(ProblemBox)
        if error.maybe_wrong_region and other is not None and retry is not None:
            self._other_host, self._retry = other, retry
            box.show_error(error, action=f"Try {other.label} (ctrl+r)")
            box.button.focus()
        else:
            box.show_error(error)
        self.refresh_bindings()

    def _show_unexpected(self) -> None:
        self._show_problem(
            "Something unexpected went wrong, and phguide stopped this sign-in.",
            "Try again; if it keeps happening, try another way in.",
        )

    def _note(self, message: str) -> None:
        self.guide.status = message

    async def _close(self, client: PostHogClient | None) -> None:
        if client is not None:
            # Closing a broken connection must not become the user's problem.
            with contextlib.suppress(Exception):
                await client.aclose()

    # -- buttons ------------------------------------------------------------------------------
    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions: dict[str, Callable[[], object]] = {
            "device-start": self.action_start_device,
            "device-copy": self.action_copy_url,
            "device-open": self.action_open_browser,
            "device-demo-approve": self.action_demo_approve,
            "device-cancel": self.action_cancel,
            "password-submit": self.action_sign_in,
            "key-submit": self.action_check_key,
            "key-save": self.action_save_pasted_key,
            "key-continue": self._continue_with_checked_key,
            "env-key-use": self.action_use_env_key,
            "saved-key-use": self.action_use_saved_key,
            "other-region-button": self.action_other_region,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def action_cancel(self) -> None:
        """Stop the sign-in in progress."""
        self.workers.cancel_group(self, "login")

    def action_other_region(self) -> None:
        """Switch to the other cloud region and try the same sign-in there."""
        other, retry = self._other_host, self._retry
        if other is not None and retry is not None:
            self.query_one(HostPicker).select(other)
            retry(other)

    # -- browser approval (device flow) ---------------------------------------------------------
    def action_start_device(self) -> None:
        """Start browser approval."""
        host = self._host()
        if host is not None:
            self._device_flow(host)

    def _show_device(self, shown: bool) -> None:
        if not shown:
            self.query_one(DeviceCodePanel).hide()
        self._device_shown = shown
        for selector in ("#device-text", "#device-start"):
            self.query_one(selector).display = not shown
        self.query_one("#device-buttons").display = shown
        self.refresh_bindings()

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _device_flow(self, host: Host) -> None:
        attempt = self._begin("Asking PostHog for a one-time code…")
        client: PostHogClient | None = None
        keep = False
        try:
            client = self.services.client_factory(host, None)
            code = await client.start_device_flow()
            panel = self.query_one(DeviceCodePanel)
            panel.show(code)
            self._show_device(True)
            self.query_one("#device-copy", Button).focus(scroll_visible=False)
            self._open_browser(code.browser_url)
            self._set_progress("Waiting for your approval in the browser…")
            # On a short terminal the code, its buttons and the progress below come into view
            # together, once laid out (one scroll: the button's own would race it).
            self.call_after_refresh(panel.scroll_visible, top=True, animate=False)
            approval = await client.wait_for_device_approval(code, on_tick=panel.sync)
            self._show_device(False)
            keep = await self._adopt_device_key(host, client, approval)
        except DeviceFlowUnsupported:
            self._show_device(False)
            self._show_problem(
                f"{host.label} does not offer browser approval (it is older than PostHog's "
                "device flow).",
                "Sign in with your email and password, or paste a personal API key.",
            )
        except DeviceCodeExpired as error:
            self._show_device(False)
            start = self.query_one("#device-start", Button)
            start.label = "Start again"
            self._show_error(error, host)
            start.focus()
        except PostHogError as error:
            self._show_device(False)
            self._show_error(error, host)
        except asyncio.CancelledError:
            if attempt == self._attempt:
                self._show_device(False)
                self._note("Browser approval cancelled.")
            raise
        except Exception:
            self._show_device(False)
            self._show_unexpected()
        finally:
            self._end(attempt)
            if not keep:
                await self._close(client)

    async def _adopt_device_key(
        self, host: Host, client: PostHogClient, approval: DeviceAuthorization
    ) -> bool:
        """Keep the key the browser approval handed over, then sign in with it.

        Returns:
            True when a session (signed in, or waiting for the user) now owns the client.
        """
        # The server forgets the key after this answer: it is the user's before anything else.
        fresh = FreshKey(approval.personal_api_key, approval.label)
        self.post_message(messages.FreshKeyIssued(fresh))
        try:
            return await self._keep_device_key(host, client, approval, fresh)
        except BaseException:
            # Cancelled (Esc, or another sign-in took over) or failed half-way: whatever
            # happened, the key stays on screen until the user has it.
            if not fresh.safe and self._fresh is not fresh:
                self._show_fresh(fresh, "Sign-in stopped before the key was kept: copy it now.")
            raise

    async def _keep_device_key(
        self,
        host: Host,
        client: PostHogClient,
        approval: DeviceAuthorization,
        fresh: FreshKey,
    ) -> bool:
        """Save the approved key, fetch the account and its project, then sign in."""
        self._set_progress("Approved. Saving the new key and fetching your account…")
        project_id = "@current" if approval.project_id is None else approval.project_id
        project_task = asyncio.ensure_future(client.project(project_id))
        try:
            user = await client.me()
        except BaseException:
            project_task.cancel()
            self._show_fresh(fresh, "phguide could not fetch your account, so it is not saved.")
            raise
        saved = await self._save_key(host, user.email, fresh.value, "approved", fresh.label).wait()
        project: Project | None = None
        try:
            project = await project_task
        except PostHogError as error:
            self.notify(
                f"Signed in, but the approved project could not be read: {error.message}",
                title="Project",
                severity="warning",
                markup=False,
            )
        session = Session(
            host,
            client,
            "device",
            user=user,
            personal_key=approval.personal_api_key,
            personal_key_label=approval.label,
            selected_project=project,
        )
        if saved is None or not saved.ok:
            self._pending = session
            why = f"{saved.message} {saved.fix}" if saved is not None else "The keyring failed."
            self._show_fresh(fresh, f"It could not be saved in the keyring: {why}")
            return True
        fresh.saved = True
        self.notify(
            f"PostHog created the personal API key “{approval.label}” for phguide, and it is "
            f"saved in your keyring ({self.services.store.name}). {TEN_KEYS} Find it by its "
            "label in PostHog's personal API key settings.",
            title="New personal API key",
            markup=False,
            timeout=12,
        )
        self.post_message(messages.SignedIn(session))
        return True

    # -- a device key that could not be saved ---------------------------------------------------
    @property
    def _fresh(self) -> FreshKey | None:
        try:
            return self.query_one(FreshKeyPanel).fresh
        except NoMatches:  # check_action may ask before the body is composed
            return None

    def _show_fresh(self, fresh: FreshKey, why: str) -> None:
        """Keep a new key on screen until the user has it safe: PostHog will not show it again."""
        panel = self.query_one(FreshKeyPanel)
        panel.show(fresh, "browser approval")
        panel.note(f"{why} {TEN_KEYS}")
        self.refresh_bindings()
        panel.scroll_visible()

    def action_copy_fresh(self) -> None:
        """Copy the new key."""
        self.query_one(FreshKeyPanel).copy_key()

    def action_save_fresh(self) -> None:
        """Try saving the new key in the keyring again."""
        session = self._pending
        if session is not None and session.user is not None:
            self.query_one(FreshKeyPanel).save_key(session.host, session.user.email)

    @on(FreshKeyPanel.Changed)
    def _fresh_changed(self) -> None:
        self.refresh_bindings()

    def action_reveal_fresh(self) -> None:
        """Show or hide the new key's value."""
        if self._fresh is not None:
            self.query_one(FreshKeyPanel).box.toggle_reveal()

    def action_acknowledge_fresh(self) -> None:
        """Say you have the key elsewhere (after a confirmation)."""
        self.query_one(FreshKeyPanel).ask_acknowledged(self.refresh_bindings)

    def action_dismiss_fresh(self) -> None:
        """Put the key away and carry on with the sign-in it came from."""
        fresh = self._fresh
        if fresh is None or not fresh.safe:
            return
        self.query_one(FreshKeyPanel).clear()
        session, self._pending = self._pending, None
        self.refresh_bindings()
        if session is not None:
            self.post_message(messages.SignedIn(session))

    # -- the approval page ----------------------------------------------------------------------
    def action_copy_url(self) -> None:
        """Copy the approval URL."""
        code = self.query_one(DeviceCodePanel).code
        if code is not None:
            self.guide.copy_text(code.browser_url, secret=False, what="the approval URL")

    def action_open_browser(self) -> None:
        """Open the approval URL in the browser (again)."""
        code = self.query_one(DeviceCodePanel).code
        if code is not None:
            self._open_browser(code.browser_url)

    @work(exclusive=True, group="browser", exit_on_error=False, thread=True)
    def _open_browser(self, url: str) -> None:
        try:
            opened = self.services.open_url(url)
        except Exception:  # a broken launcher means "open it yourself", not a crash
            opened = False
        self.app.call_from_thread(self.query_one(DeviceCodePanel).set_browser_opened, opened)

    def action_demo_approve(self) -> None:
        """Approve the code as the demo user (the demo has no real browser sign-in)."""
        code = self.query_one(DeviceCodePanel).code
        demo = self.services.demo
        if code is not None and demo is not None and demo.approve_device is not None:
            self._demo_approve(demo.approve_device, code.user_code)

    @work(group="demo-approve", exit_on_error=False, thread=True)
    def _demo_approve(self, approve: Callable[[str], None], user_code: str) -> None:
        try:
            approve(user_code)
        except Exception:  # the demo server may have been stopped, or the code expired
            self.app.call_from_thread(
                self._show_problem,
                "The demo server could not approve the code.",
                "Start browser approval again.",
            )

    # -- email and password ------------------------------------------------------------------
    @on(Input.Submitted, "#login-email")
    def _email_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    def _password_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_sign_in()

    def action_sign_in(self) -> None:
        """Sign in with the email and password typed."""
        email = self.query_one("#login-email", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        if "@" not in email:
            self._show_problem("Enter the email address you sign in to PostHog with.")
            self.query_one("#login-email", Input).focus()
            return
        if not password:
            self._show_problem("Enter your password.")
            self.query_one("#login-password", Input).focus()
            return
        host = self._host()
        if host is not None:
            self._password_login(host, email, Secret(password))

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _password_login(self, host: Host, email: str, password: Secret) -> None:
        attempt = self._begin("Checking how this account signs in…")
        user_key = email.lower()
        client: PostHogClient | None = None
        keep = False
        try:
            # A remembered second factor (30 days) lives in the keyring, never in a file.
            cookies, _ = await asyncio.to_thread(
                self.services.store.load_cookies, host.app_url, user_key
            )
            client = self.services.login_client_factory(host, cookies)
            precheck = await client.precheck(email)
            if precheck.sso_enforcement:
                self._send_to_browser(email, precheck.sso_enforcement)
                return
            self._set_progress("Signing in…")
            try:
                await client.login(email, password)
            except SecondFactorRequired as needed:
                kind: SecondFactorKind = "email" if needed.kind == "email" else "totp"
                if not await self._second_factor(client, email, kind):
                    self._note("Sign-in cancelled.")
                    return
            remembered = client.remember_cookies()
            if remembered:
                self._save_cookies(host.app_url, user_key, remembered)
            self._set_progress("Signed in. Fetching your account…")
            user = await client.me()
            keep = True
            self.post_message(messages.SignedIn(Session(host, client, "password", user=user)))
        except SsoEnforced as error:
            self._send_to_browser(email, error.provider)
        except PostHogError as error:
            retry = partial(self._password_login, email=email, password=password)
            self._show_error(error, host, retry)
        except asyncio.CancelledError:
            if attempt == self._attempt:
                self._note("Sign-in cancelled.")
            raise
        except Exception:
            self._show_unexpected()
        finally:
            self._end(attempt)
            if not keep:
                await self._close(client)

    async def _second_factor(
        self, client: PostHogClient, email: str, kind: SecondFactorKind
    ) -> bool:
        """Ask for the second factor until PostHog accepts it; False when the user gives up."""
        demo = self.services.demo
        hint = partial(demo.code_hint, email) if demo is not None else None
        resend = partial(client.resend_email_code, email) if kind == "email" else None
        error = ""
        while True:
            self._set_progress("Waiting for your code…")
            dialog = SecondFactorDialog(kind, email, error=error, resend=resend, hint=hint)
            code = await self.app.push_screen_wait(dialog, mode=self.STEP_ID)
            if code is None:
                return False
            self._set_progress("Checking the code…")
            try:
                if kind == "totp":
                    await client.login_token(code)
                else:
                    await client.verify_email_code(email, code)
            except SecondFactorInvalid as wrong:
                # Wrong or mistyped: the dialog comes back saying so, and the user tries again.
                error = f"{wrong.message} {wrong.fix}"
            else:
                return True

    def _send_to_browser(self, email: str, provider: str) -> None:
        """An SSO-only account: explain, and put browser approval in front of the user."""
        name = _SSO_NAMES.get(provider, "single sign-on")
        self._show_problem(
            f"{email} signs in with {name}, so PostHog does not accept a password for it.",
            "Use browser approval: PostHog opens in your browser, where single sign-on works. "
            "Press Enter to start.",
        )
        self.query_one("#login-ways", TabbedContent).active = "way-device"
        self.query_one("#device-start", Button).focus()

    @work(group="keyring", exit_on_error=False, thread=True)
    def _save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> None:
        self.services.store.save_cookies(app_url, user, cookies)

    @work(group="keyring", exit_on_error=False, thread=True)
    def _save_key(
        self, host: Host, user: str, key: Secret, source: KeySource, label: str = ""
    ) -> StoreResult | None:
        try:
            return self.services.save_personal_key(host, user, key, label=label, source=source)
        except Exception:  # the store promises not to raise; a key must never be lost if it does
            return None

    # -- a personal key: pasted or from the environment ----------------------------------------
    @on(Input.Changed, "#pasted-key")
    def _pasted_key_changed(self, event: Input.Changed) -> None:
        event.stop()
        feedback = self.query_one("#pasted-key-feedback", Static)
        problem = pasted_key_problem(event.value) if event.value.strip() else None
        found = classify(event.value)
        if problem is not None:
            text = Text(problem)
        elif found.value:
            text = Text(f"Looks like a personal API key ({Secret(found.value).masked}).")
            for note in found.notes:
                text.append(f" {note}")
        else:
            text = Text()
        feedback.update(text)
        feedback.set_class(problem is not None, "-error")
        self._hide_checked()

    @on(Input.Submitted, "#pasted-key")
    def _pasted_key_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check_key()

    def action_check_key(self) -> None:
        """Check the pasted key with PostHog."""
        text = self.query_one("#pasted-key", Input).value
        problem = pasted_key_problem(text)
        if problem is not None:
            self._show_problem(problem)
            self.query_one("#pasted-key", Input).focus()
            return
        host = self._host()
        if host is not None:
            self._check_key(host, Secret(classify(text).value), "pasted")

    def action_use_env_key(self) -> None:
        """Sign in with POSTHOG_PERSONAL_API_KEY."""
        key = self.services.env_key
        host = self._host()
        if key is not None and host is not None:
            self._check_key(host, key, "environment")

    @work(exclusive=True, group="login", exit_on_error=False)
    async def _check_key(self, host: Host, key: Secret, method: AuthMethod) -> None:
        attempt = self._begin(f"Checking the key with {host.label}…")
        self._hide_checked()
        client: PostHogClient | None = None
        keep = False
        try:
            client = self.services.client_factory(host, key)
            missing = ""
            try:
                user: User | None = await client.me()
            except PermissionDenied as denied:
                # Authenticated, but without user:read: still a working key for what it allows.
                user, missing = None, denied.message
            keep = True
            if method == "pasted":
                self._show_checked(_CheckedKey(host, client, key, user), missing)
            else:
                session = Session(host, client, method, user=user, personal_key=key)
                self.post_message(messages.SignedIn(session))
        except PostHogError as error:
            self._show_error(error, host, partial(self._check_key, key=key, method=method))
        except asyncio.CancelledError:
            if attempt == self._attempt:
                self._note("Key check cancelled.")
            raise
        except Exception:
            self._show_unexpected()
        finally:
            self._end(attempt)
            if not keep:
                await self._close(client)

    def _show_checked(self, checked: _CheckedKey, missing: str) -> None:
        self._checked = checked
        user = checked.user
        if user is not None:
            text = Text("✓ The key works", style="bold")
            text.append(f": it belongs to {user.display_name} ({user.email}) on ")
            text.append(
                f"{checked.host.label}.\nSave it in the keyring for next time, or continue."
            )
        else:
            text = Text("The key is valid, but PostHog would not say whose it is", style="bold")
            text.append(
                f": {missing}\nIt lacks the user:read scope. The next steps still work if it "
                "has project:read; add user:read to the key in PostHog to see your account "
                "here. The keyring files keys by their user, so phguide cannot save this one."
            )
        self.query_one("#key-result-text", Static).update(text)
        self.query_one("#key-save").display = user is not None
        self.query_one("#key-result").display = True
        self.query_one("#key-save" if user is not None else "#key-continue", Button).focus()
        self.refresh_bindings()

    def _hide_checked(self) -> None:
        checked, self._checked = self._checked, None
        self.query_one("#key-result").display = False
        self.refresh_bindings()
        if checked is not None:
            self._close_later(checked.client)

    @work(group="login-close", exit_on_error=False)
    async def _close_later(self, client: PostHogClient) -> None:
        await self._close(client)

    def _continue_with_checked_key(self) -> None:
        checked, self._checked = self._checked, None
        if checked is None:
            return
        self.query_one("#key-result").display = False
        self.refresh_bindings()
        session = Session(
            checked.host, checked.client, "pasted", user=checked.user, personal_key=checked.key
        )
        self.post_message(messages.SignedIn(session))

    def action_save_pasted_key(self) -> None:
        """Save the checked key in the keyring, then continue."""
        checked = self._checked
        if checked is not None and checked.user is not None:
            self._save_checked(checked, checked.user.email)

    @work(exclusive=True, group="login-save", exit_on_error=False)
    async def _save_checked(self, checked: _CheckedKey, email: str) -> None:
        button = self.query_one("#key-save", Button)
        button.disabled = True
        try:
            result = await self._save_key(checked.host, email, checked.key, "pasted").wait()
        finally:
            button.disabled = False
        if result is None or not result.ok:
            message = result.message if result is not None else "The keyring failed."
            fix = result.fix if result is not None else "Continue without saving."
            self._show_problem(message, fix)
            return
        self.notify(result.message, title="Saved", markup=False)
        if self._checked is checked:
            self._continue_with_checked_key()

    # -- demo accounts ------------------------------------------------------------------------
    @on(DemoAccounts.Chosen)
    def _demo_account_chosen(self, event: DemoAccounts.Chosen) -> None:
        event.stop()
        self.query_one("#login-ways", TabbedContent).active = "way-password"
        self.query_one("#login-email", Input).value = event.account.email
        self.query_one("#login-password", Input).value = event.account.password
        self.query_one("#password-submit", Button).focus()
