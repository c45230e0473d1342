"""Copy: the system clipboard, else the terminal's (OSC 52); says which, and clears secrets."""

from __future__ import annotations

import base64
import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from phguide.system._timeout import TimedOut, run_with_timeout

__all__ = [
    "DEFAULT_CLEAR_AFTER",
    "Clipboard",
    "ClipboardUnavailable",
    "CopyMethod",
    "CopyResult",
    "PyperclipClipboard",
    "RecordingClipboard",
    "SystemClipboard",
    "osc52_sequence",
]

CopyMethod = Literal["system", "osc52", "none"]
"""How a copy went: the system clipboard, the terminal's clipboard (OSC 52), or not at all."""

DEFAULT_CLEAR_AFTER: Final = 45.0
"""Seconds after which a copied secret is cleared if the clipboard still holds it."""

SYSTEM_MESSAGE: Final = "Copied to the system clipboard"
TERMINAL_MESSAGE: Final = "Sent to your terminal's clipboard — paste to check"
NONE_MESSAGE: Final = "Could not copy: select the key on screen and copy it by hand"

_CLEAR_CHECKS: Final = 20
_CLEAR_CHECK_INTERVAL: Final = 0.05

# Said after TERMINAL_MESSAGE: tmux 3.3 drops OSC 52 from programs unless one of these is on.
_TMUX_HINT: Final = " (in tmux, `set -g set-clipboard on` lets it through)"
# Said after TERMINAL_MESSAGE for a secret: a terminal's clipboard cannot be read back.
_NOT_CLEARED: Final = "; phguide cannot clear it there, so clear it once you have pasted it"


class ClipboardUnavailable(Exception):
    """The system clipboard cannot be used here (no display, no tool, timed out, refused)."""


class ClipboardTimedOut(ClipboardUnavailable):
    """The clipboard tool did not answer in time: it may still finish the copy later."""


@dataclass(frozen=True)
class CopyResult:
    """How a copy went, in words the status line shows as they are (never the copied text)."""

    method: CopyMethod
    """`system`, `osc52` or `none`."""
    message: str
    """What happened, for the status line."""

    @property
    def copied(self) -> bool:
        """True unless nothing could be copied (then show the text for a manual copy)."""
        return self.method != "none"


class SystemClipboard(Protocol):
    """The operating system's clipboard."""

    def copy(self, text: str) -> None:
        """Put text on the clipboard.

        Raises:
            ClipboardUnavailable: There is no usable clipboard.
        """
        ...

    def paste(self) -> str:
        """Read the clipboard's text.

        Raises:
            ClipboardUnavailable: There is no usable clipboard.
        """
        ...


class PyperclipClipboard:
    """The system clipboard through pyperclip (xclip/xsel/wl-clipboard, pbcopy, Windows, WSL).

    Each call runs in a daemon thread and is abandoned after `timeout` seconds: the
    helper tools pyperclip runs can hang (a dead X server, a slow WSL interop).
    """

    def __init__(self, *, timeout: float = 2.0) -> None:
        """Create a clipboard; pyperclip is imported on first use.

        Args:
            timeout: Seconds each copy or paste may take.
        """
        self.timeout = timeout
        """Seconds each copy or paste may take."""

    def _call(self, name: str, call: Callable[[], str | None]) -> str | None:
        def run() -> str | None:
            import pyperclip

            try:
                _avoid_command_line_backends(pyperclip)
                return call()
            except pyperclip.PyperclipException as error:
                raise ClipboardUnavailable(str(error)) from None

        try:
            return run_with_timeout(run, self.timeout, f"phguide-clipboard-{name}")
        except TimedOut:
            raise ClipboardTimedOut(
                f"the clipboard did not answer within {self.timeout:g} s"
            ) from None
        except ClipboardUnavailable:
            raise
        except Exception as error:
            # A helper tool that is missing, killed or unreadable: the same as no clipboard.
            raise ClipboardUnavailable(type(error).__name__) from None

    def copy(self, text: str) -> None:
        """Put text on the system clipboard.

        Raises:
            ClipboardUnavailable: pyperclip found no mechanism, failed, or timed out.
        """

        def copy() -> None:
            import pyperclip

            pyperclip.copy(text)

        self._call("copy", copy)

    def paste(self) -> str:
        """Read the system clipboard.

        Raises:
            ClipboardUnavailable: pyperclip found no mechanism, failed, or timed out.
        """

        def paste() -> str:
            import pyperclip

            return str(pyperclip.paste())

        return self._call("paste", paste) or ""


