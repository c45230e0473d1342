"""The step bar: where the user is in the walkthrough, and a way to jump."""

from __future__ import annotations

from typing import Literal

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label

from phguide.ui.steps import STEPS, Step

Fit = Literal["title", "short", "number"]
"""How much of each step's name the bar shows: all, the short title, or only its number."""
FITS: tuple[Fit, ...] = ("title", "short", "number")


class StepLabel(Label):
    """One clickable step."""

    def __init__(self, index: int, step: Step, current: bool) -> None:
        super().__init__(self.text(index, step, "title"), id=f"step-{step.id}", classes="step")
        self.step_id = step.id
        """The step this label jumps to."""
        self.set_class(current, "-current")

    @staticmethod
    def text(index: int, step: Step, fit: Fit) -> str:
        """The label's text at a fit."""
        if fit == "number":
            return f" {index} "
        title = step.short or step.title if fit == "short" else step.title
        return f" {index} {title} "

    def on_click(self) -> None:
        self.post_message(StepBar.Jump(self.step_id))


class StepBar(Horizontal):
    """Every step of the guide in order; the current one highlighted. Click or press 1–6.

    On a narrow terminal the titles shorten, then all but the current step's become numbers,
    so every step stays on screen.
    """

    class Jump(Message):
        """The user asked to go to a step."""

        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id
            """Where to go."""

    def __init__(self, current: str) -> None:
        super().__init__(id="step-bar")
        self.current = current
        """The id of the step whose screen holds this bar."""

    def compose(self) -> ComposeResult:
        for index, step in enumerate(STEPS, start=1):
            yield StepLabel(index, step, step.id == self.current)

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width)

    def fit(self, width: int) -> None:
        """Show as much of the titles as `width` columns hold."""
        texts: list[str] = []
        for fit in FITS:
            texts = self._texts(fit)
            if sum(len(text) for text in texts) <= width:
                break
        for label, text in zip(self.query(StepLabel), texts, strict=True):
            if str(label.content) != text:  # an update lays the whole screen out again
                label.update(text)

    def _texts(self, fit: Fit) -> list[str]:
        texts = []
        for index, step in enumerate(STEPS, start=1):
            # Where the others are numbers, the current step keeps a name: "you are here".
            keep_name = fit == "number" and step.id == self.current
            texts.append(StepLabel.text(index, step, "short" if keep_name else fit))
        return texts
