"""Two small parts under the steps: a spinner that stands still under a dialog, and `mounted`,
which finds a screen's own widgets once for `check_action` and keeps no screen alive."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from phguide.core.hosts import Clouds
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore
from phguide.ui.app import PhGuideApp
from phguide.ui.mounted import mounted
from phguide.ui.screens.login import LoginScreen
from phguide.ui.widgets.login_saved import LoginSaved
from phguide.ui.widgets.spinner import Spinner
from tests.helpers import SIZE, settle


class _Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("a dialog")


class _Spinning(App[None]):
    def compose(self) -> ComposeResult:
        yield Spinner()
        yield Static("one", classes="part")
        yield Static("two", classes="part")


async def test_a_spinner_under_a_dialog_does_not_redraw(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _Spinning()
    async with app.run_test() as pilot:
        spinner = app.query_one(Spinner)
        refreshed: list[object] = []
        monkeypatch.setattr(spinner, "refresh", lambda *a, **k: refreshed.append(a))
        spinner.automatic_refresh()
        assert refreshed, "on top, the spinner moves"
        refreshed.clear()
        await app.push_screen(_Dialog())
        await pilot.pause()
        spinner.automatic_refresh()
        assert not refreshed, "under a dialog, its frames would redraw the dialog's background"
        app.pop_screen()
        await pilot.pause()
        spinner.automatic_refresh()
        assert refreshed


async def test_mounted_finds_once_and_again_after_a_widget_went(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _Spinning()
    async with app.run_test() as pilot:
        screen = app.screen
        first = mounted(screen, Static)
        assert [str(part.render()) for part in first] == ["one", "two"]
        walks: list[object] = []
        query = screen.query

        def counted(*args: Any) -> Any:
            walks.append(args)
            return query(*args)

        monkeypatch.setattr(screen, "query", counted)
        assert mounted(screen, Static) == first
        assert walks == [], "kept: no second walk of the screen"
        monkeypatch.undo()
        await first[0].remove()
        await pilot.pause()
        again = mounted(screen, Static)
        assert [str(part.render()) for part in again] == ["two"]
        assert mounted(screen, _Dialog) == ()  # none (yet): nothing kept, asked again next time


def test_a_closed_app_is_not_kept_by_what_mounted_found(clouds: Clouds) -> None:
    """Log in keeps its ways in with `mounted`, and those widgets hold the app's services,
    whose clipboard holds the app. Kept strongly, they kept their screen, the app, and every
    widget and rendered line with it, for the life of the process: a test worker held one more
    whole app after each UI test, and its full collections walked them all.

    The app runs in a loop of its own: the loop's worker threads hold the app (they keep the
    `stderr` Textual had replaced when they started) until the loop is closed."""

    async def run() -> weakref.ref[PhGuideApp]:
        services = Services(
            store=MemoryStore(), clipboard=Clipboard(RecordingClipboard()), clouds=clouds
        )
        app = PhGuideApp(services, start="log-in")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert mounted(app.screen, LoginSaved)
            return weakref.ref(app)

    freed = asyncio.run(run())
    gc.collect()
    assert freed() is None
