"""Clipboard against a real X clipboard: pyperclip and xclip on a private Xvfb."""

from __future__ import annotations

import json
import time

import pytest

from phguide.system.clipboard import Clipboard, PyperclipClipboard
from tests.integration.conftest import XServer, run_python

pytestmark = pytest.mark.integration

SECRET = "phx_" + "clipboard".ljust(42, "0")
PUBLIC = "phc_public0000000000000000000000000000000000"


def wait_until(deadline: float | None) -> None:
    assert deadline is not None
    time.sleep(max(0.0, deadline - time.monotonic()))


def test_a_copied_secret_is_on_the_x_clipboard_and_cleared_after_the_timeout(
    x_display: XServer,
) -> None:
    clipboard = Clipboard(PyperclipClipboard(), clear_after=0.5)
    result = clipboard.copy(SECRET, secret=True)
    assert result.method == "system"
    assert result.message == "Copied to the system clipboard"
    assert x_display.eventually(SECRET) == SECRET

    deadline = clipboard.pending_secret_deadline
    assert deadline is not None
    assert 0 < deadline - time.monotonic() <= 0.5
    wait_until(deadline)
    assert clipboard.clear_if_unchanged() is True
    assert x_display.xclip_out() == ""
    assert clipboard.pending_secret_deadline is None


def test_the_clipboard_is_kept_when_the_user_copied_something_else(x_display: XServer) -> None:
    clipboard = Clipboard(PyperclipClipboard(), clear_after=0.5)
    assert clipboard.copy(SECRET, secret=True).method == "system"
    assert x_display.eventually(SECRET) == SECRET
    x_display.xclip_in("a note the user copied since")
    assert x_display.eventually("a note the user copied since") == "a note the user copied since"
    wait_until(clipboard.pending_secret_deadline)
    assert clipboard.clear_if_unchanged() is False
    assert x_display.xclip_out() == "a note the user copied since"


def test_a_public_key_is_not_cleared(x_display: XServer) -> None:
    clipboard = Clipboard(PyperclipClipboard(), clear_after=0.5)
    assert clipboard.copy(PUBLIC).method == "system"
    assert x_display.eventually(PUBLIC) == PUBLIC
    assert clipboard.pending_secret_deadline is None
    assert clipboard.clear_if_unchanged() is False
    assert x_display.xclip_out() == PUBLIC


def test_clearing_on_exit_before_the_deadline(x_display: XServer) -> None:
    clipboard = Clipboard(PyperclipClipboard())  # the default 45 s
    clipboard.copy(SECRET, secret=True)
    assert x_display.eventually(SECRET) == SECRET
    assert clipboard.clear_if_unchanged() is True  # what the app calls on exit
    assert x_display.xclip_out() == ""


def test_text_beyond_ascii_survives_the_round_trip(x_display: XServer) -> None:
    clipboard = Clipboard(PyperclipClipboard())
    text = "export POSTHOG_HOST=https://ümlaut.example — ok"
    assert clipboard.copy(text).method == "system"
    assert x_display.eventually(text) == text


def test_a_fresh_process_finds_the_x_clipboard_by_itself(x_server: XServer) -> None:
    """The app builds `PyperclipClipboard()` with nothing set up: pyperclip must find xclip."""
    code = f"""
import json
from phguide.system.clipboard import Clipboard, PyperclipClipboard
sent = []
result = Clipboard(PyperclipClipboard(), sent.append).copy({PUBLIC!r})
print(json.dumps({{"method": result.method, "terminal": len(sent)}}))
"""
    result = run_python(code, x_server.env())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"method": "system", "terminal": 0}
    assert x_server.eventually(PUBLIC) == PUBLIC
