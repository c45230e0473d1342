"""A failure in words: what happened, what to do about it, and at most one button to act."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

from phguide.api.errors import PostHogError


class ProblemBox(Vertical):
    """Shows a message in bold and its fix below; hidden while there is nothing to say.

    The text is built as `rich.text.Text`, never parsed as markup, so server text in an
    error's message is shown exactly as sent.

    Args:
        action_id: The id of the box's button; the owning screen handles its `Button.Pressed`
            (or, with `button_action`, the action runs).
        id: The widget id.
        button_action: The action the button runs ("screen.retry"), if any.
    """

    def __init__(
        self, *, action_id: str, id: str | None = None, button_action: str | None = None
    ) -> None:
        super().__init__(id=id, classes="problem-box")
        self._action_id = action_id
        self._button_action = button_action
        self._text = Text()

    def compose(self) -> ComposeResult:
        yield Static("", classes="problem-text")
        yield Button("", id=self._action_id, classes="problem-action", action=self._button_action)

    def on_mount(self) -> None:
        self.display = False

    @property
    def text(self) -> str:
        """The plain text on show (empty when hidden)."""
        return self._text.plain if self.display else ""

    @property
    def button(self) -> Button:
        """The box's button (shown only with an `action`)."""
        return self.query_one(f"#{self._action_id}", Button)

    def show(self, message: str, fix: str = "", *, action: str = "") -> None:
        """Show a problem.

        Args:
            message: What happened.
            fix: What to do about it.
            action: The button's label; empty for no button.
        """
        text = Text(message, style="bold")
        if fix:
            text.append(f"\n{fix}")
        self._text = text
        self.query_one(".problem-text", Static).update(text)
        self.button.label = action
        self.button.display = bool(action)
        self.display = True
        self.scroll_visible()

    def show_error(self, error: PostHogError, *, action: str = "") -> None:
        """Show a PostHog error's message and fix."""
        self.show(error.message, error.fix, action=action)

    def clear(self) -> None:
        """Hide the box."""
        self._text = Text()
        self.display = False
