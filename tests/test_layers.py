"""The layers' import contract: ui and cli -> core -> api and system; Textual only in ui.

Read from the source (every import statement, lazy and type-only ones too), so a lazy import
cannot hide an arrow pointing up.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "phguide"

FOUNDATION = frozenset({"phguide.core.secret", "phguide.core.hosts", "phguide.core.text"})
"""What every layer may use besides `phguide.__version__`: the `Secret` type, `Host`, and the one
place server text is cleaned. They import nothing of phguide's but each other."""

MAY_IMPORT = {
    "api": {"api"},
    "system": {"system"},
    "core": {"core", "api", "system"},
    "cli": {"cli", "core", "api", "system", "services", "factory"},
    "ui": {"ui", "core", "api", "system", "services"},
    "demo": {"demo"},
}
"""The parts of phguide each layer may import (besides `FOUNDATION`): arrows point down only.
The wiring (`__main__`, `factory`, `services`) sits above them all; the CLI starts the demo
through the factory, as `__main__` does for the app."""

KNOWN: dict[tuple[str, str], str] = {}
"""Arrows that still point up, each with what would fix it. Remove an entry once fixed."""

ONLY_IN = {"textual": {"ui"}, "argparse": {"cli", "demo", "__main__"}}
"""Outside packages only some parts of phguide may import."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether a dotted name is a module or package of phguide (not a name inside one)."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(path: Path) -> set[str]:
    """Every module a file imports (`from a import b` is `a.b` when b is a module, else `a`)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                inner = f"{base}.{alias.name}"
                found.add(inner if is_module(inner) else base)
    return found


def layer_of(module: str) -> str:
    """`ui` for `phguide.ui.app`, `factory` for `phguide.factory`; `phguide` for the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def in_foundation(module: str) -> bool:
    return any(module == base or module.startswith(base + ".") for base in FOUNDATION)


def violations(files: list[Path]) -> list[str]:
    """Every import that breaks the contract, as "module imports target (why)"."""
    found = []
    for path in files:
        module = module_name(path)
        layer = layer_of(module)
        for target in sorted(imported(path)):
            top = target.split(".")[0]
            if top == "phguide":
                if target == "phguide" or in_foundation(target):
                    continue
                if in_foundation(module):
                    found.append(f"{module} imports {target} (the foundation imports no layer)")
                    continue
                allowed = MAY_IMPORT.get(layer)
                if (module, target) in KNOWN:
                    continue
                if allowed is not None and layer_of(target) not in allowed:
                    found.append(f"{module} imports {target} (it is above {layer} or beside it)")
            elif top in ONLY_IN and layer not in ONLY_IN[top]:
                owners = ", ".join(sorted(ONLY_IN[top]))
                found.append(f"{module} imports {target} (only {owners} may)")
            elif layer == "demo" and top not in sys.stdlib_module_names:
                found.append(f"{module} imports {target} (the demo uses the standard library only)")
    return found


def test_every_import_in_phguide_points_down() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 30  # the scan sees the package
    problems = violations(files)
    assert problems == [], "layer contract broken:\n" + "\n".join(problems)
    # A known exception that is gone must leave the list, so the list stays true.
    imports = {(module_name(path), target) for path in files for target in imported(path)}
    assert set(KNOWN) <= imports, f"fixed, remove from KNOWN: {set(KNOWN) - imports}"


@pytest.mark.parametrize(
    ("module", "source", "why"),
    [
        ("api/bad.py", "from phguide.core.state import Session", "above"),
        ("api/bad.py", "from ..system import credentials", "above"),
        ("core/bad.py", "def f():\n    from phguide.ui import app", "above"),
        ("core/bad.py", "import argparse", "only __main__, cli, demo may"),
        ("factory.py", "import textual.app", "only ui may"),
        ("system/bad.py", "from textual.app import App", "only ui may"),
        ("cli/bad.py", "from phguide.ui.app import PhGuideApp", "above"),
        ("core/secret.py", "from phguide.api.models import User", "the foundation"),
        ("demo/bad.py", "import httpx", "standard library"),
    ],
)
def test_the_scan_finds_an_arrow_pointing_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, source: str, why: str
) -> None:
    # A control: the contract check can fail, on lazy imports and relative ones too.
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    path = tmp_path / "phguide" / module
    path.parent.mkdir(parents=True)
    path.write_text(source + "\n", encoding="utf-8")
    problems = violations([path])
    assert len(problems) == 1 and why in problems[0], problems