class RecordingClipboard:
    """An in-memory system clipboard for tests: records every copy."""

    def __init__(self, *, available: bool = True, content: str = "") -> None:
        """Create it.

        Args:
            available: False makes every call raise `ClipboardUnavailable`, like a
                headless machine.
            content: What the clipboard holds at first.
        """
        self.available = available
        """Whether calls work; tests flip it."""
        self.content = content
        """What the clipboard holds now; tests set it to play "the user copied something else"."""
        self.copies: list[str] = []
        """Every text copied, in order (clears included, as empty strings)."""

    def copy(self, text: str) -> None:
        """Record the copy and hold the text.

        Raises:
            ClipboardUnavailable: `available` is false.
        """
        if not self.available:
            raise ClipboardUnavailable("no clipboard (recording fake)")
        self.copies.append(text)
        self.content = text

    def paste(self) -> str:
        """What the clipboard holds.

        Raises:
            ClipboardUnavailable: `available` is false.
        """
        if not self.available:
            raise ClipboardUnavailable("no clipboard (recording fake)")
        return self.content


_ARGV_BACKENDS: Final = frozenset({"copy_klipper"})
"""pyperclip backends that put the text on a command line (`qdbus … setClipboardContents
<text>`), where every user of the machine can read it in the process list."""
_STDIN_BACKENDS: Final = (("wl-clipboard", "wl-copy"), ("xclip", "xclip"), ("xsel", "xsel"))
"""pyperclip backends that hand the text to their tool on standard input."""


def _avoid_command_line_backends(pyperclip: Any) -> None:
    """Make pyperclip use a tool that reads the text from stdin, never Klipper's argv.

    Raises:
        ClipboardUnavailable: Only a command-line backend is available.
    """
    copy, _ = pyperclip.determine_clipboard()
    if getattr(copy, "__name__", "") not in _ARGV_BACKENDS:
        return
    for backend, tool in _STDIN_BACKENDS:
        if shutil.which(tool):
            pyperclip.set_clipboard(backend)
            return
    raise ClipboardUnavailable(
        "the only clipboard tool found (Klipper) would put the text on a command line"
    )


def in_tmux(environ: Mapping[str, str] | None = None) -> bool:
    """True when running inside tmux (``$TMUX`` is set)."""
    return bool((os.environ if environ is None else environ).get("TMUX"))


def osc52_sequence(text: str, tmux: bool | None = None) -> str:
    """The terminal escape sequence that puts text on the terminal's clipboard (OSC 52).

    Inside tmux the sequence is sent twice: once wrapped in tmux's passthrough
    (``ESC P tmux; … ESC \\``, inner escapes doubled), which tmux forwards to the outer
    terminal when `allow-passthrough` is on, and once plain, which tmux itself takes
    when `set-clipboard` is on. tmux 3.3 has both off by default and either one is
    enough; when both are on the outer terminal sets the same text twice, which is
    harmless.

    Args:
        text: What to copy.
        tmux: Wrap for tmux; by default when ``$TMUX`` is set.

    Returns:
        The sequence to write to the terminal.
    """
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    plain = f"\x1b]52;c;{payload}\x07"
    if tmux is None:
        tmux = in_tmux()
    if not tmux:
        return plain
    wrapped = "\x1bPtmux;" + plain.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return wrapped + plain


_SLOW_READ: Final = 0.25
"""Seconds after which a clipboard read is read again before anything is cleared."""


def _digest(text: str) -> bytes:
    # Only a digest of a copied secret is kept, so the secret is not held here for 45 s.
    import hashlib  # here: the app's first frame does not wait for it

    return hashlib.sha256(text.encode("utf-8")).digest()


def _holds(text: str, digest: bytes) -> bool:
    """Whether `text` is the secret whose digest is kept (compared in constant time)."""
    import hmac

    return hmac.compare_digest(_digest(text), digest)


