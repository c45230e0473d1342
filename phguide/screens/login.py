"""Step: Log in (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from phguide.screens.base import StepScreen


class LoginScreen(StepScreen):
    """Log in."""

    STEP_ID = "log-in"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static("Log in: coming soon.")
