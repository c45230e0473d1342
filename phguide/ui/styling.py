"""A step's screen styled once on its first visit, not every stylesheet parsed four times.

When a mode's screen is first shown, Textual reads the screen's `CSS_PATH` and re-parses every
stylesheet the app holds (its own and every widget's `DEFAULT_CSS`) and restyles every widget
of every screen; then it refreshes the CSS twice more (a new screen has not "seen" the current
CSS yet), each refresh parsing everything again, and the parse cache each refresh empties makes
the next widget type mounted parse everything a fourth time. On a returning user's way to the
key that was ~40 % of step 3's first visit. Here, with public API only:

- `read_ahead` adds a new screen's stylesheet before Textual looks for it, so that only that
  file is parsed. Nothing else needs restyling: a step's stylesheet styles its own screen
  only (every rule starts with the screen's class; `tests/ui/test_styling.py` holds to it).
- `StyledOnceApp` skips the refreshes a mode switch asks for while the screen switched to
  is styled with the stylesheet as it is (a new screen is styled as it mounts). A refresh
  for any other reason (a theme) runs, and makes every other mode's screens stale, so that
  switching to one of them refreshes as before. It also paints a new screen as soon as it is
  laid out, where Textual's timer fired late and the first frame was thrown away
  (`StyledOnceApp.delay_update`, `StyledOnceScreen`).
- `StyledOnceScreen` is not restyled as it is first shown: its widgets were styled as they
  mounted, just before (Textual restyles every widget of a screen each time it is shown).
- A dialog's stylesheet is read ahead as it is pushed (`StyledOnceApp.push_screen`): the first
  push of each kind of dialog re-parsed every stylesheet and restyled every widget of every
  step, for rules that style the dialog alone (`tests/ui/test_styling.py` holds them to it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from textual import events, on
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from textual.widget import AwaitMount


def read_ahead(stylesheet: Stylesheet, screen: Screen[Any]) -> None:
    """Add the screen's own stylesheets (`CSS_PATH`) to the app's, to be parsed alone.

    Call it once the screen is built, before Textual installs or pushes it (a mode's factory,
    `StyledOnceApp.push_screen`).
    """
    for path in screen.css_path:
        if not stylesheet.has_source(str(path), ""):
            stylesheet.read(path)


def screen_factory(module: str, name: str) -> Callable[[], Screen[None]]:
    """A mode's factory: imports the screen's module when first shown, reads its CSS ahead."""

    def make() -> Screen[None]:
        screen_type: type[Screen[None]] = getattr(importlib.import_module(module), name)
        screen = screen_type()
        read_ahead(screen.app.stylesheet, screen)
        return screen

    return make


class StyledOnceApp(App[None]):
    """An app whose modes' screens are styled as they mount, not restyled by the switch."""

    def __init__(self) -> None:
        super().__init__()
        self._css_version = 0
        """How many times the CSS was refreshed for a reason other than a mode switch."""
        self._mode_css: dict[str, int] = {}
        """Each mode seen so far: the `_css_version` its screens are styled with."""
        self._switching_to: str | None = None
        """The mode `switch_mode` is switching to, while it does."""
        self._first_visit = False
        """True while `switch_mode` builds the screen of a mode not seen before."""
        self._hold: AbstractContextManager[None] | None = None
        """The screen's updates, held while a new mode's screen is built (`delay_update`)."""
        self._held_for: Screen[Any] | None = None
        """The screen whose first styling and layout ends the hold."""

    def push_screen(
        self,
        screen: Any,
        callback: Any = None,
        wait_for_dismiss: bool = False,
        *,
        mode: str | None = None,
    ) -> Any:
        # Typed loosely: callers reach it through `Widget.app`, typed as Textual's `App`, so
        # they still see its overloads (by `wait_for_dismiss`).
        if isinstance(screen, Screen):
            read_ahead(self.stylesheet, screen)
        if wait_for_dismiss:
            return super().push_screen(screen, callback, wait_for_dismiss=True, mode=mode)
        return super().push_screen(screen, callback, mode=mode)

    def switch_mode(self, mode: str) -> AwaitMount:
        # A mode seen for the first time gets a new screen, styled as it mounts: current. So
        # is the mode left if no refresh has run yet (it has been styled with what there is).
        self._mode_css.setdefault(self.current_mode, self._css_version)
        self._first_visit = mode not in self._mode_css
        self._mode_css.setdefault(mode, self._css_version)
        self._switching_to = mode
        try:
            mounting = super().switch_mode(mode)
            screen = self.screen
            if (
                self._first_visit
                and self._css_version == 0
                and isinstance(screen, StyledOnceScreen)
            ):
                # Built just now and styled as it mounts, with the stylesheet the app started
                # with: neither of the two `ScreenResume`s of its first switch needs to restyle
                # it. After a theme change the second one still does (a test holds it).
                screen.unstyled_resumes = 2
            return mounting
        finally:
            self._switching_to = None
            self._first_visit = False
            hold = self._hold
            if hold is not None and self._held_for is None:
                # The new screen ends the hold as Textual first styles and lays it out
                # (`StyledOnceScreen`); this, queued behind that, in case it never does.
                self._held_for = self.screen
                self.screen.call_later(self._release, hold)

    def delay_update(self, delay: float = 0.05) -> None:
        """Hold the screen's updates while a new mode's screen is built, until it is laid out.

        Textual holds them for `delay` seconds by a timer, to hide the switch. A new screen takes
        longer than that to build on a busy machine, and the timer fires late, behind that work:
        the screen's first frame was painted and thrown away (~100 ms on a returning user's way
        to the key, under load). Switching back to a screen is left to Textual.
        """
        if not self._first_visit:
            super().delay_update(delay)
            return
        if self._hold is None:  # one hold at a time: a second switch waits on the same
            self._hold = self.batch_update()
            self._hold.__enter__()

    def screen_resuming(self, screen: Screen[Any]) -> None:
        """`screen` is about to be styled and laid out to be shown: paint it once it is.

        A new mode's screen gets two `ScreenResume`s (one as its mode starts, one from the
        switch), and the layout of the first sends the screen a `Resize` that lays it out again;
        held until the last of these, its first frame came two restyles and a layout later.
        """
        hold = self._hold
        if hold is not None and screen is self._held_for and screen is self.screen:
            self._release(hold)

    def _release(self, hold: AbstractContextManager[None]) -> None:
        if self._hold is not hold:
            return  # released already
        self._hold = None
        self._held_for = None
        hold.__exit__(None, None, None)
        self.screen.refresh()

    def refresh_css(self, animate: bool = True) -> None:
        switching_to = self._switching_to
        if switching_to is not None and self._mode_css[switching_to] == self._css_version:
            return  # the screen switched to is styled with the stylesheet as it is
        super().refresh_css(animate)
        if switching_to is None:
            self._css_version += 1  # the screens of the other modes are stale now
        self._mode_css[self.current_mode] = self._css_version


class StyledOnceScreen(Screen[None]):
    """A mode's screen, not restyled as it is first shown, that tells `StyledOnceApp` when it
    is first laid out to be shown."""

    unstyled_resumes = 1
    """How many `ScreenResume`s to come are the screen's first showing, not to restyle it: one,
    or two for a step's first visit before any theme change (`StyledOnceApp.switch_mode`)."""

    @on(events.ScreenResume)
    def _resuming(self, event: events.ScreenResume) -> None:
        # Textual calls a subclass's handlers before its own `Screen` handler, which styles and
        # lays the screen out and paints it unless updates are held: what a subclass shows on
        # resume is then shown in that first frame.
        if self.unstyled_resumes > 0:
            # Every widget was styled as it mounted, just before: Textual would restyle them all
            # again (a quarter of step 3's first frame, a tenth of a step's screen's).
            self.unstyled_resumes -= 1
            event.refresh_styles = False
        app = self.app
        if isinstance(app, StyledOnceApp):
            app.screen_resuming(self)
