"""No secret reaches Textual's debug log: with TEXTUAL_LOG on for a walkthrough (a password and a
TOTP code typed key by key, a key created, revealed, copied and saved, another pasted), the log
is written, records the walk, and holds none of them; no worker is described by its arguments
(Textual's default puts them, secrets included, in the log); the devtools console stays off."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import phguide
from phguide.system.debug_log import HIDDEN, redact

UI = Path(phguide.__file__).parent / "ui"
ROOT = Path(__file__).parents[2]


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


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        (
            "Key(key='h', character='h', name='h', is_printable=True) >>> Input(id='password')",
            "Input(id='password')",
            "'h'",
        ),
        (
            "Key(key='minus', character='-', name='minus', is_printable=True, aliases=['minus'])",
            "Key(",
            "minus",
        ),
        (
            "Input.Changed(input=Input(id='x'), value='hunter2', validation_result=None)",
            "x",
            "hunter2",
        ),
        ('Paste(text="it\'s phx_abcdefgh")', "Paste(", "abcdefgh"),
        ("<Worker name='w' description='save phx_0123456789abcdef'>", "Worker", "0123456789"),
        ("Dismissed(result='123456')", "Dismissed", "123456"),
    ],
)
def test_redact_hides_typed_pasted_and_key_shaped_text(line: str, kept: str, gone: str) -> None:
    shown = redact(line)
    assert gone not in shown and kept in shown and HIDDEN in shown


def test_redact_keeps_named_keys_and_plain_messages() -> None:
    line = "Key(key='enter', character='\\r', name='enter', is_printable=False) >>> App"
    assert redact(line).startswith("Key(key='enter'")
    assert redact("Mount() >>> LoginPaste(id='login-paste')") == (
        "Mount() >>> LoginPaste(id='login-paste')"
    )


def leaks(path: Path, secrets: dict[str, str]) -> list[str]:
    """The names of the secrets found in a file (a TOTP code counts only as a whole number)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return [
        name
        for name, value in secrets.items()
        if (re.search(rf"(?<!\d){value}(?!\d)", text) if value.isdigit() else value in text)
    ]


@pytest.mark.timeout(300)
def test_a_walkthrough_with_textual_log_on_leaves_no_secret_in_it(tmp_path: Path) -> None:
    log, found = tmp_path / "textual.log", tmp_path / "secrets.json"
    env = {**os.environ, "TEXTUAL_LOG": str(log), "PYTHONPATH": str(ROOT)}
    env.pop("TEXTUAL", None)
    walk = subprocess.run(
        [sys.executable, "-m", "tests.security.log_walk", str(found)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert walk.returncode == 0, walk.stderr[-4000:]
    secrets = json.loads(found.read_text())
    assert set(secrets) == {"password", "TOTP code", "created key", "pasted key"}
    # The log is on and records the walk, in a file only its owner reads.
    written = log.read_text()
    assert written.count("Key(") > len(secrets["password"])
    # (The password field is an Input subclass that names what Enter does.)
    assert "Changed(input=SignInField(id='login-password'" in written
    assert ">>> SignInField(id='login-password')" in written
    assert (log.stat().st_mode & 0o777) == 0o600
    assert leaks(log, secrets) == []
    # The scan finds a secret where one is: the same log with the password written raw.
    control = tmp_path / "control.log"
    control.write_text(f"{written}Input.Changed(value='{secrets['password']}')\n")
    assert leaks(control, secrets) == ["password"]


def test_the_devtools_console_is_turned_off_and_says_so() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", "import os, phguide.ui; print(os.environ['TEXTUAL'])"],
        env={**os.environ, "TEXTUAL": "devtools,debug", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "debug"
    assert "devtools console is turned off" in shown.stderr
