"""Step 4: the user's personal API keys: list, create, roll, delete, and a new key shown once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar, Final

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from phguide.api.errors import (
    InvalidInput,
    NotAuthenticated,
    PostHogError,
    ReauthRequired,
)
from phguide.api.models import NewPersonalApiKey, OrgProjects, PersonalApiKey
from phguide.core import key_changes
from phguide.core.accounts import KeySource
from phguide.core.state import FreshKey, Session
from phguide.ui import messages
from phguide.ui.dialogs.create_key import KeySpec
from phguide.ui.mounted import mounted
from phguide.ui.safe import content
from phguide.ui.screens.personal_keys_words import (
    SPEC_FIELDS,
    Change,
    change_lost,
    change_unknown,
    confirm_dialog,
    count_text,
    create_dialog,
    create_lost,
    create_unknown,
    deleted_lost,
    key_session_text,
    org_warning,
    restricted_orgs,
    why_not_create,
)
from phguide.ui.screens.signed_in import SignedInStep
from phguide.ui.widgets.busy import Busy
from phguide.ui.widgets.fresh_key import FRESH_KEY_BINDINGS, FreshKeyHost, FreshKeyPanel, Owner
from phguide.ui.widgets.keys_table import KeysTable

_REAUTH_REASON: Final = (
    "Managing personal API keys needs a sign-in less than 2 hours old: log in again."
)


LISTING: Final = "Listing your personal API keys…"


class PersonalKeysScreen(SignedInStep, FreshKeyHost):
    """The guide's "Finding your Personal API key" steps, done for real.

    A create, roll or delete runs over the ready table: its progress shows above the table, and
    what went wrong in the problem box while the table stays.
    """

    CSS_PATH = "personal_keys.tcss"

    STEP_ID = "personal-keys"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "create", "Create key", id="create-key"),
        Binding("r", "roll", "Roll", id="roll-key"),
        Binding("d", "delete", "Delete", id="delete-key"),
        Binding("f5", "refresh_keys", "Reload", id="refresh-keys"),
        Binding("escape", "stop_loading", "Stop", id="stop-listing-keys"),
        Binding("o", "open_web", "Open in browser", id="open-personal-keys"),
        # Signed out, Enter goes to Log in (the footer shows ⏎); signed in, only l does.
        Binding("enter,l", "log_in('signed-out')", "Log in", id="personal-keys-enter-log-in"),
        Binding("l", "log_in", "Log in", id="personal-keys-log-in"),
        *FRESH_KEY_BINDINGS,
    ]

    busy = reactive(False, bindings=True, init=False)
    """A listing or a change is running (the keys that would start another wait)."""
    reauth = reactive(False, bindings=True, init=False)
    """PostHog asked for a fresh sign-in: `l` ends this session and goes to Log in."""
    cursor = reactive(-1, bindings=True, init=False)
    """The table's cursor row: roll and delete apply to the key there."""
    fresh_safe: reactive[bool | None] = reactive[bool | None](None, bindings=True, init=False)
    """Whether the new key on show is safe (None: there is none): `n` and `r` wait for it."""

    INTRO = (
        "In PostHog's web app this is [b]Account settings → Personal API keys[/b] (your profile "
        "picture, bottom left). A personal key is [b]secret[/b]: use it on servers, keep it in an "
        "environment variable, never in frontend code or version control."
    )
    SIGNED_OUT = (
        "[b]Log in first.[/b]\n\n"
        "phguide lists, creates, rolls and deletes your personal API keys once you have logged in "
        "with your email and password. Press [b]l[/b] to go to [b]Log in[/b]."
    )
    LOADING = LISTING

    def compose_above(self) -> ComposeResult:
        yield FreshKeyPanel(self.services)

    def compose_ready(self) -> ComposeResult:
        with Vertical(id="personal-keys-main"):
            yield Busy(id="personal-keys-busy", text_id="personal-keys-busy-text")
            yield Static("", id="personal-keys-count")
            yield KeysTable(id="keys-table")
            yield Static("", id="personal-keys-orgs", classes="warning", markup=False)

    def on_mount(self) -> None:
        self.query_one(KeysTable).add_sized_columns()
        self.query_one("#personal-keys-busy", Busy).say(None)

    # -- state ------------------------------------------------------------------------------
    def start(self, session: Session) -> None:
        self.reauth = False
        if not session.can_manage_keys:
            self.say_unavailable(key_session_text(session))
            self.phase = "signed-out"
            return
        self._load(session)

    def _show_failure(self, error: PostHogError, doing: str) -> None:
        """Say what failed, why, and what to do (log in again when the sign-in is too old)."""
        fix: str | Content = error.fix
        if isinstance(error, ReauthRequired | NotAuthenticated):
            self.reauth = True
            again = "Press [b]l[/b] to log in again."
            fix = content(f"$fix\n{again}" if error.fix else again, fix=error.fix)
        self.problem.show(f"{doing}: {error.message}", fix)

    def _unexpected(self, then: str) -> None:
        """Say a bug stopped a listing or a change (never its traceback)."""
        self.problem.show("Something unexpected went wrong.", content(then))

    def _progress(self, text: str | None) -> None:
        """Say what runs over the table (None: nothing does)."""
        self.busy = text is not None
        self.query_one("#personal-keys-busy", Busy).say(text)

    # -- listing ----------------------------------------------------------------------------
    @work(exclusive=True, group="personal-keys", exit_on_error=False, description="load")
    async def _load(self, session: Session) -> None:
        """List the user's keys (and fetch who they are if the log-in did not)."""
        if self.phase != "ready":
            self.phase = "loading"
        self._progress(LISTING)
        try:
            if session.user is None:
                session.user = await session.client.me()
            if session.projects is None:
                # Project names for the table and the create form, fetched alongside.
                keys, session.projects = await asyncio.gather(
                    session.client.list_keys(), _projects_or_none(session)
                )
            else:
                keys = await session.client.list_keys()
        except PostHogError as error:
            if session is self.state.session:
                self._show_failure(error, "Could not list your keys")
                self.phase = "error"
            return
        except Exception:  # the worker boundary: never a traceback on screen
            if session is self.state.session:
                self._unexpected("Press [b]F5[/b] to try again.")
                self.phase = "error"
            return
        finally:
            self._progress(None)
        if session is self.state.session:
            self._show_keys(keys)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        table = self.query_one(KeysTable)
        if table.sized_for_another_width and self.phase == "ready":
            self.call_after_refresh(self._show_keys, table.keys)

    def _show_keys(self, keys: Sequence[PersonalApiKey], select: str | None = None) -> None:
        table = self.query_one(KeysTable)
        table.show(keys, self.state.session, select)
        self._show_count()
        self._show_org_warnings()
        self.cursor = table.cursor_row
        self.phase = "ready"
        if self.focused is None:
            # Not scrolled to: the step's first lines stay on screen. Scrolling raced the
            # table's layout (at 80x24 a snapshot came out scrolled one time in many).
            table.focus(scroll_visible=False)

    def _show_count(self) -> None:
        count = len(self.query_one(KeysTable).keys)
        self.query_one("#personal-keys-count", Static).update(count_text(count))

    def _show_org_warnings(self) -> None:
        lines = [org_warning(org) for org in restricted_orgs(self.state.session)]
        widget = self.query_one("#personal-keys-orgs", Static)
        widget.update("\n".join(f"⚠ {line}" for line in lines))
        widget.display = bool(lines)

    @property
    def selected_key(self) -> PersonalApiKey | None:
        """The key under the table's cursor."""
        return self.query_one(KeysTable).selected

    # -- create -----------------------------------------------------------------------------
    def action_create(self) -> None:
        """Ask for a label, scopes and projects, then create the key (or say why not now)."""
        why = why_not_create(len(self.query_one(KeysTable).keys), self.fresh)
        if why is not None:
            self.guide.status = why
            return
        self._ask_for_spec(None, {})

    def _ask_for_spec(self, initial: KeySpec | None, errors: dict[str, str]) -> None:
        dialog = create_dialog(self.state.session, initial, errors)
        self.app.push_screen(dialog, self._spec_chosen)

    def _spec_chosen(self, spec: KeySpec | None) -> None:
        session = self.state.session
        if spec is not None and session is not None:
            self._create(session, spec)

    @work(exclusive=True, group="personal-keys", exit_on_error=False, description="create")
    async def _create(self, session: Session, spec: KeySpec) -> None:
        """Create a key; when the answer is lost, find out whether the server made it."""
        self.problem.clear()
        self._progress(f"Creating “{spec.label}”…")
        client = session.client
        try:
            outcome = await key_changes.create(
                lambda: client.create_key(spec.label, spec.scopes, spec.scoped_teams),
                client.list_keys,
                label=spec.label,
                before={key.id for key in self.query_one(KeysTable).keys},
            )
        except InvalidInput as error:
            self._progress(None)
            if error.attr in SPEC_FIELDS:
                # The server knows the scope list; the form shows its word next to the field.
                self._ask_for_spec(spec, {error.attr or "": error.message})
            else:
                self._show_failure(error, "The key was not created")
            return
        except PostHogError as error:
            self._progress(None)
            self._show_failure(error, "The key was not created")
            return
        if isinstance(outcome, key_changes.Created):
            self._issue(outcome.new, "created")
            await self._relist(session, select=outcome.new.key.id)
            return
        self._progress(None)
        if isinstance(outcome, key_changes.Unknown):
            self.problem.show(*create_unknown(spec.label, outcome))
            return
        await self._relist(session, select=None)
        if isinstance(outcome, key_changes.CreatedButValueLost):
            self.query_one(KeysTable).select(outcome.listed.id)
        self.problem.show(*create_lost(spec.label, outcome))

    # -- roll and delete --------------------------------------------------------------------
    def action_roll(self) -> None:
        """Give the selected key a new value, after a warning."""
        self._confirm("roll")

    def action_delete(self) -> None:
        """Delete the selected key, after a warning."""
        self._confirm("delete")

    def _confirm(self, what: Change) -> None:
        key = self.selected_key
        if key is not None:
            dialog = confirm_dialog(what, key)
            self.app.push_screen(dialog, lambda yes: self._confirmed(yes, what, key))

    def _confirmed(self, yes: bool | None, what: Change, key: PersonalApiKey) -> None:
        session = self.state.session
        if yes and session is not None:
            self._change(session, what, key)

    @work(exclusive=True, group="personal-keys", exit_on_error=False, description="change")
    async def _change(self, session: Session, what: Change, key: PersonalApiKey) -> None:
        """Roll or delete a key, keep the keyring true, and say what happened."""
        self.problem.clear()
        doing = "Rolling" if what == "roll" else "Deleting"
        self._progress(f"{doing} “{key.label}”…")
        client = session.client
        try:
            if what == "roll":
                outcome: object = await key_changes.roll(
                    lambda: client.roll_key(key.id), client.list_keys, key
                )
            else:
                outcome = await key_changes.delete(
                    lambda: client.delete_key(key.id), client.list_keys, key
                )
        except PostHogError as error:
            self._progress(None)
            done = "rolled" if what == "roll" else "deleted"
            self._show_failure(error, f"“{key.label}” was not {done}")
            return
        if isinstance(outcome, key_changes.Created):
            # The new value replaces the old one in the keyring in the same step.
            accounts = self.services.accounts
            held = await asyncio.to_thread(accounts.held, session.host)
            kept = await asyncio.to_thread(
                accounts.replace_value, session.host, key.id, outcome.new.value
            )
            fresh = self._issue(outcome.new, "rolled")
            if kept.ok and any(h.key_id == key.id for h in held):
                # The keyring held it: the new value is there now, read back, so it is safe.
                fresh.saved = True
                self.query_one(FreshKeyPanel).note(kept.message)
            self.guide.status = f"Rolled “{key.label}”. {kept.message} {kept.fix}".strip()
        elif isinstance(outcome, key_changes.Deleted):
            kept = await asyncio.to_thread(self.services.accounts.forget, session.host, key.id)
            self.state.forget_fresh_key(key.id)
            self.guide.status = f"Deleted the personal API key “{key.label}”. {kept.message}"
            if outcome.lost is not None:
                said = deleted_lost(key.label, outcome.lost, kept.message)
                self.problem.show(*said, notice=True)
        elif isinstance(outcome, key_changes.Unknown):
            self._progress(None)
            self.problem.show(*change_unknown(doing, key.label, outcome))
            return
        else:
            assert isinstance(outcome, key_changes.CreatedButValueLost | key_changes.NotCreated)
            await self._relist(session, select=key.id)
            self.problem.show(*change_lost(what, key.label, outcome))
            return
        await self._relist(session, select=key.id if what == "roll" else None)

    async def _relist(self, session: Session, select: str | None) -> None:
        self._progress("Listing your personal API keys…")
        try:
            keys = await session.client.list_keys()
        except PostHogError as error:
            self._show_failure(error, "Could not list your keys again")
            return
        finally:
            self._progress(None)
        if session is self.state.session:
            self._show_keys(keys, select=select)

    # -- the fresh key ----------------------------------------------------------------------
    def _issue(self, new: NewPersonalApiKey, how: KeySource) -> FreshKey:
        fresh = FreshKey(new.value, new.key.label, key_id=new.key.id)
        self.post_message(messages.FreshKeyIssued(fresh, self.state.account()))
        session = self.state.session
        owner = None
        if session is not None and session.user is not None:
            owner = Owner(session.host, session.user.email, how)
        self.query_one(FreshKeyPanel).show(fresh, how, owner)
        self.guide.say(
            f"New personal API key “{fresh.label}”: save it or copy it now.", fresh=fresh
        )
        self.fresh_safe = fresh.safe
        return fresh

    @property
    def fresh(self) -> FreshKey | None:
        """The new key on screen, if any."""
        # The footer asks `check_action` as it composes, which can be before this screen's
        # own widgets are mounted: no panel yet means no new key yet.
        panels = mounted(self, FreshKeyPanel)
        return panels[0].fresh if panels else None

    @on(FreshKeyPanel.Changed)
    @on(FreshKeyPanel.Done)
    def _fresh_changed(self) -> None:
        fresh = self.fresh
        self.fresh_safe = None if fresh is None else fresh.safe

    # -- the rest ---------------------------------------------------------------------------
    def action_refresh_keys(self) -> None:
        """List the keys again."""
        session = self.state.session
        if session is not None and session.can_manage_keys:
            self.problem.clear()
            self._load(session)

    def action_open_web(self) -> None:
        """Open the personal keys page in PostHog."""
        session = self.state.session
        host = session.host if session is not None else self.services.host
        if host is not None:
            self.guide.open_page(host.personal_keys_url())

    def action_log_in(self, _how: str = "") -> None:
        """Go to Log in (ending the session first when PostHog asked for a fresh sign-in)."""
        if self.reauth and self.state.session is not None:
            self.post_message(messages.SignedOut(_REAUTH_REASON))
        else:
            self.guide.action_go("log-in")

    def action_stop_loading(self) -> None:
        """Stop a first listing that takes too long (a slow or rate-limited server)."""
        self.workers.cancel_group(self, "personal-keys")
        self._progress(None)
        self.problem.show("Stopped listing your keys.", content("Press [b]F5[/b] to try again."))
        self.phase = "error"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.state.session
        fresh = self.fresh
        ready = self.phase == "ready" and session is not None and session.can_manage_keys
        if action == "create":
            if not ready:
                return False
            # At the limit, or with a new key not yet safe (a second would push it off the
            # screen), `n` stays offered and says why it cannot create one now.
            return None if self.busy else True
        if action in ("roll", "delete"):
            if not ready:
                return False
            unsafe = action == "roll" and fresh is not None and not fresh.safe
            return None if self.busy or unsafe or self.selected_key is None else True
        if action == "stop_loading":
            # Only the first listing: a create, roll or delete must not be cut off half-way.
            return self.phase == "loading"
        if action == "refresh_keys":
            return session is not None and session.can_manage_keys and not self.busy
        if action == "open_web":
            return session is not None or self.services.host is not None
        if action == "log_in":
            if parameters:  # Enter or l while signed out
                return session is None
            return session is not None and (not session.can_manage_keys or self.reauth)
        return super().check_action(action, parameters)

    @on(DataTable.RowHighlighted)
    def _row_moved(self, event: DataTable.RowHighlighted) -> None:
        self.cursor = event.cursor_row

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # The one boundary of a create, roll or delete: a bug in a worker says so on screen
        # instead of vanishing.
        if event.state == WorkerState.ERROR:
            # (Once mounted, and never once the step has gone: a worker can fail as the app quits.)
            self.show_once_mounted(self._say_worker_failed)

    def _say_worker_failed(self) -> None:
        self._progress(None)
        self._unexpected("Press [b]F5[/b] to list your keys again.")


async def _projects_or_none(session: Session) -> list[OrgProjects] | None:
    """Every organization's projects, or None when they cannot be listed (names are a nicety)."""
    if session.user is None:
        return None
    try:
        return await session.client.all_projects(session.user)
    except PostHogError:
        return None
