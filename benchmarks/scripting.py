"""Scripting: `phguide token` and `phguide run` start within 1.5x of keyring's own start.

The baseline is `python -c "import keyring; keyring.get_keyring()"`, the least any tool that
reads a key from the keyring pays. Both run with the same keyring backend (`_file_keyring.py`,
named by PYTHON_KEYRING_BACKEND), into which phguide's own accounts code saved a key for the
host beforehand (private settings folder and keyring file), so `token` prints it and `run`
starts its command with it.

Run: `python -m benchmarks.scripting` (or `python -m benchmarks` for every benchmark).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks._common import PHGUIDE, Goal, child_env, cli, interleaved, median, run_child

GOAL = 1.5
"""token and run within 1.5x of the baseline (issue 16)."""
BACKEND = "benchmarks._file_keyring.FileKeyring"
KEY = "phx_" + "benchmark".ljust(43, "0")
"""The key phguide holds (not a real one: nothing is sent anywhere)."""

SUBJECTS: dict[str, list[str]] = {
    "phguide token": [*PHGUIDE, "token"],
    "phguide run -- true": [*PHGUIDE, "run", "--", "true"],
    "baseline": ["-c", "import keyring; keyring.get_keyring()"],
}


def _hold_a_key(folder: str, keyring_file: str) -> None:
    """Save `KEY` for US Cloud as phguide does: its keyring entry and its settings index."""
    from benchmarks._file_keyring import FileKeyring
    from phguide.core.accounts import Accounts
    from phguide.core.secret import Secret
    from phguide.system.credentials import KeyringStore

    os.environ["PHGUIDE_BENCH_KEYRING"] = keyring_file  # where FileKeyring keeps its entries
    backend = FileKeyring()  # type: ignore[no-untyped-call]
    accounts = Accounts.on_disk(KeyringStore(backend), Path(folder) / "config.json")
    saved = accounts.save(
        "https://us.posthog.com",
        "bench@example.com",
        Secret(KEY),
        key_id="k1",
        source="created",
        make_active=True,
    )
    if not saved.verified:
        raise SystemExit(f"could not hold a key for the benchmark: {saved.result.message}")


def run(args: argparse.Namespace) -> list[Goal]:
    """Measure and return the goals."""
    goals: list[Goal] = []
    with tempfile.TemporaryDirectory(prefix="phguide-bench-") as folder:
        keyring_file = str(Path(folder) / "keyring.json")
        _hold_a_key(folder, keyring_file)
        env = child_env(
            PHGUIDE_CONFIG_DIR=folder,
            PYTHON_KEYRING_BACKEND=BACKEND,
            PHGUIDE_BENCH_KEYRING=keyring_file,
        )

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
