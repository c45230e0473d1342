"""Log in with email and password, and the second factor when the account has one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Final

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Button, Input, Static

from phguide.api.errors import SecondFactorInvalid, SecondFactorRequired, SsoEnforced
from phguide.core.secret import Secret
from phguide.core.state import Session
from phguide.ui import messages
from phguide.ui.dialogs.second_factor import SecondFactorDialog, SecondFactorKind
from phguide.ui.widgets.fields import NextField, SignInField
from phguide.ui.widgets.login_way import LOGIN_GROUP, LoginWay

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.core.hosts import Host
    from phguide.services import Services

PASSWORD_TEXT: Final = (
    "Sign in as on PostHog's login page. This is the only way that lets phguide list, "
    "create and roll your personal API keys."
)

_SSO_NAMES: Final = {
    "google-oauth2": "Google",
    "github": "GitHub",
    "gitlab": "GitLab",
    "saml": "SAML single sign-on",
}


class SignInButton(Button):
    """The "Sign in" button, its Enter shown in the footer: a Button's own Enter is hidden,
    and after a demo account fills the form the focus is here, with nothing else to say
    what Enter does."""

    BINDINGS = [Binding("enter", "press", "Sign in")]


class LoginPassword(LoginWay):
    """Email, password, and the second-factor dialog (shown in the step's own mode).

    Args:
        services: The app's dependencies.
        host: Returns the chosen PostHog, or None when none is chosen.
        mode: The app mode the second-factor dialog is pushed to.
    """

    class SsoOnly(Message):
        """The account signs in only with single sign-on: browser approval is the way."""

    def __init__(
        self, services: Services, host: Callable[[], Host | None], *, mode: str, id: str
    ) -> None:
        super().__init__(services, host, id=id)
        self._mode = mode

    def compose(self) -> ComposeResult:
        yield Static(PASSWORD_TEXT, classes="way-text")
        yield NextField(placeholder="Email", id="login-email")
        yield SignInField(placeholder="Password", password=True, id="login-password")
        yield SignInButton("Sign in", id="password-submit", variant="primary", action="sign_in")

    def fill(self, email: str, password: str) -> None:
        """Fill in the form (a demo account was chosen) and put the focus on "Sign in"."""
        self.query_one("#login-email", Input).value = email
        self.query_one("#login-password", Input).value = password
        self.query_one("#password-submit", Button).focus()
        # The filled form in view, not below the fold of a short terminal: once laid out (its
        # tab may have opened just now), and from its top: scrolled only "into view", Sign in
        # stopped a row short, its lower edge under the body's padding.
        self.call_after_refresh(self.scroll_visible, animate=False, top=True)

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
            self.problem("Enter the email address you sign in to PostHog with.")
            self.query_one("#login-email", Input).focus()
            return
        if not password:
            self.problem("Enter your password.")
            self.query_one("#login-password", Input).focus()
            return
        host = self.host()
        if host is not None:
            self._password_login(host, email, Secret(password))

    @work(exclusive=True, group=LOGIN_GROUP, exit_on_error=False, description="password login")
    async def _password_login(self, host: Host, email: str, password: Secret) -> None:
        retry = partial(self._password_login, email=email, password=password)
        text = "Checking how this account signs in…"
        cancelled = "Sign-in cancelled."
        user_key = email.lower()
        async with self.attempt(text, cancelled=cancelled, host=host, retry=retry) as attempt:
            try:
                # A remembered second factor (30 days) lives in the keyring, never in a file.
                cookies, _ = await asyncio.to_thread(
                    self.services.store.load_cookies, host.app_url, user_key
                )
                attempt.client = client = self.services.login_client_factory(host, cookies)
                precheck = await client.precheck(email)
                if precheck.sso_enforcement:
                    self._send_to_browser(email, precheck.sso_enforcement)
                    return
                self.progress("Signing in…")
                try:
                    await client.login(email, password)
                except SecondFactorRequired as needed:
                    kind: SecondFactorKind = "email" if needed.kind == "email" else "totp"
                    if not await self._second_factor(client, email, kind):
                        attempt.note = cancelled
                        return
                remembered = client.remember_cookies()
                if remembered:
                    self._save_cookies(host.app_url, user_key, remembered)
                self.progress("Signed in. Fetching your account…")
                user = await client.me()
                attempt.keep = True
                self.post_message(messages.SignedIn(Session(host, client, "password", user=user)))
                # Signed in: the password has no more use on screen (found on coming back).
                self.query_one("#login-password", Input).value = ""
            except SsoEnforced as error:
                self._send_to_browser(email, error.provider)

    async def _second_factor(
        self, client: PostHogClient, email: str, kind: SecondFactorKind
    ) -> bool:
        """Ask for the second factor until PostHog accepts it; False when the user gives up."""
        demo = self.services.demo
        hint = partial(demo.code_hint, email) if demo is not None else None
        resend = partial(client.resend_email_code, email) if kind == "email" else None
        error = ""
        while True:
            self.progress("Waiting for your code…")
            dialog = SecondFactorDialog(kind, email, error=error, resend=resend, hint=hint)
            code = await self.app.push_screen_wait(dialog, mode=self._mode)
            if code is None:
                return False
            self.progress("Checking the code…")
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
        self.problem(
            f"{email} signs in with {name}, so PostHog does not accept a password for it.",
            "Use browser approval: PostHog opens in your browser, where single sign-on works. "
            "Press Enter to start.",
        )
        self.post_message(self.SsoOnly())

    @work(group="keyring", exit_on_error=False, thread=True, description="save cookies")
    def _save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> None:
        self.services.store.save_cookies(app_url, user, cookies)
