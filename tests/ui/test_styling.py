"""A step's first visit, and a dialog's first showing, parse only what is new; a change of theme
still reaches every step.

See `phguide/ui/styling.py`: Textual re-parsed every stylesheet three times (and restyled every
widget) when a step was first shown; phguide reads the step's own stylesheet ahead and skips the
refreshes a mode switch asks for while the step's screen is styled with the current CSS.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path, PurePath
from typing import Any

import pytest
from textual.color import Color
from textual.screen import Screen

from phguide.services import Services
from phguide.ui import dialogs
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.steps import STEPS, Step
from tests.helpers import SIZE, settle, wait_for


def _screen_type(step_id: str) -> type[Screen[None]]:
    step = next(step for step in STEPS if step.id == step_id)
    screen_type: type[Screen[None]] = getattr(importlib.import_module(step.module), step.screen)
    return screen_type


def _stylesheets(screen_type: type[Screen[Any]]) -> list[Path]:
    paths = screen_type.CSS_PATH or []
    listed: list[str | PurePath] = [paths] if isinstance(paths, str | PurePath) else list(paths)
    folder = Path(inspect.getfile(screen_type)).parent
    return [folder / path for path in listed]


@pytest.mark.parametrize("step", STEPS[1:], ids=[step.id for step in STEPS[1:]])
async def test_a_steps_first_visit_parses_only_its_own_stylesheet(
    services: Services, step: Step, monkeypatch: pytest.MonkeyPatch
) -> None:
    step_id = step.id
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reparsed: list[str] = []
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: reparsed.append(app.current_mode))
        app.action_go(step_id)
        await wait_for(pilot, lambda: app.current_mode == step_id, step_id)
        await settle(pilot)
        assert reparsed == []
        for path in _stylesheets(_screen_type(step_id)):
            assert app.stylesheet.has_source(str(path), ""), path


def _first_selectors(path: Path) -> list[str]:
    """How each selector of a stylesheet starts: a type (`Name`) or a class (`.name`)."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.DOTALL)
    selectors = re.findall(r"([^{}]+)\{[^{}]*\}", text)
    assert selectors, path
    firsts: list[str] = []
    for group in selectors:
        for selector in group.split(","):
            match = re.match(r"\.?[\w-]+", selector.strip())
            assert match, f"{path.name}: {selector.strip()}"
            firsts.append(match.group(0))
    return firsts


@pytest.mark.parametrize("step", STEPS[1:], ids=[step.id for step in STEPS[1:]])
def test_a_steps_stylesheet_styles_its_own_screen_only(step: Step) -> None:
    # Read ahead, a step's rules restyle no widget already mounted: they must not match one.
    screen_type = _screen_type(step.id)
    for path in _stylesheets(screen_type):
        for first in _first_selectors(path):
            assert first == screen_type.__name__, f"{path.name}: {first}"


def _dialogs() -> list[type[Screen[Any]]]:
    """Every screen class `phguide.ui.dialogs` defines that has a stylesheet of its own."""
    found: list[type[Screen[Any]]] = []
    for module_info in pkgutil.iter_modules(dialogs.__path__):
        module = importlib.import_module(f"{dialogs.__name__}.{module_info.name}")
        for _name, kind in inspect.getmembers(module, inspect.isclass):
            if issubclass(kind, Screen) and kind.__module__ == module.__name__ and kind.CSS_PATH:
                found.append(kind)
    return found


DIALOGS = _dialogs()


@pytest.mark.parametrize("dialog", DIALOGS, ids=lambda dialog: dialog.__name__)
def test_a_dialogs_stylesheet_styles_dialogs_only(dialog: type[Screen[Any]]) -> None:
    # Read ahead as a dialog is pushed, its rules must match nothing already on screen: its own
    # type (or a phguide dialog it extends), or the `dialog` class, which only dialogs have.
    own = {kind.__name__ for kind in dialog.__mro__ if kind.__module__.startswith("phguide.")}
    assert _stylesheets(dialog), dialog
    for path in _stylesheets(dialog):
        for first in _first_selectors(path):
            assert first in own | {".dialog"}, f"{path.name}: {first}"


async def test_a_dialogs_first_showing_parses_only_its_own_stylesheet(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reparsed: list[str] = []
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: reparsed.append("reparse"))
        dialog = ConfirmDialog("Roll secret key", "Roll it?", yes="Roll")
        app.push_screen(dialog)
        await wait_for(pilot, lambda: app.screen is dialog, "the dialog")
        await settle(pilot)
        assert reparsed == []
        for path in _stylesheets(ConfirmDialog):
            assert app.stylesheet.has_source(str(path), ""), path
        # ... and its rules reached it: dialog.tcss sets the box's width and border.
        box = dialog.query_one("#dialog-box")
        assert box.styles.width is not None and box.styles.width.value == 64
        assert box.styles.border_top[0] == "thick"


async def test_a_new_theme_reaches_a_step_shown_before_and_after(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_go("project-key")  # built and styled before the theme changes
        await wait_for(pilot, lambda: app.current_mode == "project-key", "step 3")
        app.action_go("key-types")
        await wait_for(pilot, lambda: app.current_mode == "key-types", "step 1")
        await settle(pilot)
        light = "textual-light"
        assert app.theme != light
        app.theme = light
        await settle(pilot)
        theme = app.get_theme(light)
        assert theme is not None and theme.background is not None
        background = Color.parse(theme.background)
        assert app.screen.styles.background == background
        for step_id in ("project-key", "usage"):  # shown before, and shown first now
            app.action_go(step_id)
            await settle(pilot)
            assert app.current_mode == step_id
            assert app.screen.styles.background == background, step_id
