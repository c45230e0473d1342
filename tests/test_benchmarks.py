"""The benchmarks still run: every script in its `--quick` mode (figures are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# Every benchmark starts real processes (apps in terminals, demo servers): minutes on a busy
# machine, beyond the suite's per-test timeout.
@pytest.mark.timeout(600)
def test_every_benchmark_runs_in_quick_mode() -> None:
    # Timed goals do not belong in tests (the machines are noisy): a missed goal (exit 1) is
    # fine here; a crash (any other status) or a benchmark that reports nothing is not.
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output[-4000:]
    summary = output.split("== Summary", 1)[-1]
    for name in (
        "startup:",
        "memory:",
        "subcommands:",
        "returning user:",
        "round trips:",
        "scale:",
    ):
        assert f"] {name}" in summary, f"no {name} figure in:\n{summary}"
    assert "[FAIL]" not in summary, summary
