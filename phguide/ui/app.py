"""PhGuideApp: the step bar, global keys, the command palette, and the secrets guard on quit."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from phguide.core.state import AppState, key_words
from phguide.services import Services
from phguide.ui import messages
from phguide.ui.resume import remember_session, remembered
from phguide.ui.steps import STEPS, step_by_id
from phguide.ui.styling import StyledOnceApp, screen_factory
from phguide.ui.widgets.step_bar import StepBar

if TYPE_CHECKING:
    from phguide.core.hosts import Host
    from phguide.core.state import FreshKey
    from phguide.system.clipboard import CopyResult


@dataclass(frozen=True)
class Said:
    """What the status line's text speaks of: the text goes when that changes."""

    step: str | None
    """The step it was said on (None: news of the clipboard, true on every step)."""
    host: Host | None = None
    """The PostHog it speaks of (an attempt on Log in), or None for no one host."""
    fresh: FreshKey | None = None
    """A new key the text urges the user to keep: the text goes once the key is safe."""


class PhGuideApp(StyledOnceApp):
    """The walkthrough. Every step is a mode, so each keeps its own screen and dialogs."""

    TITLE = "phguide"
    SUB_TITLE = "your PostHog API keys"
    CSS_PATH = "phguide.tcss"
    DEFAULT_MODE = STEPS[0].id
    """The step shown first, unless `__init__` is given another (its screen is Textual's default
    screen: see `get_default_screen`)."""
    BINDINGS = [
        *(
            Binding(str(n), f"go('{step.id}')", step.title, show=False, id=f"go-{step.id}")
            for n, step in enumerate(STEPS, start=1)
        ),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    status: reactive[str] = reactive("", always_update=True)
    """The status line's text (what was copied how, what was saved where). Set directly, it
    belongs to the step on show and goes when the step changes; `say` ties it to other state."""

    def __init__(self, services: Services, *, start: str = "key-types") -> None:
        resume_host = services.host if start == STEPS[0].id else None
        resuming = remembered(services, resume_host)
        if resuming is not None:
            # A returning user whose key showed a project key last time: step 3 comes first,
            # with that (public) key on screen while PostHog checks the saved personal key.
            start = "project-key"
        step_by_id(start)
        # Textual reads DEFAULT_MODE as it starts: the start step's mode is the default one,
        # whose first screen is the default screen (see `get_default_screen`).
        self.DEFAULT_MODE = start  # type: ignore[misc]
        super().__init__()
        for step in STEPS:
            if step.id != start:  # the start step's mode is named once its screen exists
                self.add_mode(step.id, screen_factory(step.module, step.screen))
        self.services = services
        """The dependencies this app was built with."""
        self.state = AppState(resuming=resuming)
        """What every step shares."""
        self._start = start
        self._countdown: Timer | None = None
        self._countdown_base = ""
        self._said = Said(None)
        """What the status line's text speaks of."""
        self._saying: Said | None = None
        """What the text being set speaks of, when `say` sets it."""
        self._terminal: Driver | None = None
        """The driver writing to the terminal, once Textual has built it (not headless)."""
        self._resume_host = resume_host
        """The host whose held key `on_ready` signs in with (a returning user), if any."""
        self._step_shown = self._start
        """The step on show, to put away what was left revealed on it when another shows."""

    def get_default_screen(self) -> Screen[None]:
        """The start step's screen, built as Textual builds its default screen.

        Textual re-parses every stylesheet when a mode's first screen comes from its modes, but
        not for the default screen: the start step is not a mode until `on_mount` names it, so
        the first frame parses the CSS once, as a bare app does.
        """
        start = step_by_id(self._start)
        return screen_factory(start.module, start.screen)()

    def on_mount(self) -> None:
        # The start step's mode exists now (its screen is the default screen): naming it lets
        # `switch_mode` come back to that screen.
        start = step_by_id(self._start)
        self.add_mode(start.id, screen_factory(start.module, start.screen))
        self.services.clipboard.terminal = self._terminal_copy
        self.mode_change_signal.subscribe(self, self._step_changed, immediate=True)
        if self.services.demo is not None:
            self.sub_title = "demo: a PostHog on this machine, no account needed"

    def on_ready(self) -> None:
        if not gc.isenabled():
            # `phguide` paused the collector for the start (see `run_app`). What the start built
            # lives as long as the app: frozen, later collections need not walk it again.
            gc.freeze()
            gc.enable()
        if self._resume_host is not None:
            # Once the first frame is up (Textual's Ready): reading the keyring and loading
            # httpx would hold the interpreter while that frame is built. Not after the next
            # refresh either: that came after the first screen's own follow-up layouts.
            self._resume(self._resume_host)

    # -- the status line ---------------------------------------------------------------------
    def say(
        self,
        text: str,
        *,
        any_step: bool = False,
        host: Host | None = None,
        fresh: FreshKey | None = None,
    ) -> None:
        """Put text on the status line, tied to what it speaks of, so it goes when that changes.

        Args:
            text: What to say.
            any_step: True for news that stays true on every step (the clipboard's countdown);
                otherwise the text belongs to the step on show.
            host: The PostHog the text speaks of: it goes when Log in's host changes.
            fresh: The new key the text urges to keep safe: it goes once the key is safe.
        """
        self._saying = Said(None if any_step else self.current_mode, host, fresh)
        self.status = text

    def unsay(self) -> None:
        """Take back what the status line says of the step on show (a new attempt begins)."""
        if self._said.step is not None and self._said.step == self.current_mode:
            self.status = ""

    def watch_status(self) -> None:
        self._said = self._saying or Said(self.current_mode)
        self._saying = None

    def _step_changed(self, step_id: str) -> None:
        if self._said.step is not None and self._said.step != step_id:
            self.status = ""
        left, self._step_shown = self._step_shown, step_id
        if left != step_id:
            self._mask_keys(left)

    def _mask_keys(self, step_id: str) -> None:
        """Mask again every key revealed on a step left: coming back shows none in clear."""
        from phguide.ui.widgets.secret_field import KeyBox

        try:
            stack = self.get_screen_stack(step_id)
        except KeyError:  # never shown as a mode
            return
        for screen in stack:
            for box in screen.query(KeyBox).results(KeyBox):
                box.revealed = False

    def on_fresh_key_panel_changed(self) -> None:
        # By name, so the app need not import the panel: a new key's state changed.
        fresh = self._said.fresh
        if fresh is not None and fresh.safe:
            self.status = ""

    def host_changed(self, host: Host | None) -> None:
        """Log in's host changed: what was said of another PostHog goes."""
        if self._said.host is not None and self._said.host != host:
            self.status = ""

    # -- navigation --------------------------------------------------------------------------
    def action_go(self, step_id: str) -> None:
        """Show a step, asking first while a fresh key is on screen and not safe yet."""
        step_by_id(step_id)
        unsafe = self.state.unsafe_fresh_keys()
        if not unsafe or step_id == self.current_mode:
            self.switch_mode(step_id)
            return
        self._confirm_leaving_keys(
            "Leave without your new key?",
            "Leave only if you have it somewhere safe.",
            "I have it, leave",
            partial(self.switch_mode, step_id),
        )

    def _confirm_leaving_keys(
        self, title: str, advice: str, yes: str, then: Callable[[], object]
    ) -> None:
        from phguide.ui.dialogs.leaving_keys import confirm_leaving_keys

        confirm_leaving_keys(self, self.state, title, advice, yes, then)

    @on(StepBar.Jump)
    def _jump(self, event: StepBar.Jump) -> None:
        self.action_go(event.step_id)

    @on(messages.SignedIn)
    def _signed_in(self, event: messages.SignedIn) -> None:
        if not self.is_running:
            # Closing: no step may open. Under `run_test` Textual closes the screens while the
            # app's loop still runs, and a returning user's check that answered then opened
            # step 3 and broke the close (a new screen stack while it walked them).
            return
        old = self.state.session
        self.state.session = event.session
        if old is not None and old.client is not event.session.client:
            self._close_client(old.client)
        session = event.session
        who = session.user.email if session.user else "you"
        # The step first: the news belongs to the step it lands on.
        already = self.current_mode == "project-key"
        self.switch_mode("project-key")
        if already:  # no switch, so no ScreenResume: the step shows the session itself
            self.refresh_step("project-key")
        self.status = f"Signed in to {session.host.label} as {who}."
        shown_first, self.state.resuming = self.state.resuming, None
        if session.method in ("keyring", "environment") and session.personal_key is not None:
            # A key phguide found, not one typed now: say which (by its variable, and which
            # variable won when several are set), and where to change it.
            how = key_words(session.method, self.services.env_key_variable)
            note = self.services.env_key_note if session.method == "environment" else ""
            self.status = (
                f"Signed in to {session.host.label} as {who} with {how} "
                f"({session.personal_key.masked}).{f' {note}' if note else ''} "
                "Another key or account: 2 Log in."
            )
        if shown_first is not None and shown_first.replaced_by(session):
            self.status += (
                " PostHog's project key is not the one phguide remembered from last time: "
                "if you copied that one, copy this one instead."
            )

    @work(group="resume", exclusive=True, exit_on_error=False, description="resume")
    async def _resume(self, host: Host) -> None:
        """A returning user: sign in with the key held for the host, when PostHog accepts it.

        A key that does not work leaves the app where it is: step 3 says why when it showed
        the remembered project key, else Log in says why when the user tries the key there.
        """
        from phguide.ui.resume import NotResumed, remember, resume

        outcome = await resume(self.services, host)
        resuming = self.state.resuming
        if outcome is None or isinstance(outcome, NotResumed):
            if resuming is not None:
                why = outcome or NotResumed(
                    "phguide holds no key for this PostHog now.", "Press l to log in."
                )
                self.state.resuming = replace(resuming, failed=(why.message, why.fix))
                self.refresh_step("project-key")
            return
        session = outcome.session
        if self.state.session is not None or self.current_mode != self._start:
            self.state.resuming = None
            await session.client.aclose()  # the user has moved on meanwhile
            return
        self.post_message(messages.SignedIn(session))
        if outcome.held is not None:
            await asyncio.to_thread(remember, self.services, outcome.held, session.user)

    def refresh_step(self, step_id: str) -> None:
        """Show the state again on a step, if it is the one on screen."""
        from phguide.ui.screens.base import StepScreen

        screen = self.screen
        if self.current_mode == step_id and isinstance(screen, StepScreen):
            screen.show_once_mounted(screen.refresh_from_state)

    @on(messages.SignedOut)
    def _signed_out(self, event: messages.SignedOut) -> None:
        if not self.is_running:  # closing: no step may open (see `_signed_in`)
            return
        old = self.state.session
        self.state.session = None
        if old is not None:
            self._close_client(old.client)
        self.switch_mode("log-in")
        self.status = event.reason

    @on(messages.FreshKeyIssued)
    def _fresh_key(self, event: messages.FreshKeyIssued) -> None:
        self.state.issued(event.fresh, event.account)

    @on(messages.FreshKeyPutAway)
    def _fresh_key_put_away(self, event: messages.FreshKeyPutAway) -> None:
        self.state.put_away(event.fresh)

    @work(group="close-client", exit_on_error=False, description="close client")
    async def _close_client(self, client: object) -> None:
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()

    # -- clipboard -------------------------------------------------------------------------
    def _terminal_copy(self, text: str) -> None:
        """Send text to the terminal's clipboard with OSC 52 (also wrapped for tmux)."""
        from phguide.system.clipboard import in_tmux, osc52_sequence

        stream = sys.__stderr__  # where Textual's Linux driver writes
        if not self.is_headless and (stream is None or not stream.isatty()):
            # Redirected (to a file, a pipe, a recording): the sequence would land there,
            # secret and all, instead of reaching a terminal's clipboard.
            raise OSError("the app's output is not a terminal")
        # Textual's own copy keeps `app.clipboard` and sends the plain sequence (which tmux
        # takes with `set-clipboard on`); tmux's passthrough needs the wrapped one as well.
        self.copy_to_clipboard(text)
        if in_tmux() and self._terminal is not None:
            both = osc52_sequence(text, tmux=True)
            self._terminal.write(both[: -len(osc52_sequence(text, tmux=False))])

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal, made to note itself on the app when built.

        Writing the tmux-wrapped OSC 52 needs the driver, which Textual keeps private.
        """
        base = super().get_driver_class()
        app = self

        class NotedDriver(base):  # type: ignore[valid-type, misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                app._terminal = self

        return NotedDriver

    @work(group="clipboard", exit_on_error=False, thread=True, description="copy text")
    def copy_text(self, text: str, *, secret: bool, what: str) -> CopyResult:
        """Copy text (in a thread: the system clipboard can hang) and say how it went.

        Args:
            text: The value to copy.
            secret: Clear it from the clipboard after the timeout if it is still there.
            what: What was copied, for the status line ("the project API key").
        """
        result = self.services.clipboard.copy(text, secret=secret)
        self.call_from_thread(self._copied, result, secret, what)
        return result

    @on(messages.Copied)
    def _copied_elsewhere(self, event: messages.Copied) -> None:
        self._copied(event.result, event.secret, event.what)

    @on(messages.Status)
    def _status(self, event: messages.Status) -> None:
        self.status = event.text

    def _copied(self, result: CopyResult, secret: bool, what: str) -> None:
        if result.method == "none":
            # On the status line, not in a toast: a toast would cover the step's content.
            self.status = result.message
            return
        self.status = f"{what[:1].upper()}{what[1:]}: {result.message}"
        if secret and self.services.clipboard.pending_secret_deadline is not None:
            self._start_clear_countdown()

    def _start_clear_countdown(self) -> None:
        """Count down on the status line, then clear the secret if the clipboard still has it."""
        if self._countdown is not None:
            self._countdown.stop()
        self._countdown_base = self.status
        self._countdown = self.set_interval(1.0, self._tick_countdown, name="clipboard-countdown")
        self._tick_countdown()

    def _tick_countdown(self) -> None:
        clipboard = self.services.clipboard
        deadline = clipboard.pending_secret_deadline
        left = 0.0 if deadline is None else deadline - clipboard.clock()
        if left <= 0:
            if self._countdown is not None:
                self._countdown.stop()
                self._countdown = None
            self._clear_clipboard()
            return
        if self._countdown_base and self.status.startswith(self._countdown_base):
            # Only while the line still speaks of the copy: news since (a save) stays shown.
            # The clipboard is the same on every step: so is its countdown.
            self.say(f"{self._countdown_base} (cleared in {math.ceil(left)} s)", any_step=True)

    @work(group="clipboard-clear", exit_on_error=False, thread=True, description="clear clipboard")
    def _clear_clipboard(self) -> None:
        if self.services.clipboard.clear_if_unchanged():
            self.call_from_thread(setattr, self, "status", "Cleared the secret from the clipboard.")

    # -- the browser ----------------------------------------------------------------------
    @work(group="open-url", exit_on_error=False, thread=True, description="open page")
    def open_page(self, url: str) -> None:
        """Open a page in the browser (in a thread: a browser launcher can block), and say so."""
        try:
            opened = self.services.open_url(url)
        except Exception:  # a broken browser launcher is the same as none
            opened = False
        status = f"Opened {url} in your browser." if opened else f"Open this page: {url}"
        self.call_from_thread(setattr, self, "status", status)

    # -- quitting -------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Quit, but never with a fresh key that is not safe yet."""
        unsafe = self.state.unsafe_fresh_keys()
        if not unsafe:
            self.exit()
            return
        self._confirm_leaving_keys(
            "Quit without your new key?",
            "If you quit now you will have to roll it or create another.",
            "Quit anyway",
            self.exit,
        )

    def on_unmount(self) -> None:
        # Whatever happens, don't leave a secret on the clipboard behind us.
        with contextlib.suppress(Exception):  # exiting: the clipboard may already be gone
            self.services.clipboard.clear_if_unchanged()
        with contextlib.suppress(Exception):  # a head start for next time, never in the way
            remember_session(self.services, self.state)
        self.services.close()

    # -- command palette --------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for n, step in enumerate(STEPS, start=1):
            if step.id != self.current_mode:
                yield SystemCommand(
                    f"Go to step {n}: {step.title}",
                    f"Show the {step.title} step",
                    partial(self.action_go, step.id),
                )
        from phguide.ui.log_out import log_out_commands
        from phguide.ui.switch_account import account_commands

        yield from account_commands(self)
        yield from log_out_commands(self)
        # What the footer offers now, and nothing else: `active_bindings` asks each binding's
        # owner (`check_action`), so an action that cannot run is not listed.
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.show and binding.description and active.enabled:
                if binding.action.startswith("app.go(") or binding.action == "quit":
                    continue
                yield SystemCommand(
                    binding.description,
                    f"Key: {binding.key_display or self.get_key_display(binding)}",
                    partial(self.call_later, self.run_action, binding.action, active.node),
                )
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command
        yield SystemCommand(
            "Screenshot",
            "Save an SVG picture of the screen (secrets masked)",
            lambda: self.set_timer(0.1, self.save_screenshot_masked),
        )

    def save_screenshot_masked(self) -> None:
        """Save the screen as SVG where a folder is writable, never with a secret in it."""
        from phguide.ui.screenshot import save_masked

        secrets = self.state.secrets()
        if self.services.env_key is not None:
            secrets.append(self.services.env_key)
        self.status = save_masked(self.export_screenshot(), secrets)
