"""Log in with a pasted personal API key: checked with PostHog, then saved or used as is."""

from __future__ import annotations

from typing import Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Button, Input, Static

from phguide.core.diagnose import classify
from phguide.core.secret import Secret
from phguide.core.state import Session
from phguide.ui import messages
from phguide.ui.widgets.fields import CheckKeyField
from phguide.ui.widgets.login_way import LoginWay, close_client

KEY_TEXT: Final = (
    "Paste a personal API key (phx_…) you already have. It stays masked and is checked "
    "with PostHog before it is used."
)

_WRONG_KIND: Final = {
    "project": (
        "That is a Project API key, the project token (phc_…): it is public and only sends "
        "events, so it cannot sign in. Paste a personal API key (phx_…); the next step shows "
        "your project API key."
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
    if found.legacy_key:
        return None  # personal keys from before the phx_ prefix: PostHog decides, not the form
    looks_like = (
        f"That looks like {found.looks_like}, not a PostHog key. " if found.looks_like else ""
    )
    return (
        f"{looks_like}Personal API keys start with phx_. Copy one from PostHog (Account settings "
        "→ Personal API keys), or create one in step 4."
    )


class LoginPaste(LoginWay):
    """A field for a personal key; once PostHog accepts it, save it in the keyring or continue."""

    checked: reactive[Session | None] = reactive(None, bindings=True)
    """The pasted key PostHog accepted, waiting for the user to save it or continue."""

    def compose(self) -> ComposeResult:
        yield Static(KEY_TEXT, classes="way-text")
        yield CheckKeyField(placeholder="phx_…", password=True, id="pasted-key")
        yield Static("", id="pasted-key-feedback")
        yield Button("Check key", id="key-submit", variant="primary", action="check")
        with Vertical(id="key-result"):
            yield Static("", id="key-result-text")
            with Horizontal(id="key-result-buttons"):
                yield Button(
                    "Save in keyring and continue (s)",
                    id="key-save",
                    variant="primary",
                    action="screen.save_pasted_key",
                )
                yield Button(
                    "Continue without saving", id="key-continue", action="screen.continue_pasted"
                )

    def on_mount(self) -> None:
        self.query_one("#key-result").display = False

    @on(Input.Changed, "#pasted-key")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        feedback = self.query_one("#pasted-key-feedback", Static)
        problem = pasted_key_problem(event.value) if event.value.strip() else None
        found = classify(event.value)
        if problem is not None:
            text = Text(problem)
        elif found.legacy_key:
            text = Text("No phx_ prefix: it may be an older personal API key. PostHog will say.")
        elif found.value:
            text = Text(f"Looks like a personal API key ({Secret(found.value).masked}).")
            for note in found.notes:
                text.append(f" {note}")
        else:
            text = Text()
        feedback.update(text)
        feedback.set_class(problem is not None, "-error")
        self.hide_checked()

    @on(Input.Submitted, "#pasted-key")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        """Check the pasted key with PostHog."""
        field = self.query_one("#pasted-key", Input)
        problem = pasted_key_problem(field.value)
        if problem is not None:
            self.problem(problem)
            field.focus()
            return
        host = self.host()
        if host is not None:
            self.hide_checked()
            self.check_key(host, Secret(classify(field.value).value), "pasted")

    def stop(self) -> None:
        super().stop()
        self.hide_checked()

    def key_checked(self, session: Session, missing: str) -> None:
        if session.method != "pasted":
            super().key_checked(session, missing)
            return
        self.checked = session
        user = session.user
        if user is not None:
            text = Text("✓ The key works", style="bold")
            text.append(f": it belongs to {user.display_name} ({user.email}) on ")
            text.append(
                f"{session.host.label}.\nSave it in the keyring for next time, or continue."
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

    def hide_checked(self) -> None:
        """Forget the checked key (its text changed, or another sign-in started)."""
        checked, self.checked = self.checked, None
        self.query_one("#key-result").display = False
        if checked is not None:
            self._close_later(checked)

    @work(group="login-close", exit_on_error=False, description="close later")
    async def _close_later(self, session: Session) -> None:
        await close_client(session.client)

    def continue_checked(self) -> None:
        """Sign in with the checked key, without saving it."""
        checked, self.checked = self.checked, None
        if checked is not None:
            self.query_one("#key-result").display = False
            self.post_message(messages.SignedIn(checked))

    def save_checked(self) -> None:
        """Save the checked key in the keyring, then continue."""
        checked = self.checked
        if checked is not None and checked.user is not None:
            self._save_checked(checked, checked.user.email)

    @work(exclusive=True, group="login-save", exit_on_error=False, description="save checked")
    async def _save_checked(self, checked: Session, email: str) -> None:
        button = self.query_one("#key-save", Button)
        button.disabled = True
        try:
            assert checked.personal_key is not None
            result = await self.save_key(checked.host, email, checked.personal_key, "pasted").wait()
        finally:
            button.disabled = False
        if result is None or not result.ok:
            message = result.message if result is not None else "The keyring failed."
            fix = result.fix if result is not None else "Continue without saving."
            self.problem(message, fix)
            return
        if self.checked is checked:
            self.continue_checked()
        # On the status line, after the greeting of the step signed in to: not in a toast
        # over that step's content.
        self.post_message(messages.Status(f"{result.message} {self.services.store_note}".strip()))
