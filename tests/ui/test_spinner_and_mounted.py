"""Two small parts under the steps: a spinner that stands still under a dialog, and `mounted`,
which finds a screen's own widgets once for `check_action`."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from phguide.ui.mounted import mounted
from phguide.ui.widgets.spinner import Spinner


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


async def test_mounted_finds_once_and_again_after_a_widget_went() -> None:
    app = _Spinning()
    async with app.run_test() as pilot:
        screen = app.screen
        first = mounted(screen, Static)
        assert [str(part.render()) for part in first] == ["one", "two"]
        assert mounted(screen, Static) is first  # kept: no second walk of the screen
        await first[0].remove()
        await pilot.pause()
        again = mounted(screen, Static)
        assert [str(part.render()) for part in again] == ["two"]
        assert mounted(screen, _Dialog) == ()  # none (yet): nothing kept, asked again next time