class Clipboard:
    """Copies through the system clipboard or the terminal, and clears copied secrets.

    Thread-safe: the app calls `copy` and `clear_if_unchanged` from thread workers.
    """

    def __init__(
        self,
        system: SystemClipboard | None,
        terminal: Callable[[str], None] | None = None,
        *,
        clear_after: float = DEFAULT_CLEAR_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create it.

        Args:
            system: The system clipboard, or None where there is none.
            terminal: A function that sends text to the terminal's clipboard (writes an
                OSC 52 sequence, see `osc52_sequence`); the app sets it once it runs.
            clear_after: Seconds after which a copied secret is cleared if the clipboard
                still holds it; 0 never clears.
            clock: What the deadline is counted on (the app counts down on it too; tests
                move it on instead of waiting).
        """
        self.system = system
        """The system clipboard, or None."""
        self.terminal = terminal
        """Sends text to the terminal's clipboard, or None (settable: the app sets it)."""
        self.clear_after = clear_after
        """Seconds until a copied secret is cleared; 0 never clears."""
        self.clock = clock
        """The clock of `pending_secret_deadline`."""
        self._lock = threading.Lock()
        self._pending: bytes | None = None
        self._deadline: float | None = None

    @property
    def pending_secret_deadline(self) -> float | None:
        """When (on `clock`) the last copied secret is due to be cleared, or None.

        None also when the secret went to the terminal's clipboard, which cannot be read
        back to see whether it still holds it.
        """
        with self._lock:
            return self._deadline

    def copy(self, text: str, *, secret: bool = False) -> CopyResult:
        """Copy text: the system clipboard first, else the terminal's.

        Args:
            text: What to copy; never logged or shown.
            secret: Remember it so `clear_if_unchanged` can clear it after `clear_after`.

        Returns:
            Which way was used, and what to tell the user.
        """
        # Whatever was pending is replaced by this copy (or the copy failed and the
        # clipboard still holds it: keep it pending then).
        if self.system is not None:
            try:
                self.system.copy(text)
            except ClipboardUnavailable as failure:
                if isinstance(failure, ClipboardTimedOut) and secret and self.clear_after > 0:
                    # A copy that timed out may still land later: schedule the clear all the
                    # same (it clears only if the clipboard then holds this very secret).
                    with self._lock:
                        self._pending = _digest(text)
                        self._deadline = self.clock() + self.clear_after
            else:
                with self._lock:
                    if secret and self.clear_after > 0:
                        self._pending = _digest(text)
                        self._deadline = self.clock() + self.clear_after
                    else:
                        self._pending = self._deadline = None
                return CopyResult("system", SYSTEM_MESSAGE)
        if self.terminal is not None:
            try:
                self.terminal(text)
            except Exception:  # a closed terminal or a driver that is gone: cannot copy
                pass
            else:
                message = TERMINAL_MESSAGE + (_TMUX_HINT if in_tmux() else "")
                if secret:
                    message += _NOT_CLEARED
                return CopyResult("osc52", message)
        return CopyResult("none", NONE_MESSAGE)

    def clear_if_unchanged(self) -> bool:
        """Clear the system clipboard if it still holds the last copied secret.

        Called by the app's timer at `pending_secret_deadline` and on exit. Whatever the
        outcome, nothing is pending afterwards: a clipboard the user has changed since is
        theirs and stays as it is.

        Returns:
            True if the secret was found and cleared.
        """
        with self._lock:
            digest, self._pending, self._deadline = self._pending, None, None
        if digest is None or self.system is None:
            return False
        try:
            started = time.monotonic()
            if not _holds(self.system.paste(), digest):
                return False
            if time.monotonic() - started > _SLOW_READ and not _holds(self.system.paste(), digest):
                # A slow read may be stale: the user may have copied since. Cleared only
                # when a second read still finds the secret.
                return False
            self.system.copy("")
            # xclip and xsel return before their background process owns the selection,
            # so read back until the secret is gone rather than trust the copy.
            for _ in range(_CLEAR_CHECKS):
                if not _holds(self.system.paste(), digest):
                    return True
                time.sleep(_CLEAR_CHECK_INTERVAL)
        except ClipboardUnavailable:
            return False
        with self._lock:
            # Still there: keep it pending so the next call (on exit at the latest) tries again.
            if self._pending is None:
                self._pending, self._deadline = digest, self.clock()
        return False
