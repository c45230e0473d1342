"""Ask where to write a `.env` file: `EnvFileDialog` dismisses with the path, or None."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from phguide.ui.safe import escape


class EnvFileDialog(ModalScreen[str | None]):
    """The path of the `.env` file to update; Escape cancels.

    Args:
        variables: Name to what the screen shows of its value (a secret's mask).
        default: The path the input starts with.
    """

    CSS_PATH = ["dialog.tcss", "env_file.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="env-file-cancel"),
    ]

    def __init__(self, variables: dict[str, str], *, default: str = "./.env") -> None:
        super().__init__(classes="dialog")
        self._variables = variables
        self._default = default

    def compose(self) -> ComposeResult:
        lines = "\n".join(
            f"  [b]{escape(name)}[/b]={escape(shown)}" for name, shown in self._variables.items()
        )
        with Vertical(id="dialog-box"):
            yield Label("Write a .env file", id="dialog-title")
            yield Static(
                "phguide sets these variables in the file, replacing them where they are and "
                f"keeping every other line:\n{lines}",
                id="dialog-body",
            )
            yield Input(self._default, placeholder="./.env", id="env-file-path")
            yield Static("", id="env-file-error")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="no")
                yield Button("Write", id="yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#env-file-path", Input).focus()

    @on(Input.Submitted, "#env-file-path")
    @on(Button.Pressed, "#yes")
    def _write(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        path = self.query_one("#env-file-path", Input).value.strip()
        if not path:
            self.query_one("#env-file-error", Static).update("Enter a file name, such as ./.env.")
            return
        self.dismiss(path)

    @on(Button.Pressed, "#no")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(None)
