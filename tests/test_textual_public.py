"""Public Textual only: no code of ours reads, writes or patches a private part of Textual.

Textual is pinned exactly, but its private parts (`_driver`, `_screen_stacks`, a
`textual.widgets._name` module, `Worker._run`) change without notice in any release; a
public way exists for everything phguide does. The scan reads our source (AST) for:

- imports of a private Textual module or name;
- `Name._attr` where `Name` was imported from Textual;
- in our subclasses of Textual's classes, `self._attr` where `_attr` is private to one of
  the Textual classes they build on (reading, writing or overriding it);
- elsewhere, `anything._attr` where `_attr` is a private name of Textual's that none of our
  own classes defines (so `app._screen_stacks` is caught, a plain class's `self._client` not);
- the same names as strings given to `getattr`, `setattr`, `monkeypatch.setattr`,
  `mock.patch.object` ..., and dotted strings such as `"textual.worker.Worker._run"`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import textual

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("phguide", "tests", "scripts", "benchmarks")
TEXTUAL = Path(textual.__file__).parent


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("self", "cls")


def members(cls: ast.ClassDef) -> Iterator[str]:
    """The names a class defines: methods, class attributes, and attributes of `self`."""
    for item in cls.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            yield item.name
        elif isinstance(item, ast.Assign):
            yield from (target.id for target in item.targets if isinstance(target, ast.Name))
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            yield item.target.id
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and _is_self(node.value):
            yield node.attr


def classes(tree: ast.AST) -> list[ast.ClassDef]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


_CLASS = re.compile(r"^class (\w+)\b.*?(?=^\S|\Z)", re.MULTILINE | re.DOTALL)
_MEMBER = re.compile(
    r"^ {4}(?:async\s+)?def\s+(_\w+)"  # a method
    r"|^ {4}(_\w+)\s*[:=]"  # a class attribute
    r"|\bself\.(_\w+)",  # an attribute of the instance
    re.MULTILINE,
)


@cache
def textual_module(module: str) -> dict[str, frozenset[str]]:
    """The private names of each top-level class of one Textual module, by class name.

    Read with patterns rather than the AST: Textual's source is large, and this runs once per
    module a class of ours builds on.
    """
    path = TEXTUAL.joinpath(*module.split(".")[1:])
    source = (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_text()
    return {
        match.group(1): frozenset(
            name
            for member in _MEMBER.finditer(match.group(0))
            for name in member.groups()
            if name and private(name)
        )
        for match in _CLASS.finditer(source)
    }


def inherited_privates(cls: type) -> frozenset[str]:
    """The private names of the Textual classes a class builds on (empty if it builds on none)."""
    names: frozenset[str] = frozenset()
    for base in inspect.getmro(cls):
        if base.__module__.split(".")[0] == "textual":
            names |= textual_module(base.__module__).get(base.__name__, frozenset())
    return names


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_files() -> list[Path]:
    return sorted(path for folder in SCANNED for path in (ROOT / folder).rglob("*.py"))


@cache
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_bytes(), str(path))


def textual_imports(tree: ast.AST) -> Iterator[tuple[str, str, str]]:
    """(module, name, bound as) of each `from textual... import name` and `import textual...`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "textual":
            for alias in node.names:
                yield node.module or "", alias.name, alias.asname or alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "textual":
                    yield alias.name, "", alias.asname or alias.name.split(".")[0]


def textual_names(tree: ast.AST) -> set[str]:
    """Names a module binds to something imported from Textual."""
    return {bound for _, _, bound in textual_imports(tree)}


@dataclass(frozen=True)
class Ours:
    """What our code defines, and the Textual classes it uses."""

    on_textual: dict[str, frozenset[str]]
    """`module.Class` of our classes built on Textual's: the Textual privates each inherits."""
    names: frozenset[str]
    """Private names our classes define that are not Textual's to them (`self._client`)."""
    textual: frozenset[str]
    """The private names of every Textual class we import or build on."""


@cache
def ours() -> Ours:
    on_textual: dict[str, frozenset[str]] = {}
    names: set[str] = set()
    used: set[str] = set()
    for path in our_files():
        source = path.read_text(encoding="utf-8")
        if "class " not in source and "textual" not in source:
            continue  # defines nothing, imports nothing of Textual's
        module = module_of(path)
        loaded = importlib.import_module(module)
        tree = tree_of(path)
        for cls in classes(tree):
            runtime = getattr(loaded, cls.name, None)
            inherited = inherited_privates(runtime) if isinstance(runtime, type) else frozenset()
            if inherited:
                on_textual[f"{module}.{cls.name}"] = inherited
            names.update(n for n in members(cls) if private(n) and n not in inherited)
        for source, name, _ in textual_imports(tree):
            if name and not private_path(f"{source}.{name}"):
                found = getattr(importlib.import_module(source), name, None)
                if isinstance(found, type):
                    used |= inherited_privates(found)
    used.update(*on_textual.values())
    return Ours(on_textual, frozenset(names), frozenset(used))


