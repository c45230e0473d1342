"""Step: Personal API keys (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from phguide.screens.base import StepScreen


class PersonalKeysScreen(StepScreen):
    """Personal API keys."""

    STEP_ID = "personal-keys"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static("Personal API keys: coming soon.")
