"""The approval URL as a QR code, full-screen, for a terminal too small to show it in place."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from phguide.ui.widgets.qr_code import QRCode, qr_size

CHROME_LINES = 3
"""Lines the dialog needs besides the code: the caption, the URL and the way out."""


class QRCodeDialog(ModalScreen[None]):
    """Shows a QR code as large as the terminal allows, with what it holds; any close key shuts it.

    Args:
        url: What the code holds.
        caption: One line above the code.
    """

    CSS_PATH = "qr_code.tcss"

    BINDINGS = [
        Binding("escape", "close", "Close", id="qr-close"),
        Binding("enter", "close", "Close", show=False, id="qr-close-enter"),
        Binding("q", "close", "Close", show=False, id="qr-close-q"),
    ]

    def __init__(self, url: str, caption: str) -> None:
        super().__init__(classes="qr-dialog")
        self._url = url
        self._caption = caption

    def compose(self) -> ComposeResult:
        # The full quiet zone of 4 modules where the terminal has the lines, 2 where it does not.
        room = self.app.size.height - CHROME_LINES
        quiet = 4 if qr_size(self._url, 4)[1] <= room else 2
        with Vertical(id="qr-box"):
            yield Static(self._caption, id="qr-caption", markup=False)
            with Center():
                yield QRCode(self._url, quiet=quiet, id="qr-full")
            yield Static(Text(self._url), id="qr-url")
            yield Static("Esc, Enter or q closes this.", id="qr-hint", markup=False)

    def action_close(self) -> None:
        """Back to the approval view."""
        self.dismiss(None)