def private_path(dotted: str) -> bool:
    """Whether a dotted name such as `textual.widgets._tabs.Tab` goes through a private part."""
    parts = dotted.split(".")
    return parts[0] == "textual" and any(private(part) for part in parts[1:])


def findings(tree: ast.Module, known: Ours, module: str = "example") -> list[str]:
    """Every private Textual part a module uses, as "line: what"."""
    bound = textual_names(tree)
    theirs = known.textual - known.names
    found: list[str] = []
    # `os._exit` is the standard library's, whatever Textual names its own methods.
    stdlib = {
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.split(".")[0] in sys.stdlib_module_names
    }

    def textual_object(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in bound

    def check(node: ast.AST, inherited: frozenset[str]) -> None:
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ClassDef):
            inherited = known.on_textual.get(f"{module}.{node.name}", frozenset())
            for item in node.body:
                name = getattr(item, "name", "")
                if name in inherited:  # overriding one of Textual's private methods
                    found.append(f"{item.lineno}: defines {name}")
        if isinstance(node, ast.Import):
            found.extend(f"{line}: import {a.name}" for a in node.names if private_path(a.name))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual"):
            module_name = node.module or ""
            for alias in node.names:
                if private_path(f"{module_name}.{alias.name}"):
                    found.append(f"{line}: from {module_name} import {alias.name}")
        elif (
            isinstance(node, ast.Attribute)
            and private(node.attr)
            and not (isinstance(node.value, ast.Name) and node.value.id in stdlib)
        ):
            on_self = _is_self(node.value) and bool(inherited)
            if (
                textual_object(node.value)
                or (on_self and node.attr in inherited)
                or (not on_self and node.attr in theirs)
            ):
                found.append(f"{line}: .{node.attr}")
        elif isinstance(node, ast.Call) and len(node.args) >= 2:
            target, name = node.args[0], node.args[1]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                attr = name.value
                if private(attr) and (textual_object(target) or attr in theirs):
                    found.append(f"{line}: {attr!r} by name")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and private_path(node.value)
        ):
            found.append(f"{line}: {node.value!r}")
        for child in ast.iter_child_nodes(node):
            check(child, inherited)

    check(tree, frozenset())
    return sorted(set(found))


@pytest.mark.timeout(600)  # it reads and imports every module: minutes on a busy machine
def test_no_code_of_ours_uses_a_private_part_of_textual() -> None:
    known = ours()
    # The scan sees Textual's classes, and which of ours build on them.
    assert {"_driver", "_screen_stacks", "_css_update_count", "_run"} <= known.textual
    assert "phguide.ui.app.PhGuideApp" in known.on_textual
    problems = []
    theirs = known.textual - known.names
    for path in our_files():
        source = path.read_text(encoding="utf-8")
        # Only a file that names Textual or one of its private names can use one (the AST
        # walk is the slow part, and most files have neither).
        if "textual" not in source and not set(re.findall(r"\b_\w+", source)) & theirs:
            continue
        for finding in findings(tree_of(path), known, module_of(path)):
            problems.append(f"{path.relative_to(ROOT)}:{finding}")
    assert problems == [], "private Textual parts in use:\n" + "\n".join(problems)


APP = "from textual.app import App\nclass A(App):\n"


@pytest.mark.parametrize(
    "source",
    [
        "import textual.widgets._loading_indicator as loading",
        "from textual.widgets._tabs import Tab",
        "from textual import _time",
        "def f(app):\n    return app._screen_stacks",
        "def f(app):\n    app._driver.write('x')",
        "from textual.worker import Worker\nrun = Worker._run",
        "from textual.worker import Worker\nsetattr(Worker, '_run', None)",
        "from unittest import mock\nmock.patch('textual.worker.Worker._run')",
        "def f(app):\n    return getattr(app, '_css_update_count')",
        APP + "    def f(self):\n        self._clipboard = 'x'",
        APP + "    async def _on_exit_app(self):\n        pass",
    ],
)
def test_the_scan_finds_a_private_part(source: str) -> None:
    # A control: each of these uses a private part of Textual, and the scan says so.
    from textual.app import App

    known = Ours({"example.A": inherited_privates(App)}, ours().names, ours().textual)
    assert findings(ast.parse(source), known) != []


def test_our_own_private_names_are_ours() -> None:
    source = "class Box:\n    def __init__(self):\n        self._driver = 1\n    def f(self):\n"
    source += "        return self._driver\n"
    tree = ast.parse(source)
    known = Ours({}, frozenset(members(classes(tree)[0])), ours().textual)
    assert findings(tree, known) == []


def test_a_standard_library_private_name_is_not_textuals() -> None:
    # `os._exit` after a fork (benchmarks/_pty.py); Textual's App has an `_exit` of its own.
    assert "_exit" in ours().textual
    assert findings(ast.parse("import os\nos._exit(127)"), ours()) == []
    assert findings(ast.parse("def f(app):\n    app._exit(1)"), ours()) != []
