"""Step 3's sub-view: a project's secret API keys (`phs_`): list, create, roll, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from phguide.api.errors import PostHogError
from phguide.api.models import NewProjectSecretKey, Project, ProjectSecretKey
from phguide.core import key_changes
from phguide.core.scopes import SECRET_KEY_PRESETS
from phguide.core.state import AppState, FreshKey, Session
from phguide.ui import messages
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.docked import FocusInSight
from phguide.ui.safe import plain
from phguide.ui.widgets.fresh_key import FRESH_KEY_BINDINGS, FreshKeyHost, FreshKeyPanel
from phguide.ui.widgets.problem import ProblemBox

if TYPE_CHECKING:
    from phguide.services import Services

LIMIT: Final = 50
"""PostHog's limit of secret keys per project (contract §6b)."""

ABOUT: Final = (
    "Project secret API keys (phs_) are what PostHog now recommends for a server SDK's local "
    "feature flag evaluation and for running endpoints: they belong to this project, not to "
    "you, and keep working when you leave. A project has at most 50. Only a project admin can "
    "create, roll or delete one, and only with a password sign-in under 2 hours old.\n"
    'The older "feature flags secure API key" (also phs_, one per project) is deprecated: '
    "move servers that use it to a key made here."
)


def _row(key: ProjectSecretKey) -> Text:
    text = Text(key.label or "(no label)", style="bold")
    text.append(f"  {key.mask_value}  ", style="")
    text.append(", ".join(key.scopes) or "no scopes", style="dim")
    return text


def _outcome_words(outcome: object, what: str, label: str) -> tuple[str, str] | None:
    """A change that did not simply work, as a problem and its fix; None when it did."""
    if isinstance(outcome, key_changes.Unknown):
        again = outcome.check_error.message if outcome.check_error else "no answer"
        return (
            f"{_DOING[what]} “{label}” failed: {outcome.error.message}",
            f"phguide could not check what happened ({again}). List the keys again: PostHog "
            "may have made the change.",
        )
    if isinstance(outcome, key_changes.CreatedButValueLost):
        done = "created" if what == "create" else "rolled"
        return (
            f"“{label}” was {done}, but its value was lost in transit ({outcome.error.message}).",
            "PostHog cannot show it again: roll it (selected below) to get a value you can "
            "see, or delete it.",
        )
    if isinstance(outcome, key_changes.NotCreated):
        done = {"create": "created", "roll": "rolled", "delete": "deleted"}[what]
        return (
            f"“{label}” was not {done} ({outcome.error.message}).",
            "Nothing changed on the server: try again.",
        )
    return None


_DOING: Final = {"create": "Creating", "roll": "Rolling", "delete": "Deleting"}


