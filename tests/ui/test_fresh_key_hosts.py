"""Every screen or dialog that can show a new key's panel binds the panel's keys.

The screens are found by reading the source, not from a list: a class shows a `FreshKeyPanel`
when its code builds one, or builds a widget that does (at any depth), or inherits from one
that does. A screen it builds (a dialog) shows its own panel, not the builder's. Each screen
found must inherit `FreshKeyHost` and bind every key of `FRESH_KEY_BINDINGS` as Textual
resolves bindings: a key's bindings come from the most derived class that binds the key.
"""

from __future__ import annotations

import ast
import importlib
import textwrap
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import Screen

import phguide.ui
from phguide.ui.widgets.fresh_key import FRESH_KEY_BINDINGS, FreshKeyHost, FreshKeyPanel

UI = Path(phguide.ui.__file__).parent


def _built(node: ast.ClassDef) -> set[str]:
    """The names a class calls (`FreshKeyPanel(...)`, `widgets.LoginBrowser(...)`)."""
    names: set[str] = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


def _classes(folder: Path, package: str) -> list[tuple[type, set[str]]]:
    """Every top-level class of the package in `folder`, with the names its code calls."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        module = importlib.import_module(".".join((package, *parts)))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                found.append((getattr(module, node.name), _built(node)))
    return found


def panel_screens(folder: Path, package: str) -> list[type[Screen[object]]]:
    """The screens (and dialogs) of a package that can show a `FreshKeyPanel`."""
    classes = _classes(folder, package)
    showing: set[type] = {FreshKeyPanel}
    grew = True
    while grew:
        # Widgets that show a panel, by name: building one shows it there; a screen built
        # (a dialog pushed) shows its panel on itself.
        widgets = {cls.__name__ for cls in showing if not issubclass(cls, Screen)}
        grew = False
        for cls, built in classes:
            if cls not in showing and (built & widgets or showing.intersection(cls.__mro__)):
                showing.add(cls)
                grew = True
    return sorted(
        (cls for cls in showing if issubclass(cls, Screen)), key=lambda cls: cls.__qualname__
    )


def missing_keys(screen: type[Screen[object]]) -> list[str]:
    """What a screen showing a panel lacks of the panel's keys (nothing when it has them all)."""
    problems = [] if issubclass(screen, FreshKeyHost) else ["does not inherit FreshKeyHost"]
    for wanted in Binding.make_bindings(FRESH_KEY_BINDINGS):
        # Textual takes a key's bindings from the most derived class binding that key.
        bound: list[Binding] = []
        for klass in screen.__mro__:
            own = [
                binding
                for binding in Binding.make_bindings(vars(klass).get("BINDINGS", []))
                if binding.key == wanted.key
            ]
            if own:
                bound = own
                break
        if not any(binding.action == wanted.action for binding in bound):
            problems.append(f"{wanted.key} does not run {wanted.action}")
    return problems


def test_every_screen_that_can_show_a_new_key_binds_its_keys() -> None:
    screens = panel_screens(UI, "phguide.ui")
    # The scan finds the screens through the widgets they build (Log in shows the panel
    # inside its browser-approval widget), and the dialog a step pushes.
    names = {screen.__name__ for screen in screens}
    assert {"LoginScreen", "PersonalKeysScreen", "SecretKeysDialog"} <= names
    assert "ProjectKeyScreen" not in names, "a screen pushing a dialog shows no panel itself"
    lacking = {screen.__name__: missing_keys(screen) for screen in screens}
    assert {name: problems for name, problems in lacking.items() if problems} == {}


BARE_UI = """
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen

from phguide.ui.widgets.fresh_key import FRESH_KEY_BINDINGS, FreshKeyHost, FreshKeyPanel


class Holder(Vertical):
    def compose(self) -> ComposeResult:
        yield FreshKeyPanel(self.app.services)


class Inner(Vertical):
    def compose(self) -> ComposeResult:
        yield Holder()


class Forgot(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Inner()


class Shadowed(Screen[None], FreshKeyHost):
    BINDINGS = [*FRESH_KEY_BINDINGS]


class ShadowedBelow(Shadowed):
    BINDINGS = [Binding("c", "copy_other", "Copy other")]

    def compose(self) -> ComposeResult:
        yield Holder()


class Right(ModalScreen[None], FreshKeyHost):
    BINDINGS = [Binding("escape", "dismiss", "Close"), *FRESH_KEY_BINDINGS]

    def compose(self) -> ComposeResult:
        yield FreshKeyPanel(self.app.services)


class Pusher(Screen[None]):
    def open(self) -> None:
        self.app.push_screen(Right())
"""


def test_a_screen_lacking_the_keys_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "bare_ui"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "screens.py").write_text(textwrap.dedent(BARE_UI))
    monkeypatch.syspath_prepend(str(tmp_path))
    screens = panel_screens(package, "bare_ui")
    found = {screen.__name__: missing_keys(screen) for screen in screens}
    every = {f"{b.key} does not run {b.action}" for b in Binding.make_bindings(FRESH_KEY_BINDINGS)}
    assert set(found) == {"Forgot", "ShadowedBelow", "Right"}
    # Two widgets deep, no host, no keys.
    assert set(found["Forgot"]) == {"does not inherit FreshKeyHost", *every}
    # Its own `c` hides the base's: only copy is lost.
    assert found["ShadowedBelow"] == ["c does not run fresh_key('copy')"]
    assert found["Right"] == []
