"""The footer rebuilds its keys when what it shows changes, not for every notice of bindings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Footer

from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.widgets.footer import StepFooter
from tests.helpers import SIZE, settle, wait_for
from tests.ui.rendered import lines


def _footer(app: PhGuideApp) -> str:
    """The screen's last row: the footer as drawn."""
    return lines(app.export_screenshot(), SIZE)[-1]


def _counting(footer: Footer, builds: list[int]) -> None:
    """Count each time `footer` builds its keys (Textual calls `compose` on the instance)."""
    compose = footer.compose

    def counted() -> ComposeResult:
        widgets: Iterator[Widget] = iter(compose())
        builds.append(1)
        yield from widgets

    footer.compose = counted  # type: ignore[method-assign]


async def test_the_first_screen_builds_its_footers_keys_once(services: Services) -> None:
    # Textual queued three rebuilds of the same keys after the first frame (the screen shown,
    # the text focused, Textual's check after a focus), each a layout and a frame more.
    app = PhGuideApp(services)
    builds: list[int] = []
    counting: list[Footer] = []

    def painted() -> None:
        if not counting:
            footers = app.screen.query(Footer)
            if footers:
                counting.append(footers.first())
                _counting(counting[0], builds)

    app.post_display_hook = painted  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(builds), "the footer's keys")
        await settle(pilot)
        assert app.screen.focused is not None  # the focus that asked for a rebuild came
        assert len(builds) == 1
        assert "⏎ Log in" in _footer(app)


async def test_the_footer_follows_the_keys_that_apply(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "⏎ Log in" in _footer(app)
        await pilot.press("2")  # Log in: other keys, and Enter does something else
        await wait_for(pilot, lambda: app.current_mode == "log-in", "Log in")
        await settle(pilot)
        assert "⏎ Log in" not in _footer(app)
        await pilot.press("1")
        await settle(pilot)
        assert "⏎ Log in" in _footer(app)


class _Keys(App[None]):
    """Keys of each kind a footer shows: plain, grouped, the command palette's."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "bell", "Alpha"),
        Binding("left", "bell('l')", "Move", group=Binding.Group("Move")),
        Binding("right", "bell('r')", "Move", group=Binding.Group("Move")),
    ]

    def __init__(self, footer: Footer) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield self.footer


def _keys_built(footer: Footer) -> list[tuple[str, frozenset[str], object]]:
    return [
        (type(key).__name__, frozenset(key.classes), getattr(key, "compact", None))
        for key in footer.query("*")
    ]


@pytest.mark.parametrize("compact", [False, True], ids=["wide", "narrow"])
async def test_the_footers_keys_are_built_as_textuals_own_footer_builds_them(
    compact: bool,
) -> None:
    # StepFooter gives each key its `compact` before it mounts (two restyles a key fewer).
    built = []
    for footer in (Footer(compact=compact), StepFooter(compact=compact)):
        app = _Keys(footer)
        async with app.run_test(size=(100, 5)) as pilot:
            await wait_for(pilot, lambda: bool(footer.query("FooterKey")), "the keys")  # noqa: B023
            await pilot.pause()
            built.append((_keys_built(footer), app.export_screenshot()))
    assert built[0] == built[1]
    keys = built[1][0]
    assert len(keys) >= 4  # a plain key, two grouped, the palette's
    assert any("-command-palette" in classes for _, classes, _ in keys)
