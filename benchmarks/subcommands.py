"""Subcommands that make no call, against `python -c pass`: each within 3× of it, importing
neither Textual nor httpx, asyncio, keyring or pyperclip.

`phguide --version`, `phguide --help`, `phguide status --help`, `phguide check --help`,
`phguide check` with nothing and with a non-key on standard input (both answered without a
request), and `phguide completion bash`. Each runs as the installed `phguide` command runs: the
console script's own two lines (`from phguide.__main__ import main; sys.exit(main())`), not
`python -m phguide`, whose runpy a user never pays for. Interleaved runs, medians, ratios
against `python -c pass` in the same run.

Run: `python -m benchmarks.subcommands` (or `python -m benchmarks` for every benchmark).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable

from benchmarks._common import PHGUIDE, Goal, child_env, cli, interleaved, median, run_child

GOAL = 3.0
"""Each command within 3× of `python -c pass` (issue 15)."""
FORBIDDEN = ("textual", "httpx", "httpcore", "asyncio", "keyring", "pyperclip")
"""What a subcommand that makes no call must not import."""
COMMANDS: dict[str, tuple[list[str], str]] = {
    "phguide --version": ([*PHGUIDE, "--version"], ""),
    "phguide --help": ([*PHGUIDE, "--help"], ""),
    "phguide status --help": ([*PHGUIDE, "status", "--help"], ""),
    "phguide check --help": ([*PHGUIDE, "check", "--help"], ""),
    "phguide check (empty stdin)": ([*PHGUIDE, "check"], ""),
    "phguide check (not a key)": ([*PHGUIDE, "check"], "not-a-posthog-key\n"),
    "phguide completion bash": ([*PHGUIDE, "completion", "bash"], ""),
}
"""The command lines measured, and what each gets on standard input."""
BASELINE = "python -c pass"


def _imports(argv: list[str], stdin: str, env: dict[str, str]) -> list[str]:
    """The forbidden packages a command line imports (from `python -X importtime`)."""
    child = run_child([sys.executable, "-X", "importtime", *argv], env=env, stdin=stdin)
    found = set()
    for line in child.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            top = line.rsplit("|", 1)[1].strip().split(".")[0]
            if top in FORBIDDEN:
                found.add(top)
    return sorted(found)


def run(args: argparse.Namespace) -> list[Goal]:
    """Measure and return the goals."""
    goals: list[Goal] = []
    with tempfile.TemporaryDirectory(prefix="phguide-bench-") as config:
        env = child_env(XDG_CONFIG_HOME=config)

        def command(argv: list[str], stdin: str) -> float:
            child = run_child([sys.executable, *argv], env=env, stdin=stdin)
            if child.returncode not in (0, 1, 2):  # check answers 1 or 2 here; never a crash
                raise SystemExit(f"{argv} exited with {child.returncode}:\n{child.stderr}")
            return child.wall

        def bound(argv: list[str], stdin: str) -> Callable[[], float]:
            return lambda: command(argv, stdin)

        subjects = {name: bound(list(argv), stdin) for name, (argv, stdin) in COMMANDS.items()}
        subjects[BASELINE] = bound(["-c", "pass"], "")
        for subject in subjects.values() if not args.quick else ():  # a warm-up each
            subject()
        walls = interleaved(args.runs, **subjects)
        baseline = median(walls[BASELINE])
        for name, (argv, stdin) in COMMANDS.items():
            forbidden = _imports(argv, stdin, env)
            imported = (
                f"imported {', '.join(forbidden)}"
                if forbidden
                else "none of " + ", ".join(FORBIDDEN)
            )
            goals.append(
                Goal(
                    f"subcommands: {name}",
                    median(walls[name]),
                    baseline,
                    "s",
                    GOAL if not forbidden else 0,
                    f"baseline: {BASELINE}, {args.runs} interleaved runs each, medians; {imported}",
                    samples={name: walls[name], BASELINE: walls[BASELINE]},
                )
            )
    return goals


if __name__ == "__main__":
    sys.exit(cli("Subcommands that make no call", run, runs=21))
