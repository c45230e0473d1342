"""Step 4: the user's personal API keys: list, create, roll, delete, and a new key shown once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar, Final

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from phguide.api.errors import (
    InvalidInput,
    NotAuthenticated,
    PostHogError,
    ReauthRequired,
)
from phguide.api.models import NewPersonalApiKey, Organization, OrgProjects, PersonalApiKey
from phguide.core import key_changes
from phguide.core.accounts import KeySource
from phguide.core.state import METHOD_WORDS, FreshKey, Session
from phguide.core.when import ago, parse_time
from phguide.ui import messages
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.create_key import CreateKeyDialog, KeySpec, ProjectChoice
from phguide.ui.safe import escape
from phguide.ui.screens.base import StepScreen
from phguide.ui.widgets.fresh_key import FreshKeyPanel, Owner

MAX_KEYS: Final = 10
"""PostHog's limit of personal keys per user."""

_SPEC_FIELDS: Final = frozenset({"label", "scopes", "scoped_teams", "scoped_organizations"})

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

_REAUTH_REASON: Final = (
    "Managing personal API keys needs a sign-in less than 2 hours old: log in again."
)


class PersonalKeysScreen(StepScreen):
    """The guide's "Finding your Personal API key" steps, done for real."""

    CSS_PATH = "personal_keys.tcss"

    STEP_ID = "personal-keys"
    AUTO_FOCUS = ""
    """Nothing to focus until the keys are listed (then the table takes it)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "create", "Create key", id="create-key"),
        Binding("r", "roll", "Roll", id="roll-key"),
        Binding("d", "delete", "Delete", id="delete-key"),
        Binding("f5", "refresh_keys", "Refresh", id="refresh-keys"),
        Binding("escape", "stop_loading", "Stop", id="stop-listing-keys"),
        Binding("o", "open_web", "Open in browser", id="open-personal-keys"),
        Binding("l", "log_in", "Log in", id="personal-keys-log-in"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._phase = "signed-out"
        self._loaded_for: Session | None = None
        self._keys: list[PersonalApiKey] = []
        self._columns_for = 0
        """The table width the columns were sized for."""
        self._busy = False
        self._reauth = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static(INTRO, id="personal-keys-intro")
            yield FreshKeyPanel(self.services)
            yield Static("", id="personal-keys-unavailable", classes="notice")
            with Horizontal(id="personal-keys-loading"):
                yield LoadingIndicator()
                yield Static("", id="personal-keys-progress")
            yield Static("", id="personal-keys-error", classes="error")
            yield Static("", id="personal-keys-settled")
            with Vertical(id="personal-keys-main"):
                yield Static("", id="personal-keys-count")
                yield DataTable(id="keys-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="personal-keys-orgs", classes="warning", markup=False)

    def on_mount(self) -> None:
        self._add_columns()
        self.query_one("#personal-keys-loading").display = False
        self._set_error(None)
        self._show_phase("signed-out")

    # -- state ------------------------------------------------------------------------------
    def refresh_from_state(self) -> None:
        session = self.state.session
        if session is None:
            self._loaded_for = None
            self._show_phase("signed-out")
            return
        if session is self._loaded_for:
            return
        self._loaded_for = session
        self._reauth = False
        self._set_error(None)
        if not session.can_manage_keys:
            self._show_key_session(session)
            return
        self._load(session)

    def _show_phase(self, phase: str) -> None:
        """signed-out, key-session (cannot list), loading, ready, or failed."""
        self._phase = phase
        unavailable = self.query_one("#personal-keys-unavailable", Static)
        if phase == "signed-out":
            unavailable.update(SIGNED_OUT)
        unavailable.display = phase in ("signed-out", "key-session")
        self.query_one("#personal-keys-main").display = phase == "ready"
        self.refresh_bindings()

    def _show_key_session(self, session: Session) -> None:
        how = METHOD_WORDS.get(session.method, "a personal API key")
        key = session.personal_key
        which = ""
        if session.personal_key_label:
            which = f" “{escape(session.personal_key_label)}”"
        if key is not None:
            which += f" ({escape(key.masked)})"
        url = escape(session.host.personal_keys_url())
        self.query_one("#personal-keys-unavailable", Static).update(
            f"[b]Your keys cannot be listed with this sign-in.[/b]\n\n"
            f"You are signed in with {how}{which}. PostHog lets only an email-and-password "
            "sign-in list, create, roll or delete personal API keys: a request made with a "
            "personal key gets “This action does not support Personal API Key access”.\n\n"
            f"Press [b]o[/b] to open Account settings → Personal API keys in your browser "
            f"({url}), or [b]l[/b] to log in with your email and password."
        )
        self._show_phase("key-session")

    def _set_error(self, text: str | None, *, box: str = "#personal-keys-error") -> None:
        """Show (or, with None, hide) what went wrong; stays until the next change or listing.

        A change whose answer was lost but which listing again showed done goes in
        ``#personal-keys-settled`` instead: not an error, but not to fade like the status line.
        """
        for name in ("#personal-keys-error", "#personal-keys-settled"):
            shown = self.query_one(name, Static)
            if name == box or text is None:
                shown.update(text or "")
                shown.display = bool(text)
        if text:
            self.query_one(box).scroll_visible(animate=False)

    def _show_failure(self, error: PostHogError, doing: str) -> None:
        """Say what failed, why, and what to do (log in again when the sign-in is too old)."""
        text = f"[b]{escape(doing)}: {escape(error.message)}[/b]"
        if error.fix:
            text += f"\n{escape(error.fix)}"
        if isinstance(error, ReauthRequired | NotAuthenticated):
            self._reauth = True
            text += "\nPress [b]l[/b] to log in again."
        self._set_error(text)
        self.refresh_bindings()

    def _progress(self, text: str | None) -> None:
        self._busy = text is not None
        self.query_one("#personal-keys-loading").display = self._busy
        self.query_one("#personal-keys-progress", Static).update(text or "")
        self.refresh_bindings()

    # -- listing ----------------------------------------------------------------------------
    @work(exclusive=True, group="personal-keys", exit_on_error=False, description="load")
    async def _load(self, session: Session) -> None:
        """List the user's keys (and fetch who they are if the log-in did not)."""
        if self._phase != "ready":
            self._show_phase("loading")
        self._progress("Listing your personal API keys…")
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
                self._show_phase("failed")
            return
        except Exception:  # the worker boundary: never a traceback on screen
            if session is self.state.session:
                self._set_error("Something unexpected went wrong. Press F5 to try again.")
                self._show_phase("failed")
            return
        finally:
            self._progress(None)
        if session is self.state.session:
            self._show_keys(keys)

    def _add_columns(self) -> None:
        """Columns sized to the table's width: a long label or scope list wraps in its cell
        instead of pushing Created and Last used out of sight."""
        table = self.query_one("#keys-table", DataTable)
        width = table.scrollable_content_region.width or self.app.size.width - 6
        for name, column_width in zip(_COLUMNS, _column_widths(width), strict=True):
            table.add_column(name, key=name.lower().replace(" ", "-"), width=column_width)
        self._columns_for = width

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        width = self.query_one("#keys-table", DataTable).scrollable_content_region.width
        if width and width != self._columns_for and self._phase == "ready":
            self.call_after_refresh(self._show_keys, self._keys)

    def _show_keys(self, keys: Sequence[PersonalApiKey], select: str | None = None) -> None:
        session = self.state.session
        self._keys = list(keys)
        table = self.query_one("#keys-table", DataTable)
        current = table.cursor_row
        table.clear(columns=True)
        self._add_columns()
        names = _project_names(session)
        orgs = _org_names(session)
        for key in self._keys:
            table.add_row(
                Text(key.label),
                Text(key.mask_value),
                Text(_scopes_text(key.scopes)),
                Text(_projects_text(key, names, orgs)),
                Text(_when(key.created_at)),
                Text(_when(key.last_used_at, never="never")),
                key=key.id,
                height=None,
            )
        if select is not None and any(key.id == select for key in self._keys):
            table.move_cursor(row=table.get_row_index(select))
        elif self._keys:
            table.move_cursor(row=min(current, len(self._keys) - 1))
        self._show_count()
        self._show_org_warnings()
        self._show_phase("ready")
        if self.focused is None:
            table.focus()

    def _show_count(self) -> None:
        count = len(self._keys)
        text = f"[b]{count} of {MAX_KEYS} keys[/b]"
        if count >= MAX_KEYS:
            text += (
                " — PostHog allows no more: delete one you no longer use ([b]d[/b]) before "
                "creating another (rolling one frees no slot)."
            )
        elif count >= MAX_KEYS - 2:
            text += f" — {MAX_KEYS - count} more can be created."
        else:
            text += "   [b]n[/b] create  [b]r[/b] roll  [b]d[/b] delete  [b]o[/b] open in browser"
        self.query_one("#personal-keys-count", Static).update(text)

    def _show_org_warnings(self) -> None:
        lines = [_org_warning(org) for org in self._restricted_orgs()]
        widget = self.query_one("#personal-keys-orgs", Static)
        widget.update("\n".join(f"⚠ {line}" for line in lines))
        widget.display = bool(lines)

    def _restricted_orgs(self) -> list[Organization]:
        """Organizations that forbid this user's personal keys (admins are not restricted)."""
        session = self.state.session
        if session is None or session.user is None:
            return []
        return [
            org
            for org in session.user.organizations
            if not org.members_can_use_personal_api_keys and not org.is_admin
        ]

    @property
    def selected_key(self) -> PersonalApiKey | None:
        """The key under the table's cursor."""
        table = self.query_one("#keys-table", DataTable)
        if not self._keys or table.cursor_row < 0 or table.cursor_row >= len(self._keys):
            return None
        return self._keys[table.cursor_row]

    # -- create -----------------------------------------------------------------------------
    def _why_not_create(self) -> str | None:
        """Why `n` cannot create a key now, in words, or None when it can."""
        fresh = self.fresh
        if len(self._keys) >= MAX_KEYS:
            return (
                f"You have {MAX_KEYS} of {MAX_KEYS} personal API keys, PostHog's limit: delete "
                "one you no longer use (d) before creating another."
            )
        if fresh is not None and not fresh.safe:
            return (
                f"First save (s), or copy, store and confirm (i) the new key “{fresh.label}”: "
                "PostHog will never show it again."
            )
        return None

    def action_create(self) -> None:
        """Ask for a label, scopes and projects, then create the key (or say why not now)."""
        why = self._why_not_create()
        if why is not None:
            self.guide.status = why
            return
        self._ask_for_spec(None, {})

    def _ask_for_spec(self, initial: KeySpec | None, errors: dict[str, str]) -> None:
        restricted = self._restricted_orgs()
        warnings = [
            f"{org.name} does not allow members' personal API keys: this key will get 403 "
            "on its projects."
            for org in restricted
        ]
        dialog = CreateKeyDialog(
            _project_choices(self.state.session, {org.id for org in restricted}),
            warnings=warnings,
            initial=initial,
            errors=errors,
            app_url=self.state.session.host.app_url if self.state.session else None,
        )
        self.app.push_screen(dialog, self._spec_chosen)

    def _spec_chosen(self, spec: KeySpec | None) -> None:
        session = self.state.session
        if spec is not None and session is not None:
            self._create(session, spec)

    @work(exclusive=True, group="personal-keys", exit_on_error=False, description="create")
    async def _create(self, session: Session, spec: KeySpec) -> None:
        """Create a key; when the answer is lost, find out whether the server made it."""
        self._set_error(None)
        self._progress(f"Creating “{spec.label}”…")
        client = session.client
        try:
            outcome = await key_changes.create(
                lambda: client.create_key(spec.label, spec.scopes, spec.scoped_teams),
                client.list_keys,
                label=spec.label,
                before={key.id for key in self._keys},
            )
        except InvalidInput as error:
            self._progress(None)
            if error.attr in _SPEC_FIELDS:
                # The server knows the scope list; the form shows its word next to the field.
                self._ask_for_spec(spec, {error.attr or "": error.message})
            else:
                self._show_failure(error, "The key was not created")
            return
        except PostHogError as error:
            self._progress(None)
            self._show_failure(error, "The key was not created")
            return
        except Exception:  # the worker boundary
            self._progress(None)
            self._set_error("Something unexpected went wrong. Press F5 to list your keys.")
            return
        if isinstance(outcome, key_changes.Created):
            self._issue(outcome.new, "created")
            await self._relist(session, select=outcome.new.key.id)
            return
        self._progress(None)
        label = escape(spec.label)
        if isinstance(outcome, key_changes.Unknown):
            reason = outcome.check_error.message if outcome.check_error else "no answer"
            self._set_error(
                f"[b]Creating “{label}” failed: {escape(outcome.error.message)}[/b]\n"
                f"phguide could not check whether it was created ({escape(reason)}). Press "
                "[b]F5[/b] to list your keys: if it is there, its value was lost in transit: "
                "roll it or delete it."
            )
            return
        await self._relist(session, select=None)
        why = escape(outcome.error.message)
        if isinstance(outcome, key_changes.CreatedButValueLost):
            self._select(outcome.listed.id)
            self._set_error(
                f"[b]The key “{label}” was created, but its value was lost in transit "
                f"({why}).[/b]\nPostHog cannot show it again: roll it ([b]r[/b], selected "
                "below) to get a new value, or delete it ([b]d[/b])."
            )
        else:
            self._set_error(
                f"[b]The key “{label}” was not created ({why}).[/b]\n"
                "Nothing changed on the server. Press [b]n[/b] to try again."
            )

    # -- roll and delete --------------------------------------------------------------------
    def action_roll(self) -> None:
        """Give the selected key a new value, after a warning."""
        key = self.selected_key
        if key is None:
            return
        dialog = ConfirmDialog(
            f"Roll “{key.label}”?",
            f"The key {key.mask_value} gets a new value, shown once. The old value stops "
            "working at once: everything that uses it fails until you put the new one in. "
            "If your keyring holds this key, the new value replaces the old one there.",
            yes="Roll key",
            no="Cancel",
            danger=True,
        )
        self.app.push_screen(dialog, lambda yes: self._confirmed(yes, "roll", key))

    def action_delete(self) -> None:
        """Delete the selected key, after a warning."""
        key = self.selected_key
        if key is None:
            return
        dialog = ConfirmDialog(
            f"Delete “{key.label}”?",
            f"The key {key.mask_value} stops working at once, for good. This cannot be undone. "
            "If your keyring holds this key, its entry is removed.",
            yes="Delete key",
            no="Cancel",
            danger=True,
        )
        self.app.push_screen(dialog, lambda yes: self._confirmed(yes, "delete", key))

    def _confirmed(self, yes: bool | None, what: str, key: PersonalApiKey) -> None:
        session = self.state.session
        if yes and session is not None:
            self._change(session, what, key)

    @work(exclusive=True, group="personal-keys", exit_on_error=False, description="change")
    async def _change(self, session: Session, what: str, key: PersonalApiKey) -> None:
        """Roll or delete a key, keep the keyring true, and say what happened."""
        self._set_error(None)
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
        except Exception:  # the worker boundary
            self._progress(None)
            self._set_error("Something unexpected went wrong. Press F5 to list your keys.")
            return
        label = escape(key.label)
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
                self._set_error(
                    f"[b]“{label}” was deleted.[/b] The answer was lost "
                    f"({escape(outcome.lost.message)}), but PostHog no longer lists the key. "
                    f"{escape(kept.message)}",
                    box="#personal-keys-settled",
                )
        elif isinstance(outcome, key_changes.Unknown):
            self._progress(None)
            again = outcome.check_error.message if outcome.check_error else "no answer"
            self._set_error(
                f"[b]{doing} “{label}” failed: {escape(outcome.error.message)}[/b]\nphguide "
                f"could not check what happened ({escape(again)}). Press [b]F5[/b] to list "
                "your keys."
            )
            return
        else:
            assert isinstance(outcome, key_changes.CreatedButValueLost | key_changes.NotCreated)
            if isinstance(outcome, key_changes.CreatedButValueLost):
                text = (
                    f"“{label}” was rolled, but its new value was lost in transit: the old value "
                    "no longer works. Roll it again ([b]r[/b]) to get a value you can see."
                )
            elif what == "delete":
                text = f"“{label}” was not deleted: try again."
            else:
                text = f"“{label}” was not rolled: its value still works. Try again."
            await self._relist(session, select=key.id)
            self._set_error(f"[b]{escape(outcome.error.message)}[/b]\n{text}")
            return
        await self._relist(session, select=key.id if what == "roll" else None)

    def _select(self, key_id: str) -> None:
        table = self.query_one("#keys-table", DataTable)
        if any(key.id == key_id for key in self._keys):
            table.move_cursor(row=table.get_row_index(key_id))

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
        self.post_message(messages.FreshKeyIssued(fresh))
        session = self.state.session
        owner = None
        if session is not None and session.user is not None:
            owner = Owner(session.host, session.user.email, how)
        self.query_one(FreshKeyPanel).show(fresh, how, owner)
        self.guide.status = f"New personal API key “{fresh.label}”: save it or copy it now."
        self.refresh_bindings()
        return fresh

    @property
    def fresh(self) -> FreshKey | None:
        """The new key on screen, if any."""
        # The footer asks `check_action` as it composes, which can be before this screen's
        # own widgets are mounted: no panel yet means no new key yet.
        panels = self.query(FreshKeyPanel)
        return panels.first().fresh if panels else None

    @on(FreshKeyPanel.Changed)
    @on(FreshKeyPanel.Done)
    def _fresh_changed(self) -> None:
        self.refresh_bindings()

    # -- the rest ---------------------------------------------------------------------------
    def action_refresh_keys(self) -> None:
        """List the keys again."""
        session = self.state.session
        if session is not None and session.can_manage_keys:
            self._set_error(None)
            self._load(session)

    def action_open_web(self) -> None:
        """Open the personal keys page in PostHog."""
        session = self.state.session
        host = session.host if session is not None else self.services.host
        if host is not None:
            self.guide.open_page(host.personal_keys_url())

    def action_log_in(self) -> None:
        """Go to Log in (ending the session first when PostHog asked for a fresh sign-in)."""
        if self._reauth and self.state.session is not None:
            self.post_message(messages.SignedOut(_REAUTH_REASON))
        else:
            self.guide.action_go("log-in")

    def action_stop_loading(self) -> None:
        """Stop a first listing that takes too long (a slow or rate-limited server)."""
        self.workers.cancel_group(self, "personal-keys")
        self._progress(None)
        self._set_error("Stopped listing your keys. Press F5 to try again.")
        self._show_phase("failed")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.state.session
        fresh = self.fresh
        ready = self._phase == "ready" and session is not None and session.can_manage_keys
        if action == "create":
            if not ready:
                return False
            # At the limit, or with a new key not yet safe (a second would push it off the
            # screen), `n` stays offered and says why it cannot create one now.
            return None if self._busy else True
        if action in ("roll", "delete"):
            if not ready:
                return False
            unsafe = action == "roll" and fresh is not None and not fresh.safe
            return None if self._busy or unsafe or self.selected_key is None else True
        if action == "stop_loading":
            # Only the first listing: a create, roll or delete must not be cut off half-way.
            return self._phase == "loading"
        if action == "refresh_keys":
            return session is not None and session.can_manage_keys and not self._busy
        if action == "open_web":
            return session is not None or self.services.host is not None
        if action == "log_in":
            return session is None or not session.can_manage_keys or self._reauth
        return True

    @on(DataTable.RowHighlighted)
    def _row_moved(self) -> None:
        self.refresh_bindings()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # The last boundary: a bug in a worker says so on screen instead of vanishing.
        if event.state == WorkerState.ERROR:
            self._progress(None)
            self._set_error(
                "Something unexpected went wrong. Press [b]F5[/b] to list your keys again."
            )


