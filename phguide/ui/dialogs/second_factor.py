"""The second step of a password login: `SecondFactorDialog` returns the code typed, or None."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from phguide.api.errors import PostHogError
from phguide.ui.widgets.problem import ProblemBox

SecondFactorKind = Literal["totp", "email"]

_TITLES = {"totp": "Two-factor authentication", "email": "Check your email"}


class SecondFactorDialog(ModalScreen[str | None]):
    """Ask for the authenticator (or backup) code, or for the code PostHog emailed.

    The dialog only collects a code: the caller verifies it and, when it is wrong, opens the
    dialog again with `error` so the user can retry where they were.

    Args:
        kind: ``"totp"`` (authenticator app or backup code) or ``"email"`` (emailed code).
        email: Who is signing in (the emailed code went there).
        error: Why the previous code was refused, shown above the field.
        resend: Asks PostHog to email a new code (email only); raises `PostHogError`.
        hint: The demo's current code for this user, shown so the demo needs no mailbox or phone.
    """

    CSS_PATH = ["dialog.tcss", "second_factor.tcss"]

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="second-factor-cancel"),
        Binding("ctrl+r", "resend", "Resend code", id="second-factor-resend"),
    ]

    def __init__(
        self,
        kind: SecondFactorKind,
        email: str,
        *,
        error: str = "",
        resend: Callable[[], Awaitable[None]] | None = None,
        hint: Callable[[], str | None] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.kind = kind
        """Which code is asked for."""
        self._email = email
        self._error = error
        self._resend = resend if kind == "email" else None
        self._hint = hint

    def compose(self) -> ComposeResult:
        if self.kind == "totp":
            body = (
                "Enter the 6-digit code from your authenticator app, or one of your backup codes."
            )
            placeholder = "123456 or a backup code"
        else:
            body = f"PostHog emailed a 6-digit sign-in code to {self._email}. Enter it here."
            placeholder = "123456"
        with Vertical(id="dialog-box"):
            yield Label(_TITLES[self.kind], id="dialog-title")
            yield Static(body, id="dialog-body", markup=False)
            yield Input(placeholder=placeholder, id="second-factor-code", max_length=40)
            yield Static(Text(self._error), id="second-factor-error", classes="-error")
            yield Static("", id="second-factor-note")
            yield ProblemBox(id="second-factor-problem")
            yield Static("", id="second-factor-hint")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="second-factor-cancel-button")
                if self._resend is not None:
                    yield Button("Resend code", id="second-factor-resend-button")
                yield Button("Verify", id="second-factor-verify", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#second-factor-error").display = bool(self._error)
        self.query_one("#second-factor-note").display = False
        hint = self.query_one("#second-factor-hint")
        hint.display = self._hint is not None
        if self._hint is not None:
            self._show_hint()
            # An authenticator code changes every 30 seconds: keep the demo's hint current.
            self.set_interval(1.0, self._show_hint, name="second-factor-hint")
        self.query_one("#second-factor-code", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resend":
            return self._resend is not None
        return True

    # -- answering --------------------------------------------------------------------------
    @on(Input.Submitted, "#second-factor-code")
    @on(Button.Pressed, "#second-factor-verify")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        # People paste "123 456" or a code with a trailing newline: spaces never belong in it.
        code = "".join(self.query_one("#second-factor-code", Input).value.split())
        if not code:
            self._show_error("Enter the code first.")
            return
        self.dismiss(code)

    @on(Button.Pressed, "#second-factor-cancel-button")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Give up on this sign-in."""
        self.dismiss(None)

    # -- resending --------------------------------------------------------------------------
    @on(Button.Pressed, "#second-factor-resend-button")
    def _resend_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_resend()

    def action_resend(self) -> None:
        """Ask PostHog to email a new code."""
        if self._resend is not None:
            self._send_again(self._resend)

    @work(
        exclusive=True, group="second-factor-resend", exit_on_error=False, description="send again"
    )
    async def _send_again(self, resend: Callable[[], Awaitable[None]]) -> None:
        self.query_one(ProblemBox).clear()
        self._show_note(Text("Sending a new code…"))
        button = self.query_one("#second-factor-resend-button", Button)
        button.disabled = True
        try:
            await resend()
        except PostHogError as error:
            self._resend_failed(error.message, error.fix)
        except Exception:  # the dialog must stay usable whatever the resend did
            self._resend_failed("Could not ask for a new code.", "Try again in a minute.")
        else:
            self._show_note(Text(f"A new code was sent to {self._email}."))
            self._show_hint()
        finally:
            button.disabled = False

    # -- showing ----------------------------------------------------------------------------
    def _show_error(self, message: str) -> None:
        error = self.query_one("#second-factor-error", Static)
        error.update(Text(message))
        error.display = True

    def _resend_failed(self, message: str, fix: str) -> None:
        self.query_one("#second-factor-note").display = False
        self.query_one(ProblemBox).show(message, fix)

    def _show_note(self, text: Text) -> None:
        note = self.query_one("#second-factor-note", Static)
        note.update(text)
        note.display = True

    def _show_hint(self) -> None:
        if self._hint is None:
            return
        try:
            code = self._hint()
        except Exception:  # the demo's hint is a convenience; never let it break the dialog
            code = None
        text = Text("Demo: ", style="bold")
        text.append(f"the current code is {code}" if code else "no code has been issued yet")
        self.query_one("#second-factor-hint", Static).update(text)
