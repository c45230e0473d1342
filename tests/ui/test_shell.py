"""The app around the steps: step bar, number keys, palette, and the quit guard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import Footer

from phguide.core.secret import Secret
from phguide.core.state import FreshKey
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.key_types import KeyTypesScreen
from phguide.ui.steps import STEPS
from tests.helpers import SIZE, settle, wait_for
from tests.ui.rendered import lines


async def test_starts_on_key_types_with_both_panels(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, KeyTypesScreen)
        assert app.screen.query_one("#project-key-panel")
        assert app.screen.query_one("#personal-key-panel")
        assert "step-key-types" in {w.id for w in app.screen.query(".step.-current")}


async def test_number_keys_and_step_bar_jump_to_every_step(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        for n, step in enumerate(STEPS, start=1):
            await pilot.press(str(n))
            await pilot.pause()
            assert app.current_mode == step.id
            current = app.screen.query(".step.-current")
            assert [w.id for w in current] == [f"step-{step.id}"]
        await pilot.click("#step-key-types")
        await pilot.pause()
        assert app.current_mode == "key-types"


async def test_quit_asks_first_while_a_fresh_key_is_unsaved(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        app.state.fresh_keys.append(FreshKey(Secret("phx_" + "k" * 35), "Server"))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmDialog"
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
    assert not app.is_running


async def test_the_question_before_leaving_a_new_key_is_asked_once(services: Services) -> None:
    """Ctrl+Q or a step's number pressed again while it is up: one question, one Escape."""
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        app.state.fresh_keys.append(FreshKey(Secret("phx_" + "k" * 35), "Server"))
        depth = len(app.screen_stack)
        await pilot.press("ctrl+q", "ctrl+q", "2", "ctrl+q")
        assert len(app.screen_stack) == depth + 1
        await pilot.press("escape")
        assert len(app.screen_stack) == depth
        assert app.is_running and app.current_mode == "key-types"


async def test_quit_without_fresh_key_exits_at_once(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


def _palette_key_shown(app: PhGuideApp) -> bool:
    return bool(app.screen.query_one(Footer).query(".-command-palette"))


async def test_the_first_step_comes_back_as_the_same_screen(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        first = app.screen
        await pilot.press("2")
        await pilot.press("1")
        await pilot.pause()
        assert app.current_mode == "key-types"
        assert app.screen is first


async def test_the_footer_follows_the_width_both_ways(services: Services) -> None:
    # 110 -> 80 columns: compact, the palette key left to the header (ctrl+p still works);
    # and back: as wide as at the start. Each check fails if the footer is not recomposed.
    app = PhGuideApp(services)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert not footer.compact and _palette_key_shown(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert footer.compact and not _palette_key_shown(app)
        await pilot.resize_terminal(110, 34)
        await pilot.pause()
        assert not footer.compact and _palette_key_shown(app)


async def test_a_step_first_shown_on_a_narrow_terminal_starts_narrow(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert not _palette_key_shown(app)


async def test_the_compact_footer_keeps_its_entries_apart(services: Services) -> None:
    # At 80 columns the footer is compact; a group's description ("Copy one") must still be
    # followed by a space, not run into the next key ("Copy one^q Quit").
    app = PhGuideApp(services, start="usage")
    async with app.run_test(size=(80, 24)) as pilot:

        def footer_row() -> str:
            return lines(app.export_screenshot(), (80, 24))[-1]

        # The footer composes after the step (on a busy machine, a while after).
        await wait_for(pilot, lambda: "Copy one" in footer_row(), "step 5's footer")
        assert app.screen.query_one(Footer).compact
        footer = footer_row()
        assert " ^q Quit" in footer, footer
        assert not re.search(r"[\w.)](\^[a-z]|⏎|esc\b)", footer), footer


async def test_the_step_bar_rewrites_no_label_whose_text_stays(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each Resize the bar gets fits its labels to the width; rewriting a label with the text it
    # has already laid the whole screen out again, after the first frame.
    from phguide.ui.widgets.step_bar import StepLabel

    updates: list[str] = []
    update = StepLabel.update

    def counted(self: StepLabel, content: Any = "", *, layout: bool = True) -> None:
        updates.append(str(content))
        update(self, content, layout=layout)

    monkeypatch.setattr(StepLabel, "update", counted)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert updates == []
        await pilot.resize_terminal(80, 24)  # too narrow for the titles: they shorten
        await settle(pilot)
        assert updates
        shown = [str(label.content) for label in app.screen.query(StepLabel)]
        assert " 3 Project key " in shown
