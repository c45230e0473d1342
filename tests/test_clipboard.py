"""Clipboard without a real clipboard: fallbacks, messages, clearing and OSC 52 sequences."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyperclip
import pytest

from phguide.system.clipboard import (
    Clipboard,
    ClipboardUnavailable,
    CopyResult,
    PyperclipClipboard,
    RecordingClipboard,
    osc52_sequence,
)

SECRET = "phx_" + "clip".ljust(42, "0")
PUBLIC = "phc_clip00000000000000000000000000000000000000"


@pytest.fixture(autouse=True)
def not_in_tmux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)


def test_system_clipboard_first() -> None:
    system = RecordingClipboard()
    sent: list[str] = []
    clipboard = Clipboard(system, sent.append)
    result = clipboard.copy(PUBLIC)
    assert result == CopyResult("system", "Copied to the system clipboard")
    assert result.copied
    assert system.copies == [PUBLIC]
    assert sent == []


def test_no_system_clipboard_falls_back_to_osc52() -> None:
    sent: list[str] = []
    clipboard = Clipboard(RecordingClipboard(available=False), sent.append)
    result = clipboard.copy(PUBLIC)
    assert result == CopyResult("osc52", "Sent to your terminal's clipboard — paste to check")
    assert sent == [PUBLIC]


def test_a_secret_sent_to_the_terminal_says_it_is_not_cleared() -> None:
    clipboard = Clipboard(None, lambda text: None)
    result = clipboard.copy(SECRET, secret=True)
    assert result.method == "osc52"
    assert "cannot clear it" in result.message
    # The terminal's clipboard cannot be read back, so no countdown is promised.
    assert clipboard.pending_secret_deadline is None


def test_inside_tmux_the_message_says_how_to_let_it_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    result = Clipboard(None, lambda text: None).copy(PUBLIC)
    assert "set-clipboard on" in result.message


def test_neither_is_none() -> None:
    result = Clipboard(RecordingClipboard(available=False)).copy(SECRET, secret=True)
    assert result == CopyResult(
        "none", "Could not copy: select the key on screen and copy it by hand"
    )
    assert not result.copied
    assert Clipboard(None).copy(PUBLIC).method == "none"


def test_a_failing_terminal_is_none() -> None:
    def broken(text: str) -> None:
        raise OSError("the terminal is gone")

    assert Clipboard(None, broken).copy(PUBLIC).method == "none"


def test_the_terminal_can_be_set_later() -> None:
    clipboard = Clipboard(RecordingClipboard(available=False))
    assert clipboard.copy(PUBLIC).method == "none"
    sent: list[str] = []
    clipboard.terminal = sent.append
    assert clipboard.copy(PUBLIC).method == "osc52"
    assert sent == [PUBLIC]


def test_a_secret_is_cleared_when_unchanged() -> None:
    system = RecordingClipboard()
    clipboard = Clipboard(system, clear_after=45)
    before = time.monotonic()
    clipboard.copy(SECRET, secret=True)
    deadline = clipboard.pending_secret_deadline
    assert deadline is not None
    assert before + 45 <= deadline <= time.monotonic() + 45
    assert clipboard.clear_if_unchanged() is True
    assert system.content == ""
    assert clipboard.pending_secret_deadline is None
    assert clipboard.clear_if_unchanged() is False  # nothing pending any more


def test_a_clipboard_changed_since_is_kept() -> None:
    system = RecordingClipboard()
    clipboard = Clipboard(system)
    clipboard.copy(SECRET, secret=True)
    system.content = "something the user copied"
    assert clipboard.clear_if_unchanged() is False
    assert system.content == "something the user copied"
    assert clipboard.pending_secret_deadline is None


def test_a_public_key_is_never_cleared() -> None:
    system = RecordingClipboard()
    clipboard = Clipboard(system)
    clipboard.copy(PUBLIC)
    assert clipboard.pending_secret_deadline is None
    assert clipboard.clear_if_unchanged() is False
    assert system.content == PUBLIC


def test_copying_a_public_key_over_a_secret_cancels_the_clear() -> None:
    system = RecordingClipboard()
    clipboard = Clipboard(system)
    clipboard.copy(SECRET, secret=True)
    clipboard.copy(PUBLIC)
    assert clipboard.pending_secret_deadline is None
    assert clipboard.clear_if_unchanged() is False
    assert system.content == PUBLIC


def test_clear_after_zero_never_clears() -> None:
    clipboard = Clipboard(RecordingClipboard(), clear_after=0)
    clipboard.copy(SECRET, secret=True)
    assert clipboard.pending_secret_deadline is None


def test_the_clipboard_vanishing_before_the_clear_is_not_an_error() -> None:
    system = RecordingClipboard()
    clipboard = Clipboard(system)
    clipboard.copy(SECRET, secret=True)
    system.available = False
    assert clipboard.clear_if_unchanged() is False


def test_the_clipboard_keeps_no_copy_of_the_secret() -> None:
    clipboard = Clipboard(RecordingClipboard())
    result = clipboard.copy(SECRET, secret=True)
    assert SECRET not in repr(result)
    assert SECRET not in repr(vars(clipboard))


def test_osc52_sequence() -> None:
    payload = base64.b64encode("clé ✓".encode()).decode()
    assert osc52_sequence("clé ✓", tmux=False) == f"\x1b]52;c;{payload}\x07"


def test_osc52_sequence_for_tmux() -> None:
    plain = f"\x1b]52;c;{base64.b64encode(b'key').decode()}\x07"
    wrapped = "\x1bPtmux;\x1b" + plain + "\x1b\\"
    assert osc52_sequence("key", tmux=True) == wrapped + plain
    # Every ESC inside the passthrough is doubled; the terminator is the only single one.
    inner = osc52_sequence("key", tmux=True)[len("\x1bPtmux;") : len(wrapped) - 2]
    assert inner.count("\x1b") == 2
    assert inner.startswith("\x1b\x1b]52;")


def test_osc52_sequence_detects_tmux(monkeypatch: pytest.MonkeyPatch) -> None:
    assert osc52_sequence("k") == osc52_sequence("k", tmux=False)
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    assert osc52_sequence("k") == osc52_sequence("k", tmux=True)


# -- PyperclipClipboard -------------------------------------------------------------------


def test_pyperclip_without_a_mechanism_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_mechanism(text: str) -> None:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_mechanism)
    with pytest.raises(ClipboardUnavailable, match="copy/paste mechanism"):
        PyperclipClipboard().copy(SECRET)
    sent: list[str] = []
    assert Clipboard(PyperclipClipboard(), sent.append).copy(PUBLIC).method == "osc52"
    assert sent == [PUBLIC]


def test_pyperclip_tool_errors_are_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing_tool() -> str:
        raise FileNotFoundError("xclip")

    monkeypatch.setattr(pyperclip, "paste", missing_tool)
    with pytest.raises(ClipboardUnavailable):
        PyperclipClipboard().paste()


@pytest.fixture
def hanging_pyperclip(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    release = threading.Event()

    def hang(text: str) -> None:
        release.wait(30)

    monkeypatch.setattr(pyperclip, "copy", hang)
    yield
    release.set()


@pytest.mark.usefixtures("hanging_pyperclip")
def test_a_hanging_clipboard_times_out() -> None:
    sent: list[str] = []
    started = time.monotonic()
    result = Clipboard(PyperclipClipboard(timeout=0.2), sent.append).copy(PUBLIC)
    assert time.monotonic() - started < 1.0
    assert result.method == "osc52"
    with pytest.raises(ClipboardUnavailable, match=r"did not answer within 0\.2 s"):
        PyperclipClipboard(timeout=0.2).copy(PUBLIC)


def test_pyperclip_is_not_imported_until_used() -> None:
    code = (
        "import sys, phguide.system.clipboard as c; "
        "c.Clipboard(c.PyperclipClipboard()); print('pyperclip' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the headless Linux default")
def test_a_headless_machine_copies_by_osc52() -> None:
    """No display at all (this machine's default): OSC 52, and nothing printed."""
    if "microsoft" in Path("/proc/version").read_text(errors="replace").lower():
        pytest.skip("WSL has a Windows clipboard")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX")}
    code = (
        "import json; from phguide.system.clipboard import Clipboard, PyperclipClipboard; "
        "sent = []; c = Clipboard(PyperclipClipboard(), sent.append); "
        f"r = c.copy({SECRET!r}, secret=True); "
        f"print(json.dumps([r.method, sent == [{SECRET!r}], c.pending_secret_deadline]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["osc52", True, None]
    assert result.stderr == ""


def test_klipper_is_never_used_because_it_takes_the_text_on_its_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pyperclip

    from phguide.system import clipboard as module

    def copy_klipper(text: str) -> None:
        raise AssertionError("Klipper got the text")

    chosen: list[str] = []
    monkeypatch.setattr(pyperclip, "determine_clipboard", lambda: (copy_klipper, lambda: ""))
    monkeypatch.setattr(pyperclip, "set_clipboard", chosen.append)
    monkeypatch.setattr(shutil, "which", lambda tool: "/usr/bin/xclip" if tool == "xclip" else None)
    module._avoid_command_line_backends(pyperclip)
    assert chosen == ["xclip"]
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    with pytest.raises(module.ClipboardUnavailable, match="command line"):
        module._avoid_command_line_backends(pyperclip)


def test_a_secret_whose_copy_timed_out_is_still_cleared_later() -> None:
    from phguide.system.clipboard import Clipboard, ClipboardTimedOut

    class LateClipboard(RecordingClipboard):
        def copy(self, text: str) -> None:
            super().copy(text)  # the helper lands the text after phguide gave up waiting
            if text:
                raise ClipboardTimedOut("the clipboard did not answer within 2 s")

    system = LateClipboard()
    clipboard = Clipboard(system, clear_after=30)
    clipboard.copy("phx_secret_value_1234", secret=True)
    assert clipboard.pending_secret_deadline is not None
    assert clipboard.clear_if_unchanged() is True
    assert system.paste() == ""


def test_a_slow_read_back_does_not_wipe_what_the_user_copied_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from phguide.system import clipboard as module
    from phguide.system.clipboard import Clipboard

    class SlowRead(RecordingClipboard):
        reads = 0

        def paste(self) -> str:
            self.reads += 1
            value = super().paste()
            if self.reads == 1:
                time.sleep(module._SLOW_READ + 0.05)
                super().copy("the user's own text")  # copied while the read was slow
            return value

    system = SlowRead()
    clipboard = Clipboard(system, clear_after=30)
    clipboard.copy("phx_secret_value_1234", secret=True)
    assert clipboard.clear_if_unchanged() is False
    assert system.paste() == "the user's own text"
