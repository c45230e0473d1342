"""No secret reaches Textual's debug log: with TEXTUAL_LOG set for a walkthrough (sign in with
a key, create a key, copy it, save it, type a key into the check), the log holds none of them;
and no worker is described by its arguments (Textual's default puts them, secrets included,
in the devtools log)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import phguide
from phguide.demo import DEMO_EMAIL, DemoServer
from phguide.demo.data import demo_data
from tests.security.pty_run import PtyApp, visible

UI = Path(phguide.__file__).parent / "ui"


def test_every_worker_has_a_description_that_is_not_its_arguments() -> None:
    missing = []
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "work"
                and not any(k.arg == "description" for k in node.keywords)
            ):
                missing.append(f"{path.name}:{node.lineno}")
    assert missing == []


@pytest.mark.timeout(240)
def test_a_walkthrough_with_textual_log_set_leaves_no_secret_in_it(tmp_path: Path) -> None:
    server = DemoServer(demo_data()).start()
    log = tmp_path / "textual.log"
    typed = "phx_" + "typedsecret" * 4
    try:
        key = server.issue_key(DEMO_EMAIL, "Walkthrough", ["*"])
        app = PtyApp(
            ["-m", "phguide", "--host", server.url],
            {
                "HOME": str(tmp_path),
                "XDG_CONFIG_HOME": str(tmp_path / "config"),
                "POSTHOG_PERSONAL_API_KEY": key,
                "TEXTUAL_LOG": str(log),
                "PWD": str(tmp_path),
            },
        )
        app.read_for(30, until=b"Log in")
        app.send(b"2", settle=2)
        app.send(b"e", settle=2, until=b"Signed in")
        app.send(b"4", settle=4)
        app.send(b"n", settle=3)
        app.send(b"Log test\r", settle=5)  # create: the fresh key is on screen now
        app.send(b"c", settle=2)  # copy
        app.send(b"s", settle=3)  # save
        app.send(b"6", settle=3)
        app.send(b"k", settle=1)
        app.send(typed.encode() + b"\r", settle=4)
        app.send(b"\x11", settle=2)
        app.send(b"\r", settle=2)  # "quit without your new key?" when it asks
        app.finish()
    finally:
        server.stop()
    shown = visible(bytes(app.output)).decode(errors="replace")
    assert "Traceback" not in shown, shown[shown.find("Traceback") - 200 :][:3000]
    assert b"TEXTUAL_LOG is ignored" in bytes(app.output)
    written = log.read_text() if log.exists() else ""
    for secret in (key, typed, "phx_"):
        assert secret not in written
