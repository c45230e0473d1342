"""Textual's debug log (`TEXTUAL_LOG`) with every secret taken out before it reaches the file.

Textual writes `str()` of each message it handles to the file named by `TEXTUAL_LOG`: every
key typed (a password, a code, one character at a time), each `Input.Changed` with its
value, each paste. phguide hands Textual one end of a pipe instead of the file; a thread
reads each line, `redact`s it and appends it to the file the user named (created 0600). So
the secret never touches the disk, and the log keeps what a developer needs: which message
went where.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
from pathlib import Path
from typing import Final

__all__ = ["HIDDEN", "redact", "start"]

HIDDEN: Final = "‹hidden›"
"""What a removed value reads as in the log."""

_SECRET_FIELDS: Final = re.compile(
    r"\b(value|text|character|password|code|token|secret|api_key|key_value|result)="
    r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s,)>]*)"
)
"""Fields of Textual's messages (and any repr) that can hold what the user typed or pasted."""

_PRINTABLE_KEY: Final = re.compile(r"\b(Key|KeyDown)\([^()]*is_printable=True[^()]*\)")
"""A key event for a character: its key, name and aliases spell the character out."""

_TOKEN: Final = re.compile(r"\bph[a-z]_[A-Za-z0-9_\-]{6,}")
"""Anything shaped like a PostHog key (phx_, phc_, phs_, pha_ ...), wherever it appears."""


def redact(line: str) -> str:
    """One log line with typed values, pasted text, key characters and key-shaped tokens hidden.

    Args:
        line: What Textual wrote.

    Returns:
        The line as it may be kept.
    """
    line = _PRINTABLE_KEY.sub(lambda m: f"{m.group(1)}({HIDDEN})", line)
    line = _SECRET_FIELDS.sub(lambda m: f"{m.group(1)}={HIDDEN}", line)
    return _TOKEN.sub(HIDDEN, line)


def _copy(read_end: int, target: int) -> None:
    """Redact each line from the pipe into the file until every writer has closed it."""
    with os.fdopen(read_end, "r", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                os.write(target, redact(line).encode("utf-8"))
            except OSError:  # a full disk: drop the line, but keep draining (Textual waits)
                continue
    os.close(target)


def start(path: str) -> str | None:
    """Redact the log bound for `path`; returns the name Textual should write to instead.

    Args:
        path: The log file the user named (appended to; created private).

    Returns:
        A path to the pipe (`/dev/fd/N`), or None where that cannot be done (no `/dev/fd`,
        the file cannot be opened): then phguide keeps no debug log at all.
    """
    if not Path("/dev/fd").is_dir():
        return None
    try:
        target = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError:
        return None
    read_end, write_end = os.pipe()
    thread = threading.Thread(
        target=_copy, args=(read_end, target), name="phguide-debug-log", daemon=True
    )
    thread.start()

    def finish() -> None:
        # The last lines reach the file before the process ends.
        os.close(write_end)
        thread.join(timeout=5)

    atexit.register(finish)
    return f"/dev/fd/{write_end}"
