"""Scripting: `phguide token` and `phguide run` start within 1.5x of keyring's own start.

The baseline is `python -c "import keyring; keyring.get_keyring()"`, the least any tool that
reads a key from the keyring pays. Both run with the same keyring backend (`_keyring.py`, named
by PYTHON_KEYRING_BACKEND), and phguide holds a key for the host in a private settings folder,
so `token` prints it and `run` starts its command with it.

Run: `python -m benchmarks.scripting` (or `python -m benchmarks` for every benchmark).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks._common import Goal, child_env, cli, interleaved, median, run_child

GOAL = 1.5
"""token and run within 1.5x of the baseline (issue 16)."""
BACKEND = "benchmarks._keyring.Keyring"

SUBJECTS: dict[str, list[str]] = {
    "phguide token": ["-m", "phguide", "token"],
    "phguide run -- true": ["-m", "phguide", "run", "--", "true"],
    "baseline": ["-c", "import keyring; keyring.get_keyring()"],
}


def _hold_a_key(folder: str) -> None:
    """A settings file in which phguide holds one key for US Cloud (its value is the backend's)."""
    from phguide.system.config import Config, HeldKey, save_config

    held = HeldKey("https://us.posthog.com", "bench@example.com", "k1", "Bench", "", "created")
    save_config(Config().with_key(held, make_active=True), Path(folder) / "config.json")


def run(args: argparse.Namespace) -> list[Goal]:
    """Measure and return the goals."""
    from benchmarks._keyring import KEY

    goals: list[Goal] = []
    with tempfile.TemporaryDirectory(prefix="phguide-bench-") as folder:
        _hold_a_key(folder)
        env = child_env(PHGUIDE_CONFIG_DIR=folder, PYTHON_KEYRING_BACKEND=BACKEND)

        def command(argv: list[str]) -> float:
            child = run_child([sys.executable, *argv], env=env)
            if child.returncode != 0:
                raise SystemExit(f"{argv} failed ({child.returncode}):\n{child.stderr[-2000:]}")
            if argv[-1] == "token" and child.stdout != KEY + "\n":
                raise SystemExit(f"phguide token printed {child.stdout!r}, not the held key")
            return child.wall

        for argv in SUBJECTS.values():
            command(argv)  # warm-up: bytecode and the page cache
        walls = interleaved(
            args.runs, **{name: (lambda a=a: command(a)) for name, a in SUBJECTS.items()}
        )
        baseline = median(walls["baseline"])
        for name in ("phguide token", "phguide run -- true"):
            goals.append(
                Goal(
                    f"scripting: {name} start",
                    median(walls[name]),
                    baseline,
                    "s",
                    GOAL,
                    'baseline: python -c "import keyring; keyring.get_keyring()", same backend; '
                    f"{args.runs} interleaved runs each, medians",
                    samples={name: walls[name], "baseline": walls["baseline"]},
                )
            )
    return goals


if __name__ == "__main__":
    sys.exit(cli("Scripting", run, runs=20))
