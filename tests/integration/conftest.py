"""Private, real backends for the integration tests: Xvfb + xclip, D-Bus + gnome-keyring.

Each test session starts its own X server and its own Secret Service, so the tests never
touch the developer's clipboard or keyring. When a program they need is missing, the
tests skip with the reason; with ``PHGUIDE_REQUIRE_INTEGRATION=1`` (set by ``.ci/run``)
they fail instead, so CI cannot pass without having tested the real things.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRED = os.environ.get("PHGUIDE_REQUIRE_INTEGRATION") == "1"
"""True in CI: a missing backend fails the test instead of skipping it."""

PASSWORD = "phguide-integration"
"""The password of the private keyring (it protects nothing)."""

SECRETS_NAME = "org.freedesktop.secrets"


def missing(what: str) -> NoReturn:
    """Skip (or, in CI, fail) because a real backend is not available."""
    message = f"integration backend not available: {what}"
    if REQUIRED:
        pytest.fail(f"{message} (PHGUIDE_REQUIRE_INTEGRATION=1: .ci/run must provide it)")
    pytest.skip(message)


def need_programs(*names: str) -> dict[str, str]:
    """The full paths of programs, or skip/fail naming the ones that are missing."""
    found = {name: shutil.which(name) for name in names}
    absent = [name for name, path in found.items() if path is None]
    if absent:
        missing(
            f"{', '.join(absent)} not installed "
            "(apt-get install xvfb xclip gnome-keyring dbus-x11 tmux)"
        )
    return {name: path for name, path in found.items() if path is not None}


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            # A stopped process ignores SIGTERM until continued.
            process.send_signal(signal.SIGCONT)
            process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# -- X ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class XServer:
    """A private Xvfb."""

    display: str
    """The ``DISPLAY`` value, such as ``:3``."""

    def env(self) -> dict[str, str]:
        """The environment for a child process that should use this display only."""
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "TMUX")}
        env["DISPLAY"] = self.display
        return env

    def xclip_out(self) -> str:
        """What the CLIPBOARD selection holds, read by xclip (empty when nothing owns it)."""
        result = subprocess.run(
            ["xclip", "-o", "-selection", "clipboard"],
            env=self.env(),
            capture_output=True,
            timeout=5,
            check=False,
        )
        return result.stdout.decode("utf-8") if result.returncode == 0 else ""

    def eventually(self, expected: str, timeout: float = 2.0) -> str:
        """What the clipboard holds once it holds `expected`, or after `timeout` seconds.

        xclip returns before its background process owns the selection, so a read right
        after a copy can still see the previous owner's text.
        """
        deadline = time.monotonic() + timeout
        while (found := self.xclip_out()) != expected and time.monotonic() < deadline:
            time.sleep(0.02)
        return found

    def xclip_in(self, text: str) -> None:
        """Copy text the way another program would.

        Tried up to five times: on a loaded two-core CI machine one `xclip -i` in
        1,500 tests exited 1 (its reason was not kept then; it is now, in the failure).
        """
        errors: list[str] = []
        for attempt in range(5):
            # A file, not a pipe, for stderr: xclip's background child keeps it open.
            with tempfile.TemporaryFile() as stderr:
                result = subprocess.run(
                    ["xclip", "-i", "-selection", "clipboard"],
                    input=text.encode("utf-8"),
                    env=self.env(),
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    timeout=5,
                    check=False,
                )
                if result.returncode == 0:
                    return
                stderr.seek(0)
                errors.append(f"exit {result.returncode}: {stderr.read().decode(errors='replace')}")
            time.sleep(0.2 * (attempt + 1))
        raise AssertionError(f"xclip -i failed on {self.display} five times: {errors}")


@pytest.fixture(scope="session")
def x_server() -> Iterator[XServer]:
    """A private Xvfb with xclip available (skips, or fails in CI, without them)."""
    need_programs("Xvfb", "xclip")
    with tempfile.TemporaryFile() as log:
        read_fd, write_fd = os.pipe()
        process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "640x480x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        os.close(write_fd)
        try:
            # Xvfb writes the display number it chose once it accepts connections.
            with os.fdopen(read_fd) as pipe:
                number = pipe.readline().strip()
            if not number:
                log.seek(0)
                missing(f"Xvfb did not start: {log.read().decode(errors='replace')[-500:]}")
            server = XServer(f":{number}")
            server.xclip_in("probe")
            if server.eventually("probe") != "probe":
                missing("xclip cannot read back from the private Xvfb")
            yield server
        finally:
            _stop(process)


@pytest.fixture
def x_display(x_server: XServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[XServer]:
    """Point this process (and pyperclip's xclip) at the private Xvfb for one test."""
    import pyperclip

    monkeypatch.setenv("DISPLAY", x_server.display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    saved = (pyperclip.copy, pyperclip.paste)
    # pyperclip picks its mechanism once per process: choose xclip explicitly so an earlier
    # test that ran without a display cannot leave it on "no clipboard".
    pyperclip.set_clipboard("xclip")
    try:
        yield x_server
    finally:
        pyperclip.copy, pyperclip.paste = saved


# -- Secret Service -------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretService:
    """A private D-Bus session bus with gnome-keyring's Secret Service on it."""

    address: str
    """The bus address (``DBUS_SESSION_BUS_ADDRESS``)."""
    env: dict[str, str]
    """The environment for a child process that should use this bus."""
    daemon: subprocess.Popen[bytes]
    """gnome-keyring-daemon itself."""
    daemon_log: Path
    """Where gnome-keyring-daemon's own messages go (read when it is found gone)."""

    @property
    def daemon_pid(self) -> int:
        """The pid of gnome-keyring-daemon (tests stop it to make the keyring hang)."""
        return self.daemon.pid

    def gone(self) -> str | None:
        """Why the daemon no longer serves the bus, or None while it does."""
        if _name_has_owner(self.address, SECRETS_NAME):
            return None
        status = self.daemon.poll()
        state = (
            f"still runs but no longer owns {SECRETS_NAME}"
            if status is None
            else f"has exited with status {status}"
        )
        log = self.daemon_log.read_text(errors="replace")[-2000:]
        return f"gnome-keyring-daemon (pid {self.daemon_pid}) {state}; its log: {log!r}"


def _name_has_owner(address: str, name: str) -> bool:
    from jeepney import DBus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as connection:
        reply = connection.send_and_get_reply(DBus().NameHasOwner(name), timeout=2)
    return bool(reply.body[0])


# A session bus with no service activation: nothing can start a second keyring daemon
# (which would outlive the bus) or an unlock prompter behind the tests' backs.
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={folder}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextlib.contextmanager
def start_secret_service() -> Iterator[SecretService]:
    """Start a private Secret Service (gnome-keyring, unlocked) on a private session bus."""
    need_programs("dbus-daemon", "gnome-keyring-daemon")
    home = Path(tempfile.mkdtemp(prefix="phguide-keyring-"))
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # The daemon keeps its keyring under XDG_DATA_HOME: a temp folder, never the user's.
    env.update(XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(runtime), HOME=str(home))
    config = home / "bus.conf"
    config.write_text(_BUS_CONFIG.format(folder=runtime))
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    processes: list[subprocess.Popen[bytes]] = [bus]
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        if not address:
            missing("dbus-daemon did not start a private session bus")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        daemon_log = home / "daemon.log"
        with daemon_log.open("wb") as log:
            daemon = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(daemon)
        assert daemon.stdin is not None
        daemon.stdin.write(PASSWORD.encode())
        daemon.stdin.close()
        # Wait until the daemon owns the name: a call before that would find no service.
        deadline = time.monotonic() + 10
        while not _name_has_owner(address, SECRETS_NAME):
            if daemon.poll() is not None or time.monotonic() > deadline:
                missing("gnome-keyring-daemon did not register org.freedesktop.secrets")
            time.sleep(0.05)
        yield SecretService(address, env, daemon, daemon_log)
    finally:
        for process in reversed(processes):
            _stop(process)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretService]:
    """A private Secret Service shared by the tests that leave it as they found it."""
    with start_secret_service() as service:
        yield service


@pytest.fixture
def own_secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """A private Secret Service for one test that locks or stops it; this process uses it."""
    with start_secret_service() as service:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", service.address)
        yield service


@pytest.fixture
def session_bus(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> SecretService:
    """Point this process's D-Bus clients (SecretStorage, jeepney) at the private bus."""
    # The session's daemon once vanished mid-run in one worker (seen once, cause unknown): then
    # every later keyring test failed with SecretStorage's "not provided by any .service
    # files". Say so where it is found, with the daemon's own words.
    gone = secret_service.gone()
    if gone:
        pytest.fail(f"the session's Secret Service is gone: {gone}")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)
    return secret_service


def run_python(
    code: str, env: dict[str, str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run Python code in a child process with phguide importable.

    Output goes through files, not pipes: xclip stays in the background to serve the
    selection and inherits the child's stdout, so a pipe would not reach end-of-file.
    """
    root = str(Path(__file__).resolve().parents[2])
    child_env = dict(env)
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.run(
            [sys.executable, "-c", code],
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            timeout=timeout,
            check=False,
        )
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            process.args,
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )
