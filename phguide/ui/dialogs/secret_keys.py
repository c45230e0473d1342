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
from phguide.core.scopes import SECRET_KEY_PRESETS
from phguide.core.state import FreshKey, Session
from phguide.ui import messages
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.widgets.fresh_key import FreshKeyPanel
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


class SecretKeysDialog(ModalScreen[None]):
    """The selected project's secret keys; a new value stays on screen until it is safe.

    Args:
        session: The signed-in session.
        project: The project whose keys these are.
    """

    CSS_PATH = "dialog.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="close-secret-keys"),
        Binding("ctrl+y", "copy_fresh", "Copy new key", id="copy-new-secret-key"),
    ]

    def __init__(self, session: Session, project: Project) -> None:
        super().__init__(classes="dialog")
        self.session = session
        self.project = project
        self.keys: list[ProjectSecretKey] = []
        """The keys as last listed."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog-box"):
            yield Label(f"Secret API keys of {self.project.name}", id="dialog-title")
            yield Static(ABOUT, id="secret-keys-about", markup=False)
            yield Static("", id="secret-keys-rights", markup=False)
            yield ProblemBox(action_id="secret-keys-retry", id="secret-keys-problem")
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

    def on_mount(self) -> None:
        self.query_one("#secret-keys-fresh-buttons").display = False
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
        client = self.session.client
        problem = self.query_one(ProblemBox)
        problem.clear()
        new: NewProjectSecretKey | None = None
        try:
            if what == "create":
                new = await client.create_secret_key(self.project.id, subject, scopes)
            elif what == "roll":
                new = await client.roll_secret_key(self.project.id, subject)
            else:
                await client.delete_secret_key(self.project.id, subject)
        except PostHogError as error:
            # Whether or not it reached the server, the list says what is there now.
            problem.show_error(error)
        if new is not None:
            self._show_fresh(new, "created" if what == "create" else "rolled")
            self.query_one("#secret-label", Input).value = ""
        try:
            self._show_keys(await client.list_secret_keys(self.project.id))
        except PostHogError as error:
            problem.show_error(error, action="Try again")

    def _show_fresh(self, new: NewProjectSecretKey, how: str) -> None:
        fresh = FreshKey(new.value, new.key.label)
        self.post_message(messages.FreshKeyIssued(fresh))
        panel = self.query_one(FreshKeyPanel)
        panel.show(fresh, how, None)  # a project's key: no keyring entry of a user
        panel.box.border_title = f"New project secret key “{new.key.label}” ({how})"
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
