"""Startup and memory as the user sees them: phguide in a real terminal against a bare Textual app.

Both run in a pseudo-terminal of 110×34 with Textual's real Linux driver (`_pty.py`); the
benchmark times exec → the first frame visible in the byte stream (phguide's step bar, the bare
app's text) and exec → a key press answered (ctrl+p: the command palette drawn), then quits
with ctrl+q and reads each child's peak RSS. The runs are interleaved and the figures are
ratios of medians. The older headless figure (the compositor's first frame, exiting at once)
is kept for information, with the heavy packages imported before that frame.

Run: `python -m benchmarks.startup` (or `python -m benchmarks` for every benchmark).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks._bare_app import TEXT as BARE_TEXT
from benchmarks._common import PHGUIDE, ROOT, Goal, child_env, cli, interleaved, median, run_child
from benchmarks._pty import spawn

STARTUP_GOAL = 1.15
"""phguide's first frame in a terminal within 1.15× of the bare app's (issue 15)."""
MEMORY_GOAL = 1.2
"""phguide's peak RSS within 1.2× of the bare app's."""
HERE = Path(__file__).resolve().parent
STEP_BAR = b"Key types"
"""Text of phguide's step bar (on every step's screen): its first frame is on screen."""
PALETTE = b"earch for commands"
"""The command palette's placeholder (its first letter is drawn apart, under the cursor)."""
CTRL_P, CTRL_Q = b"\x10", b"\x11"


@dataclass
class TtyRun:
    """One start in a terminal."""

    first_frame: float
    """Seconds from just before the fork to the first frame's text in the output."""
    interactive: float
    """Seconds from just before the fork to the palette drawn (ctrl+p sent at the first frame)."""
    max_rss_kib: float
    """The child's peak RSS (it quit with ctrl+q after the palette)."""
    first_frame_cpu: float | None = None
    """CPU seconds the child had used when its first frame's text was read (Linux)."""


def tty_run(argv: list[str], marker: bytes, env: dict[str, str]) -> TtyRun:
    """Start `argv` in a 110×34 pseudo-terminal and time it to its first frame and first answer."""
    child = spawn(argv, env, str(ROOT))
    try:
        first = child.wait_for(marker)
        cpu = child.cpu_now()
        sent = len(child.output)
        child.send(CTRL_P)
        answered = child.wait_for(PALETTE, after=sent)
    finally:
        child.finish(CTRL_Q)
    if child.returncode != 0:
        tail = bytes(child.output[-1500:]).decode(errors="replace")
        raise SystemExit(f"{argv} exited with {child.returncode}:\n{tail}")
    return TtyRun(first - child.started, answered - child.started, child.max_rss_kib, cpu)


def tty_env(config: str) -> dict[str, str]:
    """The environment of a child in the terminal: its own settings folder, a colour terminal."""
    return child_env(XDG_CONFIG_HOME=config, TERM="xterm-256color", COLORTERM="truecolor")


def bare_first_frame(env: dict[str, str]) -> float:
    """Seconds from exec to the bare app's first frame in a terminal (it then quits)."""
    child = spawn([sys.executable, str(HERE / "_bare_app.py")], env, str(ROOT))
    try:
        return child.wait_for(BARE_TEXT.encode()) - child.started
    finally:
        child.finish(CTRL_Q)


def _in_terminal(runs: int, config: str, *, warm_up: bool) -> dict[str, list[TtyRun]]:
    """Interleaved starts of phguide and the bare app in a terminal."""
    env = tty_env(config)
    subjects: dict[str, Callable[[], TtyRun]] = {
        "phguide": lambda: tty_run([sys.executable, *PHGUIDE], STEP_BAR, env),
        "bare": lambda: tty_run(
            [sys.executable, str(HERE / "_bare_app.py")], BARE_TEXT.encode(), env
        ),
    }
    for subject in subjects.values() if warm_up else ():  # a warm-up each: bytecode, page cache
        subject()
    found: dict[str, list[TtyRun]] = {name: [] for name in subjects}

    def measure(name: str) -> float:
        found[name].append(subjects[name]())
        return found[name][-1].first_frame

    interleaved(runs, **{name: (lambda n=name: measure(n)) for name in subjects})
    return found