# -- how a key row reads ----------------------------------------------------------------------
_COLUMNS: Final = ("Label", "Key", "Scopes", "Projects", "Created", "Last used")


def _column_widths(width: int) -> tuple[int, ...]:
    """Each column's width for a table `width` columns wide (each cell adds 2 of padding).

    The key's mask and the two dates are short and fixed; the label, the scopes and the
    projects share the rest and wrap.
    """
    key, created, used = 11, 11, 11  # "phx_...abcd", "10 days ago"
    # 4 more for the scrollbars that appear once the rows outgrow the table's height and a
    # new key's panel the page's.
    rest = max(18, width - 2 * len(_COLUMNS) - key - created - used - 4)
    label = rest * 2 // 5
    scopes = rest * 3 // 10
    return (label, key, scopes, rest - label - scopes, created, used)


def _scopes_text(scopes: Sequence[str]) -> str:
    if not scopes:
        return "no access"  # no scopes is no access since 2026-03 (PostHog shows null as [])
    if "*" in scopes:
        return "all (*)"
    if len(scopes) <= 2:
        return ", ".join(scopes)
    return f"{', '.join(scopes[:2])} +{len(scopes) - 2}"


def _projects_text(key: PersonalApiKey, names: dict[int, str], orgs: dict[str, str]) -> str:
    parts = [names.get(team, f"project {team}") for team in key.scoped_teams]
    parts += [orgs.get(org, "an organization") for org in key.scoped_organizations]
    return ", ".join(parts) if parts else "all"


