"""OSC 52 through a real tmux: the sequence reaches the outer terminal or tmux's own clipboard."""

from __future__ import annotations

import base64
import contextlib
import os
import select
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import need_programs

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(sys.platform == "win32", reason="tmux needs a Unix pty"),
]

TEXT = "phc_tmux0000000000000000000000000000000000000"
OSC52 = b"\x1b]52;"


class Tmux:
    """A private tmux server with one client attached through a pty we read from."""

    def __init__(self, options: list[tuple[str, str]]) -> None:
        import pty

        self.socket = f"phguide-test-{uuid.uuid4().hex[:8]}"
        self.env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        self.env["TERM"] = "xterm-256color"
        root = str(Path(__file__).resolve().parents[2])
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (root, os.environ.get("PYTHONPATH")) if p
        )
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", "sh")
        for name, value in options:
            self.tmux("set-option", "-g", name, value)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a terminal attached to the session
            os.execvpe("tmux", ["tmux", "-L", self.socket, "attach"], self.env)
        self.output = b""
        self.read_for(0.5)

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return result.stdout

    def read_for(self, seconds: float, until: bytes | None = None) -> None:
        """Collect what tmux draws on the outer terminal."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if until is not None and until in self.output:
                return
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    return

    def run_in_pane(self, command: str) -> None:
        self.tmux("send-keys", command, "Enter")

    def close(self) -> None:
        self.tmux("kill-server")
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


@contextlib.contextmanager
def tmux_session(*options: tuple[str, str]) -> Iterator[Tmux]:
    need_programs("tmux")
    session = Tmux(list(options))
    try:
        yield session
    finally:
        session.close()


def emit_command(done: str) -> str:
    """A shell command that writes phguide's OSC 52 for TEXT (tmux detected from $TMUX)."""
    code = (
        "import sys; from phguide.system.clipboard import osc52_sequence; "
        f"sys.stdout.write(osc52_sequence({TEXT!r})); sys.stdout.flush(); print({done!r})"
    )
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


def outer_sequences(output: bytes) -> list[bytes]:
    """The OSC 52 payloads the outer terminal received."""
    found = []
    start = output.find(OSC52)
    while start >= 0:
        end = output.find(b"\x07", start)
        found.append(output[start:end])
        start = output.find(OSC52, end)
    return found


def test_passthrough_reaches_the_outer_terminal() -> None:
    """With `allow-passthrough on`, the wrapped sequence arrives unwrapped outside tmux."""
    payload = base64.b64encode(TEXT.encode()).decode()
    with tmux_session(("allow-passthrough", "on")) as tmux:
        tmux.run_in_pane(emit_command("emitted-1"))
        tmux.read_for(5, until=f"\x1b]52;c;{payload}".encode())
        assert f"\x1b]52;c;{payload}".encode() in outer_sequences(tmux.output)


def test_set_clipboard_puts_it_on_tmuxs_clipboard() -> None:
    """With `set-clipboard on`, tmux takes the plain sequence into its own paste buffer."""
    with tmux_session(("set-clipboard", "on")) as tmux:
        tmux.run_in_pane(emit_command("emitted-2"))
        deadline = time.monotonic() + 5
        while tmux.tmux("show-buffer") != TEXT and time.monotonic() < deadline:
            tmux.read_for(0.1)
        assert tmux.tmux("show-buffer") == TEXT
