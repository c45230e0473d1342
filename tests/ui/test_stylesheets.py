"""Each screen and dialog brings the stylesheet its rules live in (the first frame parses only
phguide.tcss, so a dialog that forgets its CSS_PATH is drawn unstyled)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path, PurePath

from textual.screen import Screen

import phguide.ui.dialogs
import phguide.ui.screens


def _screen_classes() -> list[type[Screen[object]]]:
    found: list[type[Screen[object]]] = []
    for package in (phguide.ui.screens, phguide.ui.dialogs):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, Screen) and value.__module__ == module.__name__:
                    found.append(value)
    return found


def _css_paths(screen: type[Screen[object]]) -> list[str]:
    paths = screen.CSS_PATH or []
    return [str(paths)] if isinstance(paths, str | PurePath) else [str(path) for path in paths]


def test_every_dialog_loads_the_shared_dialog_frame() -> None:
    dialogs = [cls for cls in _screen_classes() if 'classes="dialog"' in inspect.getsource(cls)]
    assert dialogs
    missing = [cls.__name__ for cls in dialogs if "dialog.tcss" not in _css_paths(cls)]
    assert not missing, f"add dialog.tcss to CSS_PATH: {missing}"


def test_every_rule_for_a_screen_lives_in_that_screens_stylesheet() -> None:
    # A rule that names a screen or dialog class must be in a stylesheet that class loads
    # (or in phguide.tcss for the first step): else it applies only after another screen ran.
    ui = Path(phguide.ui.screens.__file__).parent.parent
    for cls in _screen_classes():
        own = {(Path(inspect.getfile(cls)).parent / path).resolve() for path in _css_paths(cls)} | {
            (ui / "phguide.tcss").resolve()
        }
        for sheet in ui.rglob("*.tcss"):
            if sheet.resolve() in own:
                continue
            text = sheet.read_text()
            assert f"\n{cls.__name__} " not in text and f"\n{cls.__name__}." not in text, (
                f"{sheet.name} styles {cls.__name__}, which does not load it"
            )