def _when(stamp: str | None, never: str = "") -> str:
    """A timestamp as "today", "3 days ago" or a date."""
    if not stamp:
        return never
    moment = parse_time(stamp)
    return stamp[:10] if moment is None else ago(moment, by_day=True)


async def _projects_or_none(session: Session) -> list[OrgProjects] | None:
    """Every organization's projects, or None when they cannot be listed (names are a nicety)."""
    if session.user is None:
        return None
    try:
        return await session.client.all_projects(session.user)
    except PostHogError:
        return None


def _project_names(session: Session | None) -> dict[int, str]:
    if session is None or session.projects is None:
        return {}
    return {p.id: p.name for org in session.projects for p in org.projects}


def _org_names(session: Session | None) -> dict[str, str]:
    if session is None or session.user is None:
        return {}
    return {org.id: org.name for org in session.user.organizations}


def _project_choices(session: Session | None, restricted: set[str]) -> list[ProjectChoice]:
    if session is None or session.projects is None:
        return []
    return [
        ProjectChoice(p.id, p.name, org.organization.name, org.organization.id in restricted)
        for org in session.projects
        for p in org.projects
    ]


def _org_warning(org: Organization) -> str:
    return (
        f"{org.name} does not allow members to use personal API keys: a key of yours gets "
        "“403 … does not allow using personal API keys” on its projects. Ask one of its "
        "admins to turn on “Members can use personal API keys”."
    )
