"""Black box, as a user types: phguide in a real tmux, keys sent one by one, the copy read back
from the real X clipboard (Xvfb + xclip), the key kept in a real Secret Service (gnome-keyring).

From nothing: Enter, Enter, approve in the browser, c — 3 keys. Then, as a returning user with
that key saved: launch, c — 1 key.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from phguide.demo.data import DEMO_EMAIL, demo_data
from phguide.demo.server import DemoServer
from tests.integration.conftest import SecretService, XServer, need_programs

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(sys.platform == "win32", reason="tmux needs a Unix pty"),
]

ROOT = Path(__file__).resolve().parents[2]
MOBILE = 1002
"""The project approved in the browser (not the account's current one)."""
_CODE = re.compile(r"\b([A-Z0-9](?: [A-Z0-9]){3}) - ([A-Z0-9](?: [A-Z0-9]){3})\b")


class Pane:
    """phguide running alone in a private tmux server, 110×34."""

    def __init__(self, command: str, env: dict[str, str]) -> None:
        self.socket = f"phguide-keys-{uuid.uuid4().hex[:8]}"
        self.env = env
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", "110", "-y", "34", command)

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

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.screen())
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} never showed; the screen:\n{self.screen()}")

    def press(self, key: str) -> None:
        """One key, as typed."""
        self.tmux("send-keys", key)

    def quit(self, timeout: float = 15.0) -> None:
        """Ctrl+Q, then wait until phguide has exited (its tmux session ends with it)."""
        self.press("C-q")
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                raise AssertionError(f"phguide did not quit; the screen:\n{self.screen()}")
            time.sleep(0.1)

    def alive(self) -> bool:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "has-session"],
            env=self.env,
            capture_output=True,
            timeout=10,
            check=False,
        )
        return result.returncode == 0

    def close(self) -> None:
        self.tmux("kill-server")


@contextlib.contextmanager
def phguide(host: str, env: dict[str, str]) -> Iterator[Pane]:
    need_programs("tmux")
    command = f"{shlex.quote(sys.executable)} -m phguide --host {shlex.quote(host)}"
    pane = Pane(command, env)
    try:
        yield pane
    finally:
        pane.close()


@pytest.fixture
def server() -> Iterator[DemoServer]:
    demo = DemoServer(demo_data(), device_interval=1).start()
    yield demo
    demo.stop()


def test_three_keys_from_nothing_then_one_key_as_a_returning_user(
    server: DemoServer,
    x_server: XServer,
    secret_service: SecretService,
    tmp_path: Path,
) -> None:
    env = dict(secret_service.env)
    env.update(
        DISPLAY=x_server.display,
        TERM="xterm-256color",
        PHGUIDE_CONFIG_DIR=str(tmp_path / "config"),
        PYTHONPATH=str(ROOT),
    )
    for name in ("TMUX", "TMUX_PANE", "POSTHOG_PERSONAL_API_KEY", "POSTHOG_HOST"):
        env.pop(name, None)
    x_server.xclip_in("nothing yet")

    with phguide(server.url, env) as pane:
        # Step 1, Key types: its footer offers Enter (its text may run below the fold).
        pane.wait_for(r"⏎ Log in")
        pane.press("Enter")  # 1
        pane.wait_for(r"Browser approval")
        pane.press("Enter")  # 2
        code = pane.wait_for(_CODE.pattern)
        user_code = f"{code.group(1)}-{code.group(2)}".replace(" ", "")
        server.approve_device(user_code, DEMO_EMAIL, MOBILE)  # the browser's part
        # Signed in on step 3 (the status line may already have moved on to the save).
        pane.wait_for(r"Project\s+.+?\s+id \d+")
        pane.wait_for(r"c Copy key")
        pane.press("c")  # 3
        mobile = server.data.projects[MOBILE].api_token
        assert x_server.eventually(mobile, timeout=10) == mobile
        pane.quit()

    x_server.xclip_in("nothing yet")
    with phguide(server.url, env) as pane:
        # The key approved above is in the keyring: phguide opens signed in, on step 3.
        pane.wait_for(r"in your keyring")
        pane.wait_for(r"c Copy key")
        # The project the key works on is selected (the approval scoped it to Mobile app).
        shown = int(pane.wait_for(r"Project\s+.+?\s+id (\d+)").group(1))
        assert shown == MOBILE
        pane.press("c")  # the only key
        current = server.data.projects[shown].api_token
        assert x_server.eventually(current, timeout=10) == current
        pane.quit()
