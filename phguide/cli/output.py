"""What the subcommands print, the exit statuses, and the error they report.

Every line goes through `printable`, so text a server sent (an organization's name, an
error message) never drives the terminal: one place to clean it.
"""

from __future__ import annotations

import os
import sys

# Instead of importing typing (a tenth of `phguide completion`'s time): type checkers read this
# name as true, Python never imports what it guards.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final, TextIO

__all__ = [
    "EXIT_FAILED",
    "EXIT_NO_KEY",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "Io",
    "printable",
]

EXIT_OK: Final = 0
"""It worked."""
EXIT_FAILED: Final = 1
"""It did not work (the reason is on standard error)."""
EXIT_USAGE: Final = 2
"""A usage error, or cancelled (Ctrl+C, an ambiguous choice with no terminal to ask)."""
EXIT_NO_KEY: Final = 4
"""Not signed in: no personal API key for the host."""

MAX_LINE: Final = 100_000
"""The longest line phguide prints (server fields are already bounded where they are parsed)."""


def printable(text: str) -> str:
    """A block of output with every line cleaned: server text never drives the terminal.

    Only the line breaks phguide itself puts between lines survive; any other control
    character (an escape in an organization's name, a carriage return) shows as an escape.
    """
    from phguide.core.text import clean

    return "\n".join(clean(line, limit=MAX_LINE) for line in text.split("\n"))


class CliError(Exception):
    """A failure to report on stderr: what happened, what to do, and the exit status."""

    def __init__(self, message: str, fix: str = "", status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.status = status


class Io:
    """Where a subcommand reads and writes (a plain class: `completion` needs no dataclasses)."""

    def __init__(self, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr

    def out(self, text: str = "") -> None:
        """Print a result line (cleaned) to standard output."""
        print(printable(text), file=self.stdout)

    def err(self, text: str) -> None:
        """Print a line (cleaned) to standard error."""
        print(printable(text), file=self.stderr)

    def report(self, message: str, fix: str = "") -> None:
        """Say what went wrong, and what to do, on standard error."""
        try:  # not contextlib.suppress: importing contextlib costs each subcommand a millisecond
            self.err(f"phguide: {message}")
            if fix:
                self.err(f"  {fix}")
        except OSError:
            pass

    def interactive(self) -> bool:
        """True when a person can answer a question (standard input and error are terminals)."""
        return self.stdin.isatty() and self.stderr.isatty()

    def silence_stdout(self) -> None:
        """After a closed pipe (`phguide keys | head`), keep Python from complaining at exit."""
        if self.stdout is sys.stdout:
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):
                pass
