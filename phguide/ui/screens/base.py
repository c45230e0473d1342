"""The frame every step shares: header, step bar, the step's body, status line, footer."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Footer, Header

from phguide.ui.styling import StyledOnceScreen
from phguide.ui.widgets.footer import StepFooter
from phguide.ui.widgets.status_line import StatusLine
from phguide.ui.widgets.step_bar import StepBar

if TYPE_CHECKING:
    from phguide.core.state import AppState
    from phguide.services import Services
    from phguide.ui.app import PhGuideApp


class StepScreen(StyledOnceScreen):
    """A step of the walkthrough. Subclasses set `STEP_ID` and implement `compose_body`."""

    STEP_ID: ClassVar[str] = ""
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    """Below 100 columns, side-by-side panels stack. The steps' own, not the app's: an app's
    breakpoints restyle every screen as it first opens, the command palette and each dialog
    included (a tenth of the palette's way to the screen), and only the steps use them."""

    def __init__(self) -> None:
        super().__init__()
        with contextlib.suppress(RuntimeError):  # no app yet: built outside one
            # Textual adds the width class (-narrow, -wide) on the first Resize, restyling
            # every widget a second time; starting with it means the screen is styled once
            # (when it is mounted: no styling now).
            width_class = self.width_class(self.app.size.width)
            if width_class:
                self.add_class(width_class, update=False)

    def width_class(self, width: int) -> str:
        """The breakpoint class (`-narrow`, `-wide`) Textual gives this screen at `width`."""
        for least, name in sorted(self.HORIZONTAL_BREAKPOINTS or (), reverse=True):
            if width >= least:
                return name
        return ""

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
        yield StepFooter(compact=narrow, show_command_palette=not narrow)

    def compose_body(self) -> ComposeResult:
        """The step's own widgets."""
        yield from ()

    def on_resize(self, event: events.Resize) -> None:
        # On a narrow terminal the footer packs its keys closer and leaves the palette to the
        # header's button (ctrl+p still opens it), so the step's own keys fit. The width is
        # read from the event: this handler runs before Textual's own, which sets the class.
        narrow = self.width_class(event.size.width) == "-narrow"
        footer = self.query_one(Footer)
        if footer.compact != narrow or footer.show_command_palette == narrow:
            footer.compact = narrow
            footer.show_command_palette = not narrow
            # The footer reads `show_command_palette` only when it composes (in its own
            # context: its keys bind to its reactives).
            footer.call_next(footer.recompose)

    def on_screen_resume(self) -> None:
        self._refresh_once_mounted()

    def _refresh_once_mounted(self) -> None:
        self.show_once_mounted(self.refresh_from_state)

    def show_once_mounted(self, show: Callable[[], object]) -> None:
        """Run `show` now, or once the step's widgets are mounted; never once the step has gone.

        On a busy machine a step can be shown before its nested widgets are mounted, and an
        answer from a thread can arrive while the app quits (its screens already empty).
        """
        if not self.is_attached:
            return
        try:
            show()
        except NoMatches:
            self.call_after_refresh(self.show_once_mounted, show)

    def refresh_from_state(self) -> None:
        """Show what the shared state holds now (called each time the step is shown)."""
