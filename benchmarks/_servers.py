"""The benchmarks' side of `_server.py`: start the demo servers in a child process, talk to it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks._common import ROOT, child_env
from phguide.core.hosts import parse_host, with_region
from phguide.demo.server import RequestTiming


class Servers:
    """Demo servers running in a child process, by spec (`demo@0`, `100x100@0.05`)."""

    def __init__(self, proc: subprocess.Popen[str], hello: dict[str, dict[str, str]]) -> None:
        self._proc = proc
        self.hosts = {spec: with_region(parse_host(s["url"]), "us") for spec, s in hello.items()}
        """Each server as a US Cloud host."""
        self.tokens = {spec: s["token"] for spec, s in hello.items()}
        """The demo user's current project key on each server."""
        self.urls = {spec: s["url"] for spec, s in hello.items()}
        """Each server's address."""
        self.personal_keys = {spec: s["key"] for spec, s in hello.items()}
        """A personal API key of the demo user with every scope, on each server."""

    def _ask(self, line: str) -> Any:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()
        answer = self._proc.stdout.readline()
        if not answer:
            raise SystemExit("the demo server process stopped")
        return json.loads(answer)

    def set_latency(self, spec: str, seconds: float) -> None:
        """Change a server's added latency."""
        self._ask(f"latency {spec} {seconds}")

    def clear(self, spec: str) -> None:
        """Forget the requests a server has seen."""
        self._ask(f"clear {spec}")

    def timeline(self, spec: str) -> list[RequestTiming]:
        """The requests a server has answered, with their times (`time.monotonic()`)."""
        return [RequestTiming(*row) for row in self._ask(f"timeline {spec}")]


@contextmanager
def servers(*specs: str) -> Iterator[Servers]:
    """Start `python -m benchmarks._server SPEC...` and stop it afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._server", *specs],
        cwd=ROOT,
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the demo servers did not start")
        yield Servers(proc, json.loads(line))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
