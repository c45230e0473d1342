"""Run phguide on a real pseudo-terminal (Linux's pty driver) and keep every byte it writes."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).parents[2]

ESCAPE_SEQUENCE = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78MDEc]"
)
"""CSI, OSC and the few two-byte sequences a terminal app draws with."""

QUIET = 0.5
"""Seconds without output after which a key press counts as answered: Textual draws within a
frame (1/60 s) of handling a key, so half a second of silence means it has nothing more to draw."""


class PtyApp:
    """One process on a pty of a fixed size; `output` holds everything it wrote."""

    def __init__(
        self,
        args: list[str],
        env: Mapping[str, str],
        *,
        columns: int = 120,
        lines: int = 40,
        stdin_data: bytes | None = None,
    ) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": env.get("HOME", os.environ.get("HOME", "/tmp")),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "PYTHONPATH": os.environ.get("PYTHONPATH", str(ROOT)),
            "LANG": "C.UTF-8",
            **env,
        }
        stdin: int | None = slave
        if stdin_data is not None:
            stdin = subprocess.PIPE
        self.process = subprocess.Popen(
            [sys.executable, *args],
            stdin=stdin,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=env.get("PWD", str(ROOT)),
            start_new_session=True,
        )
        os.close(slave)
        if stdin_data is not None and self.process.stdin is not None:
            self.process.stdin.write(stdin_data)
            self.process.stdin.close()
        self.output = bytearray()
        self._closed = False

    def read_for(
        self, seconds: float, until: bytes | None = None, quiet: float | None = None
    ) -> None:
        """Collect output for up to `seconds`; stop early once `until` appears in the visible
        text written from now on, or (given `quiet`) once the app has written nothing for
        `quiet` seconds."""
        start = len(self.output)
        deadline = time.monotonic() + seconds
        last = time.monotonic()
        while (now := time.monotonic()) < deadline:
            if quiet is not None and now - last >= quiet:
                return
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.output += chunk
                last = time.monotonic()
                if until is not None and until in visible(bytes(self.output[start:])):
                    return
            elif self.process.poll() is not None:
                return

    def send(self, data: bytes, settle: float = 1.0, until: bytes | None = None) -> None:
        """Type bytes, then read what the app draws: until `until` shows (at most 40 s, and
        an AssertionError if it never does), or until the app has drawn nothing for `QUIET`
        seconds (at most `settle`)."""
        os.write(self.master, data)
        if until is None:
            self.read_for(settle, quiet=QUIET)
            return
        start = len(self.output)
        self.read_for(max(settle, 40.0), until)
        assert until in visible(bytes(self.output[start:])), f"{until!r} never showed"

    def finish(self, timeout: float = 20.0) -> int:
        """Wait for the process to exit (reading on), and return its status."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read_for(0.2)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.read_for(0.5)
        self._close()
        return self.process.returncode

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            os.close(self.master)

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        """However the walk ended (a failed assertion too), no process is left running: an app
        whose terminal went away spins in Textual's input thread, a core for ever."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._close()


def visible(output: bytes) -> bytes:
    """The text an app wrote, without its escape sequences (where names must appear)."""
    return ESCAPE_SEQUENCE.sub(b"", output)
