"""The step bar: where the user is in the walkthrough, and a way to jump."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label

from phguide.steps import STEPS


class StepLabel(Label):
    """One clickable step."""

    def __init__(self, index: int, step_id: str, title: str, current: bool) -> None:
        super().__init__(f" {index} {title} ", id=f"step-{step_id}", classes="step")
        self.step_id = step_id
        """The step this label jumps to."""
        self.set_class(current, "-current")

    def on_click(self) -> None:
        self.post_message(StepBar.Jump(self.step_id))


class StepBar(Horizontal):
    """Every step of the guide in order; the current one highlighted. Click or press 1–6."""

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
            yield StepLabel(index, step.id, step.title, step.id == self.current)
