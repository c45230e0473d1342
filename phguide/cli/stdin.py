"""Reading one key from standard input (never from the command line, where others can see it)."""

from __future__ import annotations

from phguide.cli.output import EXIT_USAGE, CliError, Io

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    from typing import Final

__all__ = ["MAX_STDIN", "read_one_key", "refuse_key_argument"]

MAX_STDIN: Final = 10_000
"""The most characters read: a key is short, a mistaken file is not."""


def refuse_key_argument(command: str, argument: str | None) -> None:
    """Refuse a key given on the command line, with how to pass it instead.

    Raises:
        CliError: An argument was given (usage error).
    """
    if argument is None:
        return
    raise CliError(
        f"phguide {command} does not take the key on the command line: other users of this "
        "machine can see command lines, and your shell history keeps them.",
        f"Pass it on standard input (pbpaste | phguide {command}, or phguide {command} < file), "
        f"or run phguide {command} and paste it. If it was a personal API key, consider "
        "rolling it.",
        EXIT_USAGE,
    )


def read_one_key(io: Io, command: str) -> str:
    """One key from standard input (asked for, unechoed, at a terminal), as given.

    Raises:
        CliError: Nothing, far too much, or more than one key was given (usage error).
    """
    example = f"pbpaste | phguide {command}"
    if io.stdin.isatty():
        import getpass  # only at a terminal: a pipe (the usual way) is read without it

        try:
            text = getpass.getpass("Paste the key (it is not shown): ", stream=io.stderr)
        except EOFError:
            text = ""
    else:
        text = io.stdin.read(MAX_STDIN + 1)
    if len(text) > MAX_STDIN:
        raise CliError(
            "That is far too long for a key.",
            f"Give phguide {command} one key on standard input, for example: {example}",
            EXIT_USAGE,
        )
    keys = [line for line in text.splitlines() if line.strip()[:4].lower().startswith("ph")]
    if len(keys) > 1:
        raise CliError(
            f"Standard input holds {len(keys)} keys; phguide {command} reads one.",
            "Give them one at a time.",
            EXIT_USAGE,
        )
    if not text.strip():
        raise CliError(
            "No key on standard input.",
            f"{example}, or phguide {command} and paste the key.",
            EXIT_USAGE,
        )
    return text
