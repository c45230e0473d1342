"""Tab never stops where nothing shows: every focus stop of every step is on screen."""

from __future__ import annotations

from functools import partial

import pytest
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from phguide.services import Services
from phguide.ui.app import PhGuideApp
from tests.helpers import TimedOut, in_view, settle, wait_for
from tests.ui.sessions import password_session, sign_in

NARROW = (80, 24)
STOPS = 30
"""At most this many Tab presses a screen (the walk ends when it comes round again)."""


async def _walk(app: PhGuideApp, pilot: Pilot[None], where: str) -> list[str]:
    """Tab through the screen; each stop whose widget is not (even partly) on screen."""
    hidden = []
    seen: set[int] = set()
    for _ in range(STOPS):
        await pilot.press("tab")
        focused = app.focused
        if focused is None:
            continue
        if id(focused) in seen:
            break  # round again
        seen.add(id(focused))
        geometry = app.screen.find_widget(focused) if focused.region.area else None
        if geometry is None or geometry.visible_region.area == 0 or not focused.visible:
            hidden.append(f"{where}: {type(focused).__name__}#{focused.id}")
    return hidden


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed out", "signed in"])
async def test_every_focus_stop_is_on_screen_at_80x24(services: Services, signed_in: bool) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=NARROW) as pilot:
        if signed_in:
            sign_in(app, await password_session(services))
            await settle(pilot)
        hidden: list[str] = []
        for step in "123456":
            await pilot.press("escape", step)
            await settle(pilot)
            hidden += await _walk(app, pilot, f"step {step}")
        await pilot.press("escape", "2")
        await settle(pilot)
        ways = app.screen.query_one(TabbedContent)
        for way in ("way-password", "way-key"):
            ways.active = way
            await settle(pilot)
            hidden += await _walk(app, pilot, way)
    assert not hidden, hidden


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_every_focus_stop_of_the_key_dialogs_is_wholly_in_sight(
    services: Services, size: tuple[int, int]
) -> None:
    """In the create-key and secret-keys dialogs, whose buttons dock over the bottom of a
    scrolling box: each stop Tab reaches is all on screen, none of it under the buttons."""
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        cut: list[str] = []
        for step, key in (("3", "s"), ("4", "n")):
            await pilot.press(step)
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
            dialog = type(app.screen).__name__
            seen: set[int] = set()
            for _ in range(STOPS):
                await pilot.press("tab")
                focused = app.focused
                if focused is None or id(focused) in seen:
                    break
                seen.add(id(focused))
                # The scroll comes a few frames after the focus: a busy machine lets Pilot's
                # idle wait end before them, so wait for the sight itself, briefly.
                try:
                    await wait_for(pilot, partial(in_view, focused), "in sight", timeout=3)
                except TimedOut:
                    cut.append(f"{dialog}: {type(focused).__name__}#{focused.id}")
            await pilot.press("escape")
            await settle(pilot)
    assert not cut, cut
