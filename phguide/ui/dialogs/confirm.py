"""A yes/no question in a modal: `ConfirmDialog` dismisses with True or False."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    """Ask before something that cannot be undone; Escape means no.

    Enter answers with the focused button: "no" unless `default_yes` (where yes is the safe
    answer, such as keeping a key out of git).
    """

    CSS_PATH = "dialog.tcss"

    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel", id="confirm-cancel"),
        Binding("y", "answer(True)", "Yes", show=False, id="confirm-yes"),
        Binding("n", "answer(False)", "No", show=False, id="confirm-no"),
    ]

    def __init__(
        self,
        title: str,
        body: str,
        *,
        yes: str = "Yes",
        no: str = "Cancel",
        danger: bool = False,
        default_yes: bool = False,
    ) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._body = body
        self._yes = yes
        self._no = no
        self._danger = danger
        self._default_yes = default_yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self._title, id="dialog-title", markup=False)
            yield Static(self._body, id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(self._no, id="no")
                yield Button(self._yes, id="yes", variant="error" if self._danger else "primary")

    def on_mount(self) -> None:
        # Enter gives the safe answer: "no" before a loss, "yes" where yes is the safe one.
        self.query_one("#yes" if self._default_yes else "#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
