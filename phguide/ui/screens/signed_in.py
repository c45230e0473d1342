"""The frame of a step that lists what a sign-in can see (steps 3 and 4).

One pane at a time in a `ContentSwitcher`, by phase: signed out (or signed in a way that
cannot list), loading, or ready; in the error phase no pane is shown. The problem box sits
above the panes, so a failed change can be said while a ready list stays on screen.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static

from phguide.core.state import Session
from phguide.ui.screens.base import StepScreen
from phguide.ui.widgets.busy import Busy
from phguide.ui.widgets.problem import ProblemBox

Phase = Literal["signed-out", "loading", "error", "ready"]
"""Where a signed-in step is: what it shows, and which of its keys apply."""


class SignedInStep(StepScreen):
    """A step that loads what the session can see, then shows it.

    Subclasses set `INTRO`, `SIGNED_OUT` and `LOADING`, compose their ready pane (id
    ``<STEP_ID>-main``) in `compose_ready`, and load in `load` (a worker).
    """

    INTRO: ClassVar[str] = ""
    """What the step is, in PostHog's words (phguide's markup)."""
    SIGNED_OUT: ClassVar[str] = ""
    """What the step says before a sign-in (phguide's markup)."""
    LOADING: ClassVar[str] = ""
    """What the loading pane says it waits for."""
    AUTO_FOCUS = ""
    """Nothing to focus until there is something listed."""

    phase: reactive[Phase] = reactive[Phase]("signed-out", bindings=True, init=False)
    """The phase on show; the footer offers the keys that apply in it."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded_for: Session | None = None
        """The session whose listing is on show (or loading)."""

    def compose_body(self) -> ComposeResult:
        step = self.STEP_ID
        with Vertical(id="body"):
            yield Static(self.INTRO, id=f"{step}-intro")
            yield from self.compose_above()
            yield ProblemBox(id=f"{step}-error")
            with ContentSwitcher(id=f"{step}-phases", initial=self.pane(self.phase)):
                yield Static(self.SIGNED_OUT, id=f"{step}-signed-out", classes="notice")
                yield Busy(self.LOADING, id=f"{step}-loading", text_id=f"{step}-progress")
                yield from self.compose_ready()

    def compose_above(self) -> ComposeResult:
        """What stays above the panes whatever the phase."""
        yield from ()

    def compose_ready(self) -> ComposeResult:
        """The ready pane: one widget with the id ``<STEP_ID>-main``."""
        yield from ()

    # -- the phase ---------------------------------------------------------------------------
    def pane(self, phase: Phase) -> str | None:
        """The id of the pane shown in `phase` (None: no pane, the problem box speaks)."""
        step = self.STEP_ID
        return {
            "signed-out": f"{step}-signed-out",
            "loading": f"{step}-loading",
            "ready": f"{step}-main",
        }.get(phase)

    def watch_phase(self) -> None:
        self.show_phase()

    def show_phase(self) -> None:
        """Show the pane of the phase (again, when what `pane` depends on has changed)."""
        try:
            switcher = self.query_one(ContentSwitcher)
        except NoMatches:
            switcher = None
        if switcher is None or not switcher.is_mounted:
            # On a busy machine the phase can change before the panes are mounted (the
            # switcher would then show its initial pane): show it once they are.
            self.call_after_refresh(self.show_phase)
            return
        switcher.current = self.pane(self.phase)
        focused = self.focused
        if self.phase != "ready" and focused is not None and switcher in focused.ancestors:
            # A hidden list must not keep the keys (the step numbers among them).
            self.set_focus(None)

    # -- the state ---------------------------------------------------------------------------
    def refresh_from_state(self) -> None:
        session = self.state.session
        problem = self.problem  # (before any change: it may not be mounted yet, see the base)
        if session is None:
            self.loaded_for = None
            problem.clear()  # a problem of a session that has ended is no longer news
            self.say_unavailable(self.SIGNED_OUT)
            self.phase = "signed-out"
        elif session is not self.loaded_for:
            self.loaded_for = session
            problem.clear()
            self.start(session)
        else:
            self.again(session)

    def start(self, session: Session) -> None:
        """Show a session that is new to this step (load what it can see)."""

    def again(self, session: Session) -> None:
        """Show the session already shown, back on this step."""

    def say_unavailable(self, text: str | Content) -> None:
        """What the signed-out pane says (phguide's markup, or `Content`)."""
        self.query_one(f"#{self.STEP_ID}-signed-out", Static).update(text)

    @property
    def problem(self) -> ProblemBox:
        """The step's problem box."""
        return self.query_one(f"#{self.STEP_ID}-error", ProblemBox)
