"""Log in by browser approval (the device flow): PostHog hands phguide a new personal key."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Button, Static

from phguide.api.errors import DeviceCodeExpired, DeviceFlowUnsupported
from phguide.core.approval import OFFERS, ApprovalReach, assess_approval
from phguide.core.state import FreshKey, Session
from phguide.ui import messages
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.fresh_key import FreshKeyPanel, Owner
from phguide.ui.widgets.login_way import LOGIN_GROUP, LoginWay

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import DeviceAuthorization, Project
    from phguide.core.accounts import SaveResult
    from phguide.core.hosts import Host

DEVICE_TEXT: Final = (
    "Approve phguide in your browser, where any sign-in works: SSO, passkeys, two-factor. "
    "PostHog then gives phguide a new personal API key for the project you pick "
    "(it counts toward your limit of 10 keys). No password is typed here."
)
TEN_KEYS: Final = "It counts toward your limit of 10 personal API keys."


class StartButton(Button):
    """Start browser approval, its Enter shown in the footer: a Button's own Enter is hidden and
    shadows the screen's "Browser approval" while the button has the focus (as on arrival)."""

    BINDINGS = [Binding("enter", "press", "Browser approval")]


class LoginBrowser(LoginWay):
    """Start the device flow, show the one-time code, wait, and keep the key it hands over."""

    device_shown: reactive[bool] = reactive(False, bindings=True)
    """True while the one-time code is on screen."""
    pending: reactive[Session | None] = reactive(None, bindings=True)
    """A session held back until the user has its unsaved key safe."""
    missing: tuple[str, ...] = ()
    """Scopes the last approved key lacked (empty when it could read the project)."""
    lacking_key_id: str | None = None
    """The keyring id of the last approved key that could not read: the user approves again
    to replace it, so the next approved key takes its place as the active key unasked."""

    def compose(self) -> ComposeResult:
        yield Static(DEVICE_TEXT, classes="way-text", id="device-text")
        yield StartButton(
            "Start browser approval", id="device-start", variant="primary", action="start"
        )
        yield DeviceCodePanel(id="device-panel")
        with Horizontal(id="device-buttons"):
            # Compact, and their keys left to the footer: four buttons fit the column.
            yield Button("Copy URL", id="device-copy", compact=True, action="screen.copy_url")
            yield Button(
                "Open browser", id="device-open", compact=True, action="screen.open_browser"
            )
            demo = self.services.demo
            if demo is not None and demo.approve_device is not None:
                yield Button(
                    "Approve (demo)",
                    id="device-demo-approve",
                    compact=True,
                    action="screen.demo_approve",
                )
            yield Button("Cancel", id="device-cancel", compact=True, action="screen.cancel")
        yield FreshKeyPanel(self.services)

    def on_mount(self) -> None:
        self.query_one("#device-buttons").display = False

    @property
    def url(self) -> str | None:
        """The approval page's address while a code is shown."""
        code = self.query_one(DeviceCodePanel).code
        return None if code is None else code.browser_url

    def action_start(self) -> None:
        """Start browser approval."""
        host = self.host()
        if host is not None:
            self._device_flow(host)

    def watch_device_shown(self, shown: bool) -> None:
        if not shown:
            self.query_one(DeviceCodePanel).hide()
        for selector in ("#device-text", "#device-start"):
            self.query_one(selector).display = not shown
        self.query_one("#device-buttons").display = shown

    @work(exclusive=True, group=LOGIN_GROUP, exit_on_error=False, description="device flow")
    async def _device_flow(self, host: Host) -> None:
        text = "Asking PostHog for a one-time code…"
        cancelled = "Browser approval cancelled."
        async with self.attempt(text, cancelled=cancelled, host=host) as attempt:
            try:
                attempt.client = client = self.services.client_factory(host, None)
                code = await client.start_device_flow()
                panel = self.query_one(DeviceCodePanel)
                panel.show(code)
                self.device_shown = True
                self.query_one("#device-copy", Button).focus(scroll_visible=False)
                self.open_browser(code.browser_url)
                # On a short terminal the code, its buttons and the progress below come into
                # view together, once laid out (one scroll: the button's own would race it).
                self.progress("Waiting for your approval in the browser…", reveal=panel)
                approval = await client.wait_for_device_approval(code, on_tick=panel.sync)
                self.device_shown = False
                attempt.keep = await self._adopt_device_key(host, client, approval)
            except DeviceFlowUnsupported:
                self.problem(
                    f"{host.label} does not offer browser approval (it is older than PostHog's "
                    "device flow).",
                    "Sign in with your email and password, or paste a personal API key.",
                )
            except DeviceCodeExpired as error:
                start = self.query_one("#device-start", Button)
                start.label = "Start again"
                self.post_message(self.Problem(error.message, error.fix, error=error))
                start.focus()
            finally:
                # Done, failed or cancelled: the one-time code is of no use any more.
                self.device_shown = False

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
            if not fresh.safe and self.fresh is not fresh:
                self._show_fresh(
                    fresh, None, "Sign-in stopped before the key was kept: copy it now."
                )
            raise

    async def _keep_device_key(
        self,
        host: Host,
        client: PostHogClient,
        approval: DeviceAuthorization,
        fresh: FreshKey,
    ) -> bool:
        """Find out what the key may do, save it, then sign in (or say what is missing)."""
        self.progress("Approved. Saving the new key and finding out what it may do…")
        try:
            reach = await assess_approval(client, approval)
        except BaseException:
            self._show_fresh(
                fresh, None, "phguide could not ask PostHog about the key: copy it now."
            )
            raise
        user = reach.user
        # Saved under the account when PostHog names it, else under the key's own label.
        account = user.email if user is not None else approval.label
        owner = Owner(host, account, "approved")
        # The same save path as the panel's `s`: its own keyring entry, read back equal.
        saved = await self.query_one(FreshKeyPanel).save(fresh, owner, replaces=self.lacking_key_id)
        if not reach.can_read or user is None:
            self._cannot_read(reach, fresh, owner, saved)
            return False
        project: Project | None = reach.project
        session = Session(
            host,
            client,
            "device",
            user=user,
            personal_key=approval.personal_api_key,
            personal_key_label=approval.label,
            selected_project=project,
        )
        if saved is None or not saved.verified:
            self.pending = session
            why = (
                f"{saved.result.message} {saved.result.fix}"
                if saved is not None
                else "The keyring failed."
            )
            self._show_fresh(fresh, owner, f"It could not be saved in the keyring: {why}")
            return True
        self.post_message(messages.SignedIn(session))
        # On the status line of the step signed in to, after its greeting: a toast would
        # cover that step's content (its "Only this project is listed" notice).
        said = (
            f"Signed in with a new personal API key, “{approval.label}”, saved in your "
            f"keyring ({self.services.store.name}).",
            self.services.store_note,
        )
        self.post_message(messages.Status(" ".join(part for part in said if part)))
        return True

    def _cannot_read(
        self, reach: ApprovalReach, fresh: FreshKey, owner: Owner, saved: SaveResult | None
    ) -> None:
        """The key is real but cannot read the project: keep it safe, say why, offer the rest."""
        if saved is not None and saved.verified:
            kept = f"It is saved in your keyring ({self.services.store.name}). "
            kept = (kept + self.services.store_note).strip()
        else:
            result = saved.result if saved is not None else None
            why = f"{result.message} {result.fix}" if result is not None else "The keyring failed."
            kept = f"It could not be saved in the keyring ({why}): copy it now."
        self._show_fresh(fresh, owner, f"{reach.summary()} {kept}")
        self.missing = reach.missing
        if saved is not None and saved.verified:
            self.lacking_key_id = fresh.key_id
        start = self.query_one("#device-start", Button)
        start.label = "Approve again"
        offers = "; ".join(f"{words}" for _, words in OFFERS)
        self.problem(
            "The approved key lacks "
            + " and ".join(reach.missing)
            + ". "
            + " ".join(reach.reasons()),
            f"{offers}. (Approve again: tick user:read and project:read on PostHog's page.)",
        )
        start.focus()

    # -- the approval page ----------------------------------------------------------------------
    @work(
        exclusive=True,
        group="browser",
        exit_on_error=False,
        thread=True,
        description="open browser",
    )
    def open_browser(self, url: str) -> None:
        """Open the approval page in the browser (a thread: a browser launcher can block)."""
        try:
            opened = self.services.open_url(url)
        except Exception:  # a broken launcher means "open it yourself", not a crash
            opened = False
        self.app.call_from_thread(self.query_one(DeviceCodePanel).set_browser_opened, opened)

    def demo_approve(self) -> None:
        """Approve the code as the demo user (the demo has no real browser sign-in)."""
        code = self.query_one(DeviceCodePanel).code
        demo = self.services.demo
        if code is not None and demo is not None and demo.approve_device is not None:
            self._demo_approve(demo.approve_device, code.user_code)

    @work(group="demo-approve", exit_on_error=False, thread=True, description="demo approve")
    def _demo_approve(self, approve: Callable[[str], None], user_code: str) -> None:
        try:
            approve(user_code)
        except Exception:  # the demo server may have been stopped, or the code expired
            self.app.call_from_thread(
                self.problem,
                "The demo server could not approve the code.",
                "Start browser approval again.",
            )

    # -- a device key that could not be saved ---------------------------------------------------
    @property
    def fresh(self) -> FreshKey | None:
        """The approved key on show until it is safe, if any."""
        try:
            return self.query_one(FreshKeyPanel).fresh
        except NoMatches:  # asked before the widget is composed
            return None

    def _show_fresh(self, fresh: FreshKey, owner: Owner | None, why: str) -> None:
        """Keep a new key on screen until the user has it safe: PostHog will not show it again."""
        panel = self.query_one(FreshKeyPanel)
        panel.show(fresh, "browser approval", owner)
        panel.note(f"{why} {TEN_KEYS}")
        panel.scroll_visible()

    @on(FreshKeyPanel.Done)
    def _fresh_done(self) -> None:
        """The key is safe and put away: carry on with the sign-in it came from."""
        session, self.pending = self.pending, None
        if session is not None:
            self.post_message(messages.SignedIn(session))
