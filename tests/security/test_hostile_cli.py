"""`phguide keys`, `status` and `check` against the demo in hostile mode, on a real pty.

Every string the server sends carries an OSC 52 clipboard write, an OSC 0 retitle, a screen
clear or a bidi override, plus markup. The CLI draws nothing itself, so the byte stream must
hold no ESC, BEL, C1 control or bidi override at all, and every name must appear in the
visible, escaped form `phguide.core.text.clean` gives it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from phguide.core.text import clean
from phguide.demo import DEMO_EMAIL, DemoServer
from phguide.demo.data import demo_data
from phguide.demo.hostile import SHELL_TOKEN, make_hostile
from tests.security.pty_run import PtyApp

FORBIDDEN = [b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d", "\u202e".encode(), "\u2066".encode()]


@pytest.fixture(scope="module")
def hostile() -> Iterator[DemoServer]:
    server = DemoServer(make_hostile(demo_data())).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def key(hostile: DemoServer) -> str:
    return hostile.issue_key(DEMO_EMAIL, "Key [ @click=app.quit]x[/] \x1b]0;pwned\x07", ["*"])


def run(
    hostile: DemoServer, tmp: Path, *args: str, env: dict[str, str], stdin: bytes | None = None
) -> tuple[int, bytes]:
    with PtyApp(
        ["-m", "phguide", *args, "--host", hostile.url],
        {"HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp / "config"), **env},
        stdin_data=stdin,
    ) as app:
        app.read_for(30)
        status = app.finish()
    return status, bytes(app.output)


def names(server: DemoServer) -> list[str]:
    with server.data.lock:
        return [o.name for o in server.data.orgs.values()] + [
            p.name for p in server.data.projects.values()
        ]


def assert_clean(output: bytes) -> None:
    for byte in FORBIDDEN:
        assert byte not in output, f"{byte!r} reached the terminal"
    assert b"Traceback" not in output


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_keys(hostile: DemoServer, key: str, tmp_path: Path, as_json: bool) -> None:
    status, output = run(
        hostile,
        tmp_path,
        "keys",
        *(["--json"] if as_json else []),
        env={"POSTHOG_PERSONAL_API_KEY": key},
    )
    assert status == 0, output
    assert_clean(output)
    text = output.decode()
    if as_json:
        rows = json.loads(text[text.index("[\r\n") :])  # stderr lines come first
        shown = {row["project"] for row in rows} | {row["organization"] for row in rows}
        assert SHELL_TOKEN in {row["api_token"] for row in rows}
    else:
        shown = set()
        for name in names(hostile):
            if clean(name) in text:
                shown.add(clean(name))
        assert SHELL_TOKEN in text
    visible_names = {clean(name) for name in names(hostile)}
    # Every organisation and project the key sees is there, exactly as cleaned.
    assert shown and shown <= visible_names
    assert len(shown) >= 3


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_status(hostile: DemoServer, key: str, tmp_path: Path, as_json: bool) -> None:
    status, output = run(
        hostile,
        tmp_path,
        "status",
        *(["--json"] if as_json else []),
        env={"POSTHOG_PERSONAL_API_KEY": key},
    )
    assert status == 0, output
    assert_clean(output)
    assert b"[ @click=app.quit]" in output


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_check(hostile: DemoServer, key: str, tmp_path: Path, as_json: bool) -> None:
    status, output = run(
        hostile,
        tmp_path,
        "check",
        *(["--json"] if as_json else []),
        env={},
        stdin=key.encode() + b"\n",
    )
    assert status == 0, output
    assert_clean(output)
    assert key.encode() not in output


def test_check_of_a_key_with_a_non_ascii_character(hostile: DemoServer, tmp_path: Path) -> None:
    hostile.clear_requests_log()
    status, output = run(
        hostile,
        tmp_path,
        "check",
        env={},
        stdin=("phx_" + "a" * 20 + "é\x1b[2J" + "b" * 20).encode(),
    )
    assert status == 1
    assert b"contains a character that no PostHog key has" in output
    assert_clean(output)
    assert hostile.requests_log == []
