"""Startup and memory: phguide's first frame against a bare Textual app; subcommands against
`python -c pass`, and what each imports.

Run: `python -m benchmarks.startup` (or `python -m benchmarks` for every benchmark).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from benchmarks._common import Goal, child_env, cli, interleaved, median, run_child

STARTUP_GOAL = 1.2
"""phguide's first frame within 1.2x of the bare app's (PRODUCT.md, quality bars)."""
MEMORY_GOAL = 1.3
"""phguide's peak RSS within 1.3x of the bare app's."""
FORBIDDEN = ("textual", "httpx", "httpcore", "keyring", "pyperclip")
"""What `--version`, `--help` and a subcommand that needs no network must not import."""

HERE = Path(__file__).resolve().parent
SUBCOMMANDS: dict[str, tuple[list[str], str]] = {
    "phguide --version": (["-m", "phguide", "--version"], ""),
    "phguide status --help": (["-m", "phguide", "status", "--help"], ""),
    "phguide check (not a key)": (["-m", "phguide", "check"], "not-a-posthog-key\n"),
}
"""The command lines measured, and what each gets on standard input."""


def _first_frames(
    runs: int, config: str
) -> tuple[dict[str, list[float]], dict[str, list[float]], list[str]]:
    """Interleaved runs of phguide and the bare app: seconds to the first frame and peak RSS."""
    rss: dict[str, list[float]] = {"phguide": [], "bare": []}
    problems: list[str] = []

    def measure(name: str, script: str, *options: str) -> float:
        with tempfile.NamedTemporaryFile(suffix=".json") as report:
            env = child_env(PHGUIDE_BENCH_REPORT=report.name, XDG_CONFIG_HOME=config)
            child = run_child([sys.executable, str(HERE / script), *options], env=env)
            text = Path(report.name).read_text()
        if child.returncode != 0 or not text:
            raise SystemExit(f"{script} failed ({child.returncode}):\n{child.stderr[-2000:]}")
        frame = json.loads(text)
        if frame["heavy"]:
            problems.append(f"{name} imported {', '.join(frame['heavy'])} before its first frame")
        rss.setdefault(name, []).append(child.max_rss_kib)
        return float(frame["at"]) - child.started

    # A warm-up each: the first run compiles bytecode and fills the page cache.
    measure("phguide", "_first_frame.py")
    measure("bare", "_bare_app.py")
    measure("keep-gc", "_first_frame.py", "--keep-gc")
    rss = {"phguide": [], "bare": []}
    times = interleaved(
        runs,
        phguide=lambda: measure("phguide", "_first_frame.py"),
        bare=lambda: measure("bare", "_bare_app.py"),
        keep_gc=lambda: measure("keep-gc", "_first_frame.py", "--keep-gc"),
    )
    return times, rss, sorted(set(problems))


def _imports(args: list[str], stdin: str, config: str) -> list[str]:
    """The forbidden packages a command line imports (from `python -X importtime`)."""
    child = run_child(
        [sys.executable, "-X", "importtime", *args],
        env=child_env(XDG_CONFIG_HOME=config),
        stdin=stdin,
    )
    found = set()
    for line in child.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name.split(".")[0] in FORBIDDEN:
                found.add(name.split(".")[0])
    return sorted(found)


def run(args: argparse.Namespace) -> list[Goal]:
    """Measure and return the goals."""
    goals: list[Goal] = []
    with tempfile.TemporaryDirectory(prefix="phguide-bench-") as config:
        times, rss, problems = _first_frames(args.runs, config)
        goals.append(
            Goal(
                "startup: process start to the first frame of Key types",
                median(times["phguide"]),
                median(times["bare"]),
                "s",
                STARTUP_GOAL,
                f"baseline: bare Textual app (Header, Static, Footer); {args.runs} interleaved "
                "runs each, medians",
                samples={"phguide": times["phguide"], "bare": times["bare"]},
            )
        )
        goals.append(
            Goal(
                "startup: the same without pausing the garbage collector",
                median(times["keep_gc"]),
                median(times["bare"]),
                "s",
                0,
                "phguide pauses the collector until its first frame; this is the start without "
                "that (for comparison: the bare app does not pause it either)",
                info_only=True,
                samples={"keep_gc": times["keep_gc"], "bare": times["bare"]},
            )
        )
        goals.append(
            Goal(
                "memory: peak RSS of those runs",
                median(rss["phguide"]),
                median(rss["bare"]),
                "KiB",
                MEMORY_GOAL,
                "baseline: the same bare Textual app; wait4() ru_maxrss of each child, medians",
                samples=rss,
            )
        )
        goals.append(
            Goal(
                "startup: heavy packages imported before the first frame",
                float(len(problems)),
                None,
                "",
                0,
                "; ".join(problems) or "none of httpx, keyring, pyperclip",
            )
        )

        def command(argv: list[str], stdin: str) -> float:
            return run_child(
                [sys.executable, *argv], env=child_env(XDG_CONFIG_HOME=config), stdin=stdin
            ).wall

        subjects = {name: (lambda a=a, s=s: command(a, s)) for name, (a, s) in SUBCOMMANDS.items()}
        subjects["python -c pass"] = lambda: command(["-c", "pass"], "")
        walls = interleaved(args.runs, **subjects)
        baseline = median(walls["python -c pass"])
        for name, (argv, stdin) in SUBCOMMANDS.items():
            goals.append(
                Goal(
                    f"{name}: wall time",
                    median(walls[name]),
                    baseline,
                    "s",
                    0,
                    "baseline: python -c pass, interleaved",
                    info_only=True,
                    samples={name: walls[name], "python -c pass": walls["python -c pass"]},
                )
            )
            forbidden = _imports(argv, stdin, config)
            goals.append(
                Goal(
                    f"{name}: imports neither Textual nor httpx (nor keyring, pyperclip)",
                    float(len(forbidden)),
                    None,
                    "",
                    0,
                    f"imported: {', '.join(forbidden)}"
                    if forbidden
                    else "checked with -X importtime",
                )
            )
    return goals


if __name__ == "__main__":
    sys.exit(cli("Startup and memory", run))
