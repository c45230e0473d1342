"""`python -m benchmarks`: run every benchmark, print each figure and whether it meets its goal.

Exit status 0 when every goal is met, 1 when any is missed, 2 when a benchmark failed to run.
Each benchmark runs in its own process (`python -m benchmarks.NAME`), one after the other.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, Goal, goal_line, load

BENCHMARKS = ("startup", "subcommands", "returning", "round_trips", "scale", "scripting")
"""The modules, in the order they run (memory is measured with startup, from the same runs)."""


def _goal(row: dict[str, Any]) -> Goal:
    fields = {name: row[name] for name in Goal.__dataclass_fields__ if name in row}
    return Goal(**fields)


def main() -> int:
    """Run the benchmarks and print the summary."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="prove the scripts work (a smoke)")
    parser.add_argument("--runs", type=int, help="runs per subject (default: each benchmark's)")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run only these")
    parser.add_argument("--json", metavar="PATH", help="write every goal as JSON")
    args = parser.parse_args()
    goals: list[Goal] = []
    failed: list[str] = []
    started = time.monotonic()
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="phguide-bench-") as folder:
        for name in args.only or BENCHMARKS:
            out = Path(folder) / f"{name}.json"
            command = [sys.executable, "-m", f"benchmarks.{name}", "--json", str(out)]
            if args.quick:
                command.append("--quick")
            if args.runs:
                command += ["--runs", str(args.runs)]
            status = subprocess.run(command, cwd=ROOT, check=False).returncode
            if status not in (0, 1) or not out.exists():
                failed.append(name)
                continue
            goals.extend(_goal(row) for row in json.loads(out.read_text()))
    print(
        f"\n== Summary ({time.monotonic() - started:.0f} s; load average {load_before} at the "
        f"start, {load()} at the end) =="
    )
    for goal in goals:
        print(goal_line(goal).split("\n")[0])
    for name in failed:
        print(f"  [FAIL] {name}: the benchmark did not run to the end (see above)")
    missed = sum(1 for goal in goals if not goal.passed)
    print(f"{len(goals) - missed} of {len(goals)} met; {missed} missed" if goals else "no results")
    if args.json:
        Path(args.json).write_text(
            json.dumps([{**goal.__dict__, "verdict": goal.verdict} for goal in goals], indent=2)
        )
    if failed:
        return 2
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
