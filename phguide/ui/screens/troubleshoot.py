"""Step 6: the guide's troubleshooting checklist made live, and a check for any pasted key."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, Final

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Select, Static

from phguide.core.diagnose import Diagnosis, diagnose_key
from phguide.core.hosts import Host
from phguide.core.secret import mask
from phguide.ui.hanging import Hanging
from phguide.ui.safe import escape
from phguide.ui.screens.base import StepScreen
from phguide.ui.widgets.busy import Busy
from phguide.ui.widgets.fields import CheckKeyField
from phguide.ui.widgets.problem import ProblemBox

if TYPE_CHECKING:
    from phguide.core.diagnose import Purpose, RowKind

INTRO = (
    "Paste any key: phguide says what it is, then asks PostHog whether it works, where, and "
    "with which scopes, and says what to do when it does not. The key is never shown or stored."
)

PURPOSES: Final[list[tuple[str, str]]] = [
    ("Just check it", "any"),
    ("For an SDK: sending events, feature flags", "sdk"),
    ("For PostHog's private API (/api/…)", "api"),
]

_PURPOSE_OF: Final[dict[object, Purpose]] = {"sdk": "sdk", "api": "api"}
_LEVELS: Final = {1: "member", 8: "admin", 15: "owner"}
_LABEL_STYLES: Final[dict[RowKind, str]] = {
    "problem": "bold red",
    "warning": "bold yellow",
    "note": "dim",
}
_TEXT_STYLES: Final[dict[RowKind, str]] = {
    "problem": "bold red",
    "warning": "bold yellow",
    "note": "dim",
}


class TroubleshootScreen(StepScreen):
    """The guide's "Troubleshooting" section: its checklist, and a live key check."""

    CSS_PATH = "troubleshoot.tcss"

    STEP_ID = "troubleshoot"
    AUTO_FOCUS = "#key-input"
    """The step is for checking a key: typing or pasting one goes into the field, never to the
    step's or the app's shortcuts (Escape leaves the field for them)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "focus_key", "Paste a key", id="focus-key-input"),
        Binding("escape", "cancel_check", "Cancel check", id="cancel-key-check"),
        Binding("escape", "leave_input", "Leave field", show=False, id="leave-key-input"),
        Binding("ctrl+r", "reveal_input", "Reveal key", id="reveal-key-input"),
        Binding("ctrl+r", "hide_input", "Hide key", id="hide-key-input"),
        Binding("l", "log_in", "Log in", id="troubleshoot-log-in"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._checking = False
        self._generation = 0
        """Counts checks, so a cancelled one cannot hide the progress of the next."""
        self.diagnosis: Diagnosis | None = None
        """The last verdict shown (for tests and the palette); never holds the key."""

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body", can_focus=False):
            yield Static(INTRO, id="troubleshoot-intro")
            with Horizontal(id="key-row"):
                yield CheckKeyField(
                    placeholder="Paste a key: phc_…, phx_…, or anything (hidden)",
                    password=True,
                    id="key-input",
                )
                yield Select(PURPOSES, value="any", allow_blank=False, id="key-purpose")
            yield CheckKeyField(
                placeholder="Project token (phc_…) the phs_ key is used with (optional)",
                id="token-input",
            )
            yield Static("", id="troubleshoot-host")
            yield Busy(id="key-progress", text_id="key-progress-text")
            yield ProblemBox(id="troubleshoot-problem")
            yield Static("", id="key-verdict")
            with Horizontal(id="checklist"):
                with Vertical(classes="check-panel", id="cant-find-panel"):
                    yield Static("[b]Can't find your project API key (project token)?[/b]")
                    yield Static("", id="cant-find")
                with Vertical(classes="check-panel", id="not-working-panel"):
                    yield Static("[b]API key not working?[/b]")
                    yield Static("", id="not-working")

    def on_mount(self) -> None:
        # Shown only for a project secret key: it is checked together with its project token.
        self.query_one("#token-input").display = False
        self.query_one(Busy).say(None)
        self.query_one("#key-verdict").display = False
        self.refresh_from_state()

    # -- where the check goes ---------------------------------------------------------------
    def _host(self) -> Host:
        """The session's PostHog; else the one chosen by --host or POSTHOG_HOST; else US."""
        session = self.state.session
        if session is not None:
            return session.host
        return self.services.host or self.services.clouds.us

    def refresh_from_state(self) -> None:
        host = self._host()
        other = self.services.clouds.other(host)
        where = f"Checks go to [b]{escape(host.label)}[/b]"
        if other is not None:
            where += (
                f", then to {escape(other.label)} if {escape(host.label)} does not know the key"
            )
        self.query_one("#troubleshoot-host", Static).update(where + ".")
        self.query_one("#cant-find", Static).update(Hanging(self._cant_find_text()))
        self.query_one("#not-working", Static).update(Hanging(self._not_working_text(host)))
        self.refresh_bindings()

    # -- the checklist ------------------------------------------------------------------------
    def _cant_find_text(self) -> str:
        session = self.state.session
        if session is None:
            return (
                "• [b]Permissions in your organization[/b]: log in ([b]l[/b]) and phguide shows "
                "your role in each.\n"
                "• [b]The right project[/b]: after logging in, step 3 lists every project "
                "with its key.\n"
                "• [b]No access?[/b] Ask your PostHog administrator to add you to the "
                "organization."
            )
        user = session.user
        roles = []
        blocked = []
        for org in user.organizations if user else ():
            level = _LEVELS.get(org.membership_level or 0, "member")
            roles.append(f"{escape(org.name)} ({level})")
            if not org.members_can_use_personal_api_keys and not org.is_admin:
                blocked.append(
                    f"{escape(org.name)}: members may not use personal API keys; ask its admin."
                )
        for listing in session.projects or ():
            if listing.error and not any(listing.organization.name in b for b in blocked):
                blocked.append(f"{escape(listing.organization.name)}: {escape(listing.error)}")
        project = session.selected_project or (user.team if user else None)
        if project is not None:
            chosen = f"[b]{escape(project.name)}[/b] (id {project.id}); change it in step 3."
        else:
            chosen = "none yet: pick one in step 3."
        lines = [
            "• [b]Your role[/b]: " + (", ".join(roles) if roles else "unknown with this key."),
            f"• [b]Project in use[/b]: {chosen}",
        ]
        if blocked:
            lines.append("• [b]Ask an admin[/b]:\n  " + "\n  ".join(blocked))
        else:
            lines.append("• [b]Ask an admin[/b] if a project is missing: phguide sees no block.")
        return "\n".join(lines)

    def _not_working_text(self, host: Host) -> str:
        session = self.state.session
        lines = [
            "• [b]The right type of key[/b]: paste it above. phc_ is for SDKs and /flags "
            "(public); phx_ for the private API (secret).",
            "• [b]Revoked or expired?[/b] The check above asks PostHog itself.",
            f"• [b]The right endpoint[/b]: SDKs and /flags use [b]{escape(host.ingest_url)}[/b]; "
            f"the private API uses [b]{escape(host.app_url)}/api/…[/b].",
        ]
        if session is not None and session.personal_key is not None:
            lines.append(
                f"• Signed in with personal key [b]{escape(session.personal_key.masked)}[/b]: "
                "paste it above to see its scopes."
            )
        return "\n".join(lines)

    # -- the check ------------------------------------------------------------------------------
    @on(Input.Changed, "#key-input")
    def _key_changed(self, event: Input.Changed) -> None:
        if not self.is_attached:  # a late change while the app quits: nothing left to show
            return
        token_input = self.query_one("#token-input", Input)
        secret = "phs_" in event.value[:40]
        if secret and not token_input.display and not token_input.value:
            session = self.state.session
            project = session.selected_project if session is not None else None
            if project is not None:
                token_input.value = project.api_token  # public: safe to show
        token_input.display = secret

    @on(Input.Submitted, "#token-input")
    def _token_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        key = self.query_one("#key-input", Input).value
        if key.strip():
            chosen = self.query_one("#key-purpose", Select).value
            self._check(key, _PURPOSE_OF.get(chosen), self._host())

    @on(Input.Submitted, "#key-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self._show_problem("Paste a key first (k puts the cursor in the field).")
            return
        chosen = self.query_one("#key-purpose", Select).value
        self._check(event.value, _PURPOSE_OF.get(chosen), self._host())

    @work(exclusive=True, group="diagnose", exit_on_error=False, description="check")
    async def _check(self, value: str, purpose: Purpose | None, host: Host) -> None:
        """Diagnose a key; cancellable with Escape."""
        self._generation += 1
        generation = self._generation
        self._checking = True
        self.query_one(ProblemBox).clear()
        self.query_one(Busy).say(f"Checking {mask(value.strip())} on {host.label}…  Esc cancels.")
        self.refresh_bindings()
        try:
            token_input = self.query_one("#token-input", Input)
            token = token_input.value.strip() if token_input.display else ""
            diagnosis = await diagnose_key(
                value,
                host,
                self.services.clouds,
                self.services.client_factory,
                project_token=token or None,
                purpose=purpose,
                # This screen says it asks the other region too (SECURITY.md); check does not.
                ask_other_region=True,
            )
        except asyncio.CancelledError:
            if generation == self._generation:
                self._show_problem("Check cancelled.", notice=True)
            raise
        except Exception:  # the worker boundary: never a traceback on screen
            self._show_problem("The check failed unexpectedly.", "Try again.")
            return
        finally:
            if generation == self._generation:
                self._checking = False
                self.query_one(Busy).say(None)
                self.refresh_bindings()
        self._show(diagnosis)

    def _show_problem(self, message: str, fix: str = "", *, notice: bool = False) -> None:
        """Say why there is no verdict (in place of the last one)."""
        self.query_one("#key-verdict").display = False
        self.query_one(ProblemBox).show(message, fix, notice=notice)

    def _show(self, diagnosis: Diagnosis) -> None:
        self.diagnosis = diagnosis
        if diagnosis.valid is True and not diagnosis.errors:
            mark = ("✔ ", "bold green")
        elif diagnosis.valid is True or diagnosis.valid is None:
            mark = ("! ", "bold yellow")
        else:
            mark = ("✘ ", "bold red")
        parts: list[tuple[str, str]] = [mark, (diagnosis.verdict, "bold")]
        for row in diagnosis.rows():
            if row.kind == "verdict":
                continue  # said above, in bold
            if row.kind == "explain":
                parts.append((f"\n{'':12}{row.text}", "dim"))
                continue
            parts.append((f"\n{row.label + ':':<11} ", _LABEL_STYLES.get(row.kind, "bold")))
            parts.append((row.text, _TEXT_STYLES.get(row.kind, "")))
            if row.fix:
                parts.append((f"\n  Fix:      {row.fix}", "green"))
        # Each row is one line whose wrapped lines go on under its text, not under its label.
        text = Hanging(Content.assemble(*parts))
        verdict = self.query_one("#key-verdict", Static)
        verdict.update(text)
        verdict.display = True
        self.guide.status = f"{diagnosis.mask}: {diagnosis.verdict}"

    # -- actions ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        key_focused = self.focused is not None and self.focused.id == "key-input"
        if action == "cancel_check":
            return self._checking
        if action == "leave_input":
            return key_focused and not self._checking
        if action == "focus_key":
            return not key_focused
        if action == "log_in":
            return self.state.session is None
        if action in ("reveal_input", "hide_input"):
            # One key, two words: the footer says what ctrl+r does now.
            fields = self.query("#key-input").results(Input)
            field = next(fields, None)
            hidden = field is None or field.password
            return hidden == (action == "reveal_input")
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def on_paste(self, event: events.Paste) -> None:
        """A paste with the cursor elsewhere still lands in the key field."""
        field = self.query_one("#key-input", Input)
        if self.focused is not field:
            event.stop()
            field.value = event.text.strip()
            field.focus()

    def action_focus_key(self) -> None:
        """Put the cursor in the key field."""
        self.query_one("#key-input", Input).focus()

    def action_leave_input(self) -> None:
        """Leave the key field, so the number keys move between steps again."""
        self.set_focus(None)

    def action_cancel_check(self) -> None:
        """Stop the running check."""
        self.workers.cancel_group(self, "diagnose")

    def action_reveal_input(self) -> None:
        """Show what was pasted."""
        self.query_one("#key-input", Input).password = False
        self.refresh_bindings()

    def action_hide_input(self) -> None:
        """Hide what was pasted again."""
        self.query_one("#key-input", Input).password = True
        self.refresh_bindings()

    def action_log_in(self) -> None:
        """Go to the Log in step."""
        self.guide.action_go("log-in")
