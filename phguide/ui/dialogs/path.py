"""Ask for a file's path: `PathDialog` dismisses with the path as typed, or None."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class PathDialog(ModalScreen[str | None]):
    """Where to write a file; Escape cancels.

    Args:
        title: The question, as plain text.
        body: What will be written there (markup: escape what came from a server).
        default: The path the input starts with.
        placeholder: An example path, shown when the input is empty.
        input_id: The input's id.
    """

    CSS_PATH = ["dialog.tcss", "path.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="path-cancel"),
    ]

    def __init__(
        self, title: str, body: str, *, default: str, placeholder: str, input_id: str = "path"
    ) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._body = body
        self._default = default
        self._placeholder = placeholder
        self._input_id = input_id

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self._title, id="dialog-title", markup=False)
            yield Static(self._body, id="dialog-body")
            yield Input(self._default, placeholder=self._placeholder, id=self._input_id)
            yield Static("", id="path-error")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="no")
                yield Button("Write", id="yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#yes")
    def _write(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        path = self.query_one(Input).value.strip()
        if not path:
            self.query_one("#path-error", Static).update(
                f"Enter a file name, such as {self._placeholder}."
            )
            return
        self.dismiss(path)

    @on(Button.Pressed, "#no")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(None)
