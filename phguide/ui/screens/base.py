"""The frame every step shares: header, step bar, the step's body, status line, footer."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from phguide.ui.widgets.status_line import StatusLine
from phguide.ui.widgets.step_bar import StepBar

if TYPE_CHECKING:
    from phguide.core.state import AppState
    from phguide.services import Services
    from phguide.ui.app import PhGuideApp


class StepScreen(Screen[None]):
    """A step of the walkthrough. Subclasses set `STEP_ID` and implement `compose_body`."""

    STEP_ID: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        with contextlib.suppress(RuntimeError):  # no app yet: built outside one
            app = self.app
            # Textual re-parses every stylesheet when it switches to a mode whose screen has
            # not seen the current CSS; a screen built just now is styled on mount anyway, so
            # it is marked current. That saves ~40 ms on each first visit to a step. The first
            # step screen is built (as the default mode) before Textual styles the App node
            # itself, and text inherits its colour from there: style the App now, or the first
            # frame draws plain text in the background colour.
            styled = (
                isinstance(screen, StepScreen) and screen.is_mounted
                for stack in app._screen_stacks.values()
                for screen in stack
            )
            if not any(styled):
                app.stylesheet.apply(app)
            self._css_update_count = app._css_update_count
            # Textual adds the width class (-narrow, -wide) on the first Resize, restyling every
            # widget a second time; starting with it means the screen is styled once.
            breakpoints = self.HORIZONTAL_BREAKPOINTS
            if breakpoints is None:
                breakpoints = app.HORIZONTAL_BREAKPOINTS
            for width, name in sorted(breakpoints or (), reverse=True):
                if app.size.width >= width:
                    self.add_class(name)
                    break

    @property
    def guide(self) -> PhGuideApp:
        """The app, typed."""
        from phguide.ui.app import PhGuideApp

        assert isinstance(self.app, PhGuideApp)
        return self.app

    @property
    def state(self) -> AppState:
        """The shared app state."""
        return self.guide.state

    @property
    def services(self) -> Services:
        """The app's dependencies."""
        return self.guide.services

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepBar(self.STEP_ID)
        yield from self.compose_body()
        yield StatusLine()
        narrow = self.has_class("-narrow")
        yield Footer(compact=narrow, show_command_palette=not narrow)

    def compose_body(self) -> ComposeResult:
        """The step's own widgets."""
        yield from ()

    def on_resize(self, event: events.Resize) -> None:
        # On a narrow terminal the footer packs its keys closer and leaves the palette to the
        # header's button (ctrl+p still opens it), so the step's own keys fit. Textual has set
        # the width class (-narrow, -wide) by now.
        narrow = self.has_class("-narrow")
        footer = self.query_one(Footer)
        footer.compact = narrow
        footer.show_command_palette = not narrow

    def on_screen_resume(self) -> None:
        self.refresh_from_state()

    def refresh_from_state(self) -> None:
        """Show what the shared state holds now (called each time the step is shown)."""
