"""A failure in words: what happened, what to do about it, and at most one button to act."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Button, Static

if TYPE_CHECKING:  # for types only: every step has a box, some before any call
    from phguide.api.errors import PostHogError


class ProblemBox(Vertical):
    """The one way a screen shows a problem: the message in bold, its fix below, in a red box.

    Hidden while there is nothing to say. Text is shown as given: a `str` is never read as
    markup, and phguide's own emphasis comes as `Content` built with `phguide.ui.safe.content`
    (server text inserted as plain text). A *notice* is the same box in the accent colour: news
    that is not a failure but must stay until the next change (a lost answer that listing again
    settled).

    Args:
        action_id: The id of the box's button, if it has one; the owning screen handles its
            `Button.Pressed` (or, with `button_action`, the action runs).
        id: The widget id.
        button_action: The action the button runs ("screen.retry"), if any.
    """

    DEFAULT_CSS = """
    ProblemBox {
        height: auto;
        padding: 0 1;
        border: round $error;
    }
    ProblemBox.-notice {
        border: round $accent;
    }
    ProblemBox > Button {
        margin-top: 1;
    }
    """

    def __init__(
        self,
        *,
        action_id: str | None = None,
        id: str | None = None,
        button_action: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="problem-box")
        self._action_id = action_id
        self._button_action = button_action
        self._text = Content()
        self._action = ""
        self._shown = False

    def compose(self) -> ComposeResult:
        # From what is held: a step can show a problem before the box's own widgets are
        # mounted (a busy machine), and they show it once they are.
        yield Static(self._text, classes="problem-text")
        if self._action_id is not None:
            button = Button(
                self._action,
                id=self._action_id,
                classes="problem-action",
                action=self._button_action,
            )
            button.display = bool(self._action)
            yield button

    def on_mount(self) -> None:
        self.display = self._shown

    @property
    def text(self) -> str:
        """The plain text on show (empty when hidden)."""
        return self._text.plain if self._shown else ""

    @property
    def button(self) -> Button:
        """The box's button (shown only with an `action`)."""
        return self.query_one(".problem-action", Button)

    def show(
        self,
        message: str | Content,
        fix: str | Content = "",
        *,
        action: str = "",
        notice: bool = False,
    ) -> None:
        """Show a problem (or, with `notice`, news to keep on screen).

        Args:
            message: What happened (shown in bold).
            fix: What to do about it.
            action: The button's label; empty for no button.
            notice: Shown in the accent colour: not a failure.
        """
        text = (Content(message) if isinstance(message, str) else message).stylize_before("bold")
        if fix:
            text = Content.assemble(text, "\n", fix)
        self._text = text
        self._action = action
        self._shown = True
        # Not mounted yet, or already taken down while the app quits: `compose` shows it.
        for static in self.query(".problem-text").results(Static):
            static.update(text)
        for button in self.query(".problem-action").results(Button):
            button.label = action
            button.display = bool(action)
        self.set_class(notice, "-notice")
        self.display = True
        if self.is_mounted:
            # Once laid out with this text: shown before, the box still has its last size and
            # place, and scrolling to those left a longer problem below the fold.
            self.call_after_refresh(self._into_view)

    def _into_view(self) -> None:
        if self.display and self.is_attached:  # not cleared again meanwhile
            self.scroll_visible(animate=False)

    def show_error(self, error: PostHogError, *, action: str = "") -> None:
        """Show a PostHog error's message and fix."""
        self.show(error.message, error.fix, action=action)

    def clear(self) -> None:
        """Hide the box."""
        self._text = Content()
        self._shown = False
        self.display = False
