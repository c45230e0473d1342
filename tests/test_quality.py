"""Lint, formatting, types and import hygiene, run as tests so they fail CI like a test does."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("textual", "keyring", "pyperclip", "httpx", "secretstorage", "jeepney")
"""Packages the core modules must not import until they are used."""


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        ("-m", "ruff", "check", "."),
        ("-m", "ruff", "format", "--check", "."),
        ("-m", "mypy"),  # strict, on phguide/, tests/, scripts/, benchmarks/ ([tool.mypy])
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_passes(command: tuple[str, ...]) -> None:
    result = run(*command)
    assert result.returncode == 0, (
        f"`{' '.join(command[1:])}` failed:\n{result.stdout}\n{result.stderr}"
    )


def test_mypy_checks_all_our_python() -> None:
    # The mypy test runs on what [tool.mypy] names: every folder of our Python, benchmarks too.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    ours = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert ours <= set(config["files"]), sorted(ours - set(config["files"]))
    assert config["strict"] is True


def imported_modules(statement: str) -> set[str]:
    """The modules a statement imports, from ``python -X importtime`` in a fresh process."""
    result = run("-X", "importtime", "-c", statement, timeout=60)
    assert result.returncode == 0, result.stderr
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    return modules


def test_the_core_modules_import_nothing_heavy() -> None:
    modules = imported_modules(
        "import phguide.system.credentials, phguide.system.clipboard, phguide.system.config, "
        "phguide.core.environment"
    )
    assert "phguide.system.credentials" in modules  # the measurement works
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"imported at startup: {heavy}"


def test_the_readme_runs_the_same_test_command_as_ci() -> None:
    command = (ROOT / ".ci" / "test-command").read_text().strip()
    readme = (ROOT / "README.md").read_text()
    assert command in readme, f"README.md must show the test command CI runs: {command}"


def test_no_module_of_the_package_runs_past_500_lines() -> None:
    """Small modules: one past 500 lines does more than one job (issue 14's bar)."""
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "phguide").rglob("*.py")
    }
    assert len(sizes) > 50, "the scan found too few modules to mean anything"
    assert max(sizes.values()) > 300, "the scan reads the modules' lines"
    too_long = {name: lines for name, lines in sizes.items() if lines > 500}
    assert not too_long, too_long