class SecretKeysDialog(FocusInSight, ModalScreen[None], FreshKeyHost):
    """The selected project's secret keys; a new value stays on screen until it is safe.

    Args:
        session: The signed-in session.
        project: The project whose keys these are.
    """

    CSS_PATH = ["dialog.tcss", "secret_keys.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close-secret-keys"),
        Binding("ctrl+y", "copy_fresh", "Copy new key", id="copy-new-secret-key"),
        *FRESH_KEY_BINDINGS,
    ]

    def __init__(self, session: Session, project: Project) -> None:
        super().__init__(classes="dialog")
        self.session = session
        self.project = project
        self.keys: list[ProjectSecretKey] = []
        """The keys as last listed."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog-box"):
            yield Label(f"Secret API keys of {self.project.name}", id="dialog-title", markup=False)
            yield Static(ABOUT, id="secret-keys-about", markup=False)
            yield Static("", id="secret-keys-rights", markup=False)
            yield ProblemBox(action_id="secret-keys-retry", id="secret-keys-problem")
            yield Static("", id="secret-keys-settled", markup=False)
            yield FreshKeyPanel(self._services())
            with Horizontal(id="secret-keys-fresh-buttons"):
                yield Button("Copy new key (ctrl+y)", id="secret-fresh-copy", compact=True)
                yield Button("I have it", id="secret-fresh-ack", compact=True)
            yield Static("", id="secret-keys-count", markup=False)
            yield OptionList(id="secret-keys-list")
            with Horizontal(id="secret-keys-row-buttons"):
                yield Button("Roll", id="secret-roll", compact=True)
                yield Button("Delete", id="secret-delete", variant="error", compact=True)
            yield Input(
                placeholder="Label of a new key (unique in this project)", id="secret-label"
            )
            with RadioSet(id="secret-preset"):
                for number, preset in enumerate(SECRET_KEY_PRESETS):
                    yield RadioButton(
                        f"{preset.label}: {', '.join(preset.scopes)}", value=number == 0
                    )
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", id="secret-close")
                yield Button("Open in PostHog", id="secret-open")
                yield Button("Create", id="secret-create", variant="primary")

    def _services(self) -> Services:
        from phguide.ui.app import PhGuideApp

        assert isinstance(self.app, PhGuideApp)
        return self.app.services

    def _state(self) -> AppState:
        from phguide.ui.app import PhGuideApp

        assert isinstance(self.app, PhGuideApp)
        return self.app.state

    def _forget(self, label: str, key_id: str) -> None:
        """A deleted key's value is of no use: off the screen, and no guard keeps it."""
        self._state().forget_fresh_key(key_id)
        panel = self.query_one(FreshKeyPanel)
        if panel.fresh is not None and panel.fresh.key_id == key_id:
            panel.clear()
            self.query_one("#secret-keys-fresh-buttons").display = False
        self.post_message(messages.Status(f"Deleted the project secret key “{label}”."))

    def on_mount(self) -> None:
        self.query_one("#secret-keys-fresh-buttons").display = False
        self.query_one("#secret-keys-settled").display = False
        self.query_one("#secret-keys-rights", Static).update(self._rights())
        self._load()

    # -- what the user may do -----------------------------------------------------------------
    def _can_write(self) -> str | None:
        """Why writes would be refused, said before they are tried; None when they may work."""
        if not self.session.can_manage_keys:
            return (
                "You signed in with a personal API key: it can list these keys, but creating, "
                "rolling or deleting one needs a password sign-in under 2 hours old (step 2)."
            )
        user = self.session.user
        if user is not None:
            for org in user.organizations:
                if org.id == self.project.organization and not org.is_admin:
                    return (
                        f"You are a member of {org.name}, not an admin: only project admins "
                        "create, roll or delete secret keys. Ask an admin."
                    )
        return None

    def _rights(self) -> str:
        return self._can_write() or "You can create, roll and delete keys here."

    # -- listing ------------------------------------------------------------------------------
    @work(exclusive=True, group="secret-keys", exit_on_error=False, description="load")
    async def _load(self) -> None:
        try:
            keys = await self.session.client.list_secret_keys(self.project.id)
        except PostHogError as error:
            self.query_one(ProblemBox).show_error(error, action="Try again")
            return
        self._show_keys(keys)

    def _show_keys(self, keys: list[ProjectSecretKey]) -> None:
        self.keys = keys
        listing = self.query_one("#secret-keys-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(_row(key), id=key.id) for key in keys])
        full = len(keys) >= LIMIT
        count = f"{len(keys)} of {LIMIT} keys in this project."
        if full:
            count += " The limit is reached: delete one before creating another."
        self.query_one("#secret-keys-count", Static).update(count)
        self.query_one("#secret-create", Button).disabled = full or self._can_write() is not None
        blocked = not keys or self._can_write() is not None
        self.query_one("#secret-roll", Button).disabled = blocked
        self.query_one("#secret-delete", Button).disabled = blocked

    @on(Button.Pressed, "#secret-keys-retry")
    def _retry(self) -> None:
        self.query_one(ProblemBox).clear()
        self._load()

    def _highlighted(self) -> ProjectSecretKey | None:
        index = self.query_one("#secret-keys-list", OptionList).highlighted
        return self.keys[index] if index is not None and index < len(self.keys) else None

    # -- changes ------------------------------------------------------------------------------
    @on(Input.Submitted, "#secret-label")
    def _label_submitted(self) -> None:
        self.query_one("#secret-create", Button).press()  # Enter creates, as in the key form

    @on(Button.Pressed, "#secret-create")
    def _create_pressed(self) -> None:
        label = self.query_one("#secret-label", Input).value.strip()
        if not label or len(label) > 40:
            self.query_one(ProblemBox).show("Give the key a label of 1 to 40 characters.")
            return
        if any(key.label == label for key in self.keys):
            self.query_one(ProblemBox).show(f"A key labelled “{label}” already exists here.")
            return
        chosen = self.query_one("#secret-preset", RadioSet).pressed_index
        preset = SECRET_KEY_PRESETS[max(0, chosen)]
        self._change("create", label, preset.scopes)

    @on(Button.Pressed, "#secret-roll")
    def _roll_pressed(self) -> None:
        key = self._highlighted()
        if key is None:
            return
        body = (
            f"Roll “{key.label}”? Its current value stops working at once: every server using "
            "it fails until it gets the new value, which is shown once."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._change("roll", key.id, ())

        self.app.push_screen(ConfirmDialog("Roll secret key", body, yes="Roll"), answered)

    @on(Button.Pressed, "#secret-delete")
    def _delete_pressed(self) -> None:
        key = self._highlighted()
        if key is None:
            return
        body = f"Delete “{key.label}”? Every server using it stops evaluating flags locally."

        def answered(yes: bool | None) -> None:
            if yes:
                self._change("delete", key.id, ())

        dialog = ConfirmDialog("Delete secret key", body, yes="Delete", danger=True)
        self.app.push_screen(dialog, answered)

    @work(exclusive=True, group="secret-keys", exit_on_error=False, description="change")
    async def _change(self, what: str, subject: str, scopes: tuple[str, ...]) -> None:
        """Create, roll or delete; when the answer is lost, list again and say what happened."""
        client, project_id = self.session.client, self.project.id
        problem = self.query_one(ProblemBox)
        problem.clear()
        self._settled("")

        async def listing() -> list[ProjectSecretKey]:
            return await client.list_secret_keys(project_id)

        key = next((key for key in self.keys if key.id == subject), None)
        try:
            if what == "create":
                outcome: object = await key_changes.create(
                    lambda: client.create_secret_key(project_id, subject, scopes),
                    listing,
                    label=subject,
                    before={key.id for key in self.keys},
                )
            elif key is None:
                return
            elif what == "roll":
                outcome = await key_changes.roll(
                    lambda: client.roll_secret_key(project_id, key.id), listing, key
                )
            else:
                outcome = await key_changes.delete(
                    lambda: client.delete_secret_key(project_id, key.id), listing, key
                )
        except PostHogError as error:  # refused: nothing changed on the server
            problem.show_error(error)
            return
        label = subject if key is None else key.label
        if isinstance(outcome, key_changes.Created):
            self._show_fresh(outcome.new, "created" if what == "create" else "rolled")
            if what == "create":
                self.query_one("#secret-label", Input).value = ""
        else:
            said = _outcome_words(outcome, what, label)
            if said is not None:
                problem.show(*said, action="List again")
            if isinstance(outcome, key_changes.Deleted):
                self._forget(label, subject)
            if isinstance(outcome, key_changes.Deleted) and outcome.lost is not None:
                self._settled(
                    f"“{label}” was deleted. The answer was lost ({outcome.lost.message}), but "
                    "PostHog no longer lists the key."
                )
            if isinstance(outcome, key_changes.Unknown):
                return  # listing again failed just now: the user lists again when ready
        try:
            self._show_keys(await listing())
        except PostHogError as error:
            problem.show_error(error, action="Try again")
            return
        if isinstance(outcome, key_changes.CreatedButValueLost):
            self._highlight(outcome.listed.id)

    def _settled(self, text: str) -> None:
        """Say a change that listing again settled (it lasts until the next change)."""
        settled = self.query_one("#secret-keys-settled", Static)
        settled.update(text)
        settled.display = bool(text)

    def _highlight(self, key_id: str) -> None:
        listing = self.query_one("#secret-keys-list", OptionList)
        index = next((n for n, key in enumerate(self.keys) if key.id == key_id), None)
        if index is not None:
            listing.highlighted = index

    def _show_fresh(self, new: NewProjectSecretKey, how: str) -> None:
        # A rolled key's earlier value is dead: no guard need keep it any more.
        self._state().forget_fresh_key(new.key.id)
        fresh = FreshKey(new.value, new.key.label, key_id=new.key.id, personal=False)
        self.post_message(messages.FreshKeyIssued(fresh))
        panel = self.query_one(FreshKeyPanel)
        panel.show(fresh, how, None)  # a project's key: no keyring entry of a user
        panel.box.border_title = plain(f"New project secret key “{new.key.label}” ({how})")
        panel.note("Give it to your server's environment now: PostHog never shows it again.")
        self.query_one("#secret-keys-fresh-buttons").display = True
        panel.scroll_visible()

    # -- the new value ------------------------------------------------------------------------
    @on(Button.Pressed, "#secret-fresh-copy")
    def action_copy_fresh(self) -> None:
        """Copy the new key (cleared from the clipboard later, as every secret)."""
        if self.query_one(FreshKeyPanel).fresh is not None:
            self.query_one(FreshKeyPanel).action_copy()

    @on(Button.Pressed, "#secret-fresh-ack")
    def _acknowledge(self) -> None:
        self.query_one(FreshKeyPanel).ask_stored()

    @on(Button.Pressed, "#secret-open")
    def _open(self) -> None:
        from phguide.ui.app import PhGuideApp

        url = self.session.host.settings_url("environment-secret-api-keys", self.project.id)
        if isinstance(self.app, PhGuideApp):
            self.app.open_page(url)

    @on(Button.Pressed, "#secret-close")
    def action_close(self) -> None:
        """Close, after asking when a new key is not safe yet."""
        fresh = self.query_one(FreshKeyPanel).fresh
        if fresh is None or fresh.safe:
            self.dismiss(None)
            return
        self.query_one(FreshKeyPanel).ask_stored(lambda: self.dismiss(None))
