"""Step: Project API key (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from phguide.screens.base import StepScreen


class ProjectKeyScreen(StepScreen):
    """Project API key."""

    STEP_ID = "project-key"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static("Project API key: coming soon.")
