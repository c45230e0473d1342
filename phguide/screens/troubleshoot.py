"""Step: Troubleshooting (placeholder until its issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from phguide.screens.base import StepScreen


class TroubleshootScreen(StepScreen):
    """Troubleshooting."""

    STEP_ID = "troubleshoot"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static("Troubleshooting: coming soon.")
