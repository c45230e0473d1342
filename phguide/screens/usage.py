"""Step: Using your keys (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from phguide.screens.base import StepScreen


class UsageScreen(StepScreen):
    """Using your keys."""

    STEP_ID = "usage"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static("Using your keys: coming soon.")
