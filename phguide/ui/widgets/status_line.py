"""The line above the footer that says what just happened (copied how, saved where)."""

from __future__ import annotations

from textual.widgets import Static


class StatusLine(Static):
    """Shows the app's `status` reactive on every screen."""

    def __init__(self) -> None:
        super().__init__("", id="status-line", markup=False)

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show, init=True)

    def _show(self, text: str) -> None:
        self.update(text)
        self.set_class(not text, "-empty")
