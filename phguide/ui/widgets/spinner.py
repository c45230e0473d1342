"""Textual's loading indicator, still while a dialog covers its screen."""

from __future__ import annotations

from textual.widgets import LoadingIndicator


class Spinner(LoadingIndicator):
    """A loading indicator that animates only on the screen on top.

    Under a dialog (the second-factor code, a confirmation) its screen is drawn dimmed as the
    dialog's background, and each of its 16 frames a second redrew that whole background: a
    sixth of a core for dots nobody can see move.
    """

    def automatic_refresh(self) -> None:
        if not self.is_attached:  # the app is quitting: no screen to ask
            return
        stack = self.app.screen_stack
        if stack and stack[-1] is self.screen:
            super().automatic_refresh()
