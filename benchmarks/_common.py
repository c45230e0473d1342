"""What every benchmark shares: interleaved runs, medians, goals, the report, the command line."""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
"""The repository, so that `python -m phguide` finds this checkout in a child process."""


PHGUIDE = ("-c", "import sys; from phguide.__main__ import main; sys.exit(main())")
"""How a measured child runs `phguide`: the installed console script's own lines (pip writes
them into bin/phguide), not `python -m phguide`, whose runpy a user never pays for. The bare
app it is compared with runs as a plain script, without runpy too."""


@dataclass
class Goal:
    """One measured figure, its same-run baseline, and whether it meets its goal."""

    name: str
    """What was measured ("startup: first frame")."""
    value: float
    """The measured figure (seconds, kilobytes, a ratio or a count, see `unit`)."""
    baseline: float | None
    """The same-run baseline it is compared with, when the goal is a ratio."""
    unit: str
    """How to print `value` and `baseline`: "s", "ms", "KiB" or "" (a plain number)."""
    limit: float
    """The largest acceptable figure (a ratio when there is a baseline)."""
    detail: str = ""
    """What the baseline is, and anything else worth a line."""
    info_only: bool = False
    """Printed for context, never a MISS."""
    samples: dict[str, list[float]] = field(default_factory=dict)
    """The raw runs, for the JSON report."""

    @property
    def ratio(self) -> float | None:
        """value / baseline, when there is a baseline."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def figure(self) -> float:
        """What is compared with `limit`: the ratio when there is a baseline, else the value."""
        ratio = self.ratio
        return ratio if ratio is not None else self.value

    @property
    def passed(self) -> bool:
        """True when the figure is within its limit (always for information-only lines)."""
        return self.info_only or self.figure <= self.limit

    @property
    def verdict(self) -> str:
        """PASS, MISS, or info."""
        if self.info_only:
            return "info"
        return "PASS" if self.passed else "MISS"


def fmt(value: float | None, unit: str) -> str:
    """A figure with its unit, rounded for reading."""
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "KiB":
        return f"{value / 1024:.1f} MiB"
    return f"{value:g}"


def goal_line(goal: Goal) -> str:
    """One goal as the report prints it (a second line holds the detail)."""
    ratio = goal.ratio
    if ratio is not None:
        limit = "for information" if goal.info_only else f"goal ≤ {goal.limit:g}"
        figure = (
            f"{fmt(goal.value, goal.unit)} vs {fmt(goal.baseline, goal.unit)}"
            f"  ratio {ratio:.2f} ({limit})"
        )
    elif goal.info_only:
        figure = fmt(goal.value, goal.unit)
    else:
        figure = f"{fmt(goal.value, goal.unit)} (goal ≤ {fmt(goal.limit, goal.unit)})"
    line = f"  [{goal.verdict:>4}] {goal.name}: {figure}"
    if goal.detail:
        line += f"\n         {goal.detail}"
    return line


def median(values: Sequence[float]) -> float:
    """The median (the figures are noisy: a mean would follow the outliers)."""
    return float(statistics.median(values))


def interleaved(runs: int, **subjects: Callable[[], float]) -> dict[str, list[float]]:
    """Run each subject `runs` times, alternating (A B A B …, starting with a different one
    each round) so that a burst of load from other processes hits all of them alike.

    Args:
        runs: Measurements per subject.
        subjects: Name → a callable that measures once and returns the figure.

    Returns:
        Name → its figures in run order.
    """
    names = list(subjects)
    results: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            results[name].append(subjects[name]())
    return results


@dataclass
class ChildRun:
    """One child process: how long it took, how much memory it used, what it printed."""

    started: float
    """`time.monotonic()` just before the spawn (the clock is system-wide on Linux and macOS)."""
    wall: float
    """Seconds from just before the spawn to the exit."""
    max_rss_kib: float
    """Peak resident set size (KiB)."""
    returncode: int
    stdout: str
    stderr: str


def run_child(
    args: Sequence[str], *, env: dict[str, str] | None = None, stdin: str = ""
) -> ChildRun:
    """Run a child process and read its own peak RSS with `wait4` (POSIX only).

    `resource.getrusage(RUSAGE_CHILDREN)` would give the largest peak of all children so far;
    `wait4` gives this child's.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            list(args),
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
        )
        assert proc.stdin is not None
        if stdin:
            proc.stdin.write(stdin.encode())
        proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        rss = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)
        return ChildRun(
            started,
            wall,
            rss,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


_PYCACHE = tempfile.mkdtemp(prefix="phguide-bench-pycache-")
atexit.register(shutil.rmtree, _PYCACHE, True)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a measured child: no PostHog variables, no user config, bytecode kept.

    An installed phguide has its bytecode compiled, as Textual has; a checkout run with
    PYTHONDONTWRITEBYTECODE would compile phguide's modules on every start and blame phguide
    for it. So children keep bytecode in a private folder (warm-up runs fill it), never in
    the tree.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@contextmanager
def private_config() -> Iterator[str]:
    """A temporary XDG_CONFIG_HOME so that children never read the developer's settings."""
    with tempfile.TemporaryDirectory(prefix="phguide-bench-") as folder:
        yield folder


def load() -> str:
    """The machine's load average (1, 5, 15 minutes): the wall times follow it, so every
    report says it (the ratios move with it too, if less)."""
    return ", ".join(f"{figure:.2f}" for figure in os.getloadavg())


def print_header(title: str) -> None:
    print(f"\n== {title} (load average {load()}) ==", flush=True)


def report(goals: Sequence[Goal]) -> int:
    """Print the goals; the exit status is 1 when any is missed."""
    for goal in goals:
        print(goal_line(goal), flush=True)
    return 0 if all(goal.passed for goal in goals) else 1


def cli(title: str, run: Callable[[argparse.Namespace], list[Goal]], runs: int = 15) -> int:
    """The command line every benchmark module shares.

    `--quick` proves the script works (a few runs, small data); its figures mean nothing.
    `--json PATH` writes the goals for `python -m benchmarks` to collect.
    """
    parser = argparse.ArgumentParser(description=title)
    parser.add_argument("--quick", action="store_true", help="a few runs on small data (smoke)")
    parser.add_argument(
        "--runs", type=int, default=runs, help="runs per subject (default %(default)s)"
    )
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    print_header(title + (" (--quick: figures are not meaningful)" if args.quick else ""))
    goals = run(args)
    status = report(goals)
    if args.json:
        payload: list[dict[str, Any]] = []
        for goal in goals:
            row = asdict(goal)
            row.update(ratio=goal.ratio, passed=goal.passed, verdict=goal.verdict)
            payload.append(row)
        Path(args.json).write_text(json.dumps(payload, indent=2))
    return status
