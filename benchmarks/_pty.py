"""Run a program in a pseudo-terminal, as a user's terminal would, and time what it writes.

The child gets a real pty of a fixed size (TIOCSWINSZ before exec), so Textual uses its real
Linux driver and writes real frames; the parent reads the byte stream and notes when a given
text first appears in it, sends keys, and reads the child's own peak memory with `wait4`.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

SIZE = (110, 34)
"""Columns and rows: the README's own size."""


class PtyTimeout(Exception):
    """The text did not appear in time; the message holds the tail of what did."""


@dataclass
class PtyChild:
    """A program running in a pseudo-terminal, with everything it has written so far."""

    pid: int
    fd: int
    started: float
    """`time.monotonic()` just before the fork."""
    output: bytearray = field(default_factory=bytearray)
    """Every byte the child has written."""
    max_rss_kib: float = 0.0
    """The child's peak resident set size, once it has exited."""
    cpu: float = 0.0
    """The child's user and system CPU seconds, once it has exited."""
    returncode: int | None = None

    def _read(self, timeout: float) -> bool:
        """Read what is there (waiting at most `timeout`); False once the child closed the pty."""
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed its side
            return False
        if not chunk:
            return False
        self.output.extend(chunk)
        return True

    def wait_for(self, text: bytes, *, after: int = 0, timeout: float = 20.0) -> float:
        """The `time.monotonic()` at which `text` was first read (searching from `after`).

        Raises:
            PtyTimeout: It did not appear within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            start = max(after, len(self.output) - len(text) - 65536)
            if self.output.find(text, after if start < after else start) >= 0:
                return time.monotonic()
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)):
                if self.output.find(text, after) >= 0:
                    return time.monotonic()
                tail = bytes(self.output[-1500:]).decode(errors="replace")
                raise PtyTimeout(f"{text!r} did not appear; the output ended with:\n{tail!r}")

    def cpu_now(self) -> float | None:
        """The CPU seconds (user and system, every thread) the child has used so far, from
        /proc (Linux; None elsewhere). Less sensitive to the machine's load than wall time."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as file:
                fields = file.read().rsplit(b")", 1)[1].split()
        except OSError:
            return None
        # After the name: state is field 3, utime and stime are fields 14 and 15.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def send(self, keys: bytes) -> None:
        """Type into the terminal."""
        os.write(self.fd, keys)

    def finish(self, keys: bytes = b"", timeout: float = 10.0) -> None:
        """Send `keys` (a quit key), drain the output until the child exits, reap it.

        A child that does not exit in time is killed (and its figures still read).
        """
        if keys:
            self.send(keys)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.2):
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self._reaped(status, usage)
                return
        if self.returncode is None:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if not pid:
                os.kill(self.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(self.pid, 0)
            self._reaped(status, usage)

    def _reaped(self, status: int, usage: object) -> None:
        os.close(self.fd)
        self.returncode = os.waitstatus_to_exitcode(status)
        rss = float(usage.ru_maxrss)  # type: ignore[attr-defined]
        self.cpu = usage.ru_utime + usage.ru_stime  # type: ignore[attr-defined]
        self.max_rss_kib = rss / 1024 if sys.platform == "darwin" else rss


def spawn(
    argv: Sequence[str], env: dict[str, str], cwd: str, size: tuple[int, int] = SIZE
) -> PtyChild:
    """Start `argv` in a new pseudo-terminal of `size` (columns, rows) and return at once."""
    columns, rows = size
    env = {**env, "TERM": env.get("TERM", "xterm-256color"), "COLUMNS": "", "LINES": ""}
    env = {k: v for k, v in env.items() if v}
    started = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:  # the child: size the terminal before the program can ask, then become it
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.chdir(cwd)
            os.execve(argv[0], list(argv), env)
        finally:
            os._exit(127)
    return PtyChild(pid, fd, started)