def _headless(runs: int, config: str, *, warm_up: bool) -> tuple[dict[str, list[float]], list[str]]:
    """Interleaved headless runs to the compositor's first frame (for information)."""
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
        return float(frame["at"]) - child.started

    if warm_up:
        measure("phguide", "_first_frame.py")
        measure("bare", "_bare_app.py", "--headless")
    times = interleaved(
        runs,
        phguide=lambda: measure("phguide", "_first_frame.py"),
        bare=lambda: measure("bare", "_bare_app.py", "--headless"),
    )
    return times, sorted(set(problems))


def run(args: argparse.Namespace) -> list[Goal]:
    """Measure and return the goals."""
    with tempfile.TemporaryDirectory(prefix="phguide-bench-") as config:
        tty = _in_terminal(args.runs, config, warm_up=not args.quick)
        headless, problems = _headless(args.runs, config, warm_up=not args.quick)

    def pick(name: str, figure: str) -> list[float]:
        return [getattr(one, figure) for one in tty[name]]

    def both(figure: str) -> dict[str, list[float]]:
        return {name: pick(name, figure) for name in tty}

    how = f"{args.runs} interleaved runs each in a 110×34 pseudo-terminal, medians"
    cpu = {name: [run.first_frame_cpu for run in tty[name]] for name in tty}
    cpu_goals = []
    if all(value is not None for values in cpu.values() for value in values):
        cpu_goals.append(
            Goal(
                "startup: CPU time to the first frame in a terminal",
                median([value or 0.0 for value in cpu["phguide"]]),
                median([value or 0.0 for value in cpu["bare"]]),
                "s",
                0,
                "user + system seconds of the child when its first frame showed (/proc, 10 ms "
                "ticks): what the wall time costs on an idle machine, less moved by the load; "
                "for information",
                info_only=True,
                samples={name: [value or 0.0 for value in values] for name, values in cpu.items()},
            )
        )
    return [
        Goal(
            "startup: exec to the first frame in a terminal (the step bar drawn)",
            median(pick("phguide", "first_frame")),
            median(pick("bare", "first_frame")),
            "s",
            STARTUP_GOAL,
            f"baseline: bare Textual app (Header, Static, Footer); {how}",
            samples={
                "phguide": pick("phguide", "first_frame"),
                "bare": pick("bare", "first_frame"),
            },
        ),
        Goal(
            "startup: exec to a key answered (ctrl+p sent at the first frame, the palette drawn)",
            median(pick("phguide", "interactive")),
            median(pick("bare", "interactive")),
            "s",
            STARTUP_GOAL,
            f"baseline: the same key in the bare app; {how}",
            samples={
                "phguide": pick("phguide", "interactive"),
                "bare": pick("bare", "interactive"),
            },
        ),
        Goal(
            "memory: peak RSS of those runs",
            median(pick("phguide", "max_rss_kib")),
            median(pick("bare", "max_rss_kib")),
            "KiB",
            MEMORY_GOAL,
            "baseline: the same bare app; wait4() ru_maxrss of each child after the palette and "
            "ctrl+q, medians",
            samples={
                "phguide": pick("phguide", "max_rss_kib"),
                "bare": pick("bare", "max_rss_kib"),
            },
        ),
        *cpu_goals,
        Goal(
            "startup: headless, to the compositor's first frame",
            median(headless["phguide"]),
            median(headless["bare"]),
            "s",
            0,
            "the older measure (no terminal, exits at the first frame), for information",
            info_only=True,
            samples=headless,
        ),
        Goal(
            "startup: heavy packages imported before the first frame",
            float(len(problems)),
            None,
            "",
            0,
            "; ".join(problems) or "none of httpx, keyring, pyperclip",
        ),
    ]


if __name__ == "__main__":
    sys.exit(cli("Startup and memory", run))
