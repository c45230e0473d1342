"""The benchmarks still run: every script in its `--quick` mode (figures are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import BENCHMARKS

ROOT = Path(__file__).resolve().parents[1]


FIGURES = {
    "startup": ("startup:", "memory:"),
    "subcommands": ("subcommands:",),
    "returning": ("returning user:",),
    "round_trips": ("round trips:",),
    "scale": ("scale:",),
    "scripting": ("scripting:",),
}
"""What each benchmark must report (the start of its goals' names)."""


def test_every_benchmark_is_run_here() -> None:
    assert set(FIGURES) == set(BENCHMARKS)


# Each benchmark starts real processes (apps in terminals, demo servers): a minute or more on
# a busy machine. One test each, so that the workers share them out.
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", BENCHMARKS)
def test_the_benchmark_runs_in_quick_mode(name: str) -> None:
    # Timed goals do not belong in tests (the machines are noisy): a missed goal (exit 1) is
    # fine here; a crash (any other status) or a benchmark that reports nothing is not.
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output[-4000:]
    summary = output.split("== Summary", 1)[-1]
    for figure in FIGURES[name]:
        assert f"] {figure}" in summary, f"no {figure} figure in:\n{summary}"
    assert "[FAIL]" not in summary, summary
