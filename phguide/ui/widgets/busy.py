"""A spinner and what is being waited for ("Listing your personal API keys…")."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from phguide.ui.widgets.spinner import Spinner


class Busy(Horizontal):
    """A loading indicator with a line of plain text beside it.

    Args:
        text: What is being waited for (plain text, never markup).
        id: The widget id.
        text_id: The id of the text beside the spinner.
    """

    DEFAULT_CSS = """
    Busy {
        height: 3;
    }
    Busy > LoadingIndicator {
        width: 8;
    }
    Busy > Static {
        width: auto;
        padding: 1 0;
    }
    """

    def __init__(
        self, text: str = "", *, id: str | None = None, text_id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._text = text
        self._text_id = text_id

    def compose(self) -> ComposeResult:
        yield Spinner()
        yield Static(self._text, id=self._text_id, markup=False)

    def say(self, text: str | None) -> None:
        """Show what is being waited for, or, with None, hide (nothing is)."""
        if text is not None:
            self.query_one(Static).update(text)
        self.display = text is not None
