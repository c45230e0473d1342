"""The whole command line: the walkthrough's options and every subcommand's parser.

Light on purpose: `phguide --help`, `phguide status --help` and `phguide completion bash` run
this and nothing heavier, so it imports argparse and names only (no hosts, no dataclasses, no
httpx, asyncio or Textual). A subcommand's own module loads only when it runs (`cli.main`).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys

from phguide import __version__
from phguide.core.variables import HOST_VARIABLES, KEY_VARIABLES

TYPE_CHECKING = False  # true for type checkers; nothing it guards is imported (see cli.output)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["EXIT_CODES_HELP", "build_parser"]

EXIT_CODES_HELP = (
    "exit status: 0 ok, 1 failure, 2 usage error or cancelled, 4 no personal API key "
    "for the host (run: phguide, or phguide login --with-token)"
)

_FROM_ENVIRONMENT = f"${HOST_VARIABLES[0]} or ${HOST_VARIABLES[1]}"
_MAIN_HOST_HELP = (
    f"us, eu, or your self-hosted PostHog's URL (default: {_FROM_ENVIRONMENT}; else the "
    "walkthrough asks on Log in, and a subcommand uses the host used last, else us)"
)
_HOST_HELP = (
    f"us, eu, or your self-hosted PostHog's URL (default: {_FROM_ENVIRONMENT}, else the "
    "host used last, else us)"
)
_KEY_FROM = f"{KEY_VARIABLES[0]} (or {', '.join(KEY_VARIABLES[1:])}) or the keyring"


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` finds it: $COLUMNS, the terminal, 80.

    Not shutil itself: its archive modules would cost `--help` a tenth of its time.
    """
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(
    *, subcommands: bool = True, words: Sequence[str] | None = None
) -> argparse.ArgumentParser:
    """The command line: the walkthrough by default, or a subcommand.

    Args:
        subcommands: Register the subcommands (their parsers cost the walkthrough's start
            a few milliseconds, so `main` leaves them out when the command line cannot name one).
        words: The command line about to be parsed, when only it matters: a subcommand it does
            not name is listed (for `--help` and argparse's choice) without its options, which
            argparse reads only for the subcommand named. `completion` describes them all.
            None: every subcommand gets its options.
    """
    # The width once, not in each of the fifty formatters argparse makes while it builds.
    formatter = functools.partial(argparse.HelpFormatter, width=_columns() - 2)
    parser = argparse.ArgumentParser(
        prog="phguide",
        formatter_class=formatter,
        description="Get your PostHog API keys: a guided walkthrough that signs you in, "
        "finds your Project API key (the project token) and manages your Personal API keys.",
        epilog="Try it without an account: phguide --demo. Subcommands' exit status: 0 ok, "
        "1 failure, 2 usage error or cancelled, 4 no personal API key for the host.",
    )
    parser.add_argument("--version", action="version", version=f"phguide {__version__}")
    parser.add_argument("--host", metavar="HOST", help=_MAIN_HOST_HELP)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against a built-in demo PostHog on this machine: no account, no network",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if not subcommands:
        return parser
    named = None if words is None or "completion" in words else set(words)
    for name, help_text, description, add_options in _SUBCOMMANDS:
        full = named is None or name in named
        command: argparse.ArgumentParser = sub.add_parser(
            name,
            help=help_text,
            description=description,
            epilog=EXIT_CODES_HELP,
            formatter_class=formatter,
            add_help=full,  # `-h` too is an option argparse reads only for the subcommand named
        )
        if full:
            _add_common_options(command)
            add_options(command)
    return parser


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    """Every subcommand's `--host` and `--demo`."""
    # SUPPRESS: without it the sub-parser's default would overwrite a --host or --demo
    # given before the subcommand name (the main parser has both too).
    parser.add_argument("--host", metavar="HOST", default=argparse.SUPPRESS, help=_HOST_HELP)
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="run this command against a built-in demo PostHog (no account, no network)",
    )


def _status_options(status: argparse.ArgumentParser) -> None:
    status.add_argument("--json", action="store_true", help="print JSON")


def _keys_options(keys: argparse.ArgumentParser) -> None:
    keys.add_argument("--json", action="store_true", help="print a JSON array")
    keys.add_argument("--org", metavar="NAME", help="only this organization (name or id)")
    keys.add_argument("--project", metavar="NAME", help="only this project (name or id)")


def _check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("--json", action="store_true", help="print JSON")
    check.add_argument(
        "--for",
        dest="purpose",
        choices=("sdk", "api"),
        help="what the key is for: sdk (sending events, flags) or api (PostHog's private API)",
    )
    check.add_argument(
        "--project-token",
        metavar="PHC",
        help="the project token (the project API key, phc_, public) a phs_ secret key is used "
        "with: checks the pair "
        "through local evaluation and tells a bad secret key from a wrong project token",
    )
    # Only to refuse a key given on the command line with a useful message.
    check.add_argument("key_argument", nargs="?", help=argparse.SUPPRESS)


def _no_options(parser: argparse.ArgumentParser) -> None:
    """`token` and `logout` take only `--host` and `--demo`."""


def _login_options(login: argparse.ArgumentParser) -> None:
    login.add_argument("--with-token", action="store_true", help="read the key from standard input")
    login.add_argument("key_argument", nargs="?", help=argparse.SUPPRESS)


def _run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument(
        "--project",
        metavar="ID",
        help="also set this project's id and project API key (project token)",
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS…]")


def _switch_options(switch: argparse.ArgumentParser) -> None:
    switch.add_argument("email", nargs="?", metavar="EMAIL", help="the account's email")


def _completion_options(completion: argparse.ArgumentParser) -> None:
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))


_SUBCOMMANDS: tuple[tuple[str, str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    (
        "status",
        "who you are signed in as, where, with which key, whether it works; every account",
        f"Show the PostHog in use, the personal API key phguide would use ({_KEY_FROM}) and "
        "whether it still works, then every account phguide holds a key for, on every host.",
        _status_options,
    ),
    (
        "keys",
        "list the project API keys (project tokens) your personal key can see",
        "List the project API key (the project token, phc_) of every project of every "
        "organization the personal API key "
        f"({_KEY_FROM}) can see.",
        _keys_options,
    ),
    (
        "check",
        "read a key from standard input and say what it is and whether it works",
        "Read ONE key from standard input (never from the command line, where other users can "
        "see it), say what it is and check it live. Example: pbpaste | phguide check",
        _check_options,
    ),
    (
        "token",
        "print the active personal API key for the host (for scripts)",
        "Print the host's active personal API key and a newline on standard output, nothing "
        f'else ({_KEY_FROM}). Example: curl -H "Authorization: Bearer $(phguide token)" …',
        _no_options,
    ),
    (
        "login",
        "save a personal API key read from standard input as the active key",
        "With --with-token: read ONE personal API key from standard input, check it with "
        "PostHog, save it in the keyring as the host's active key and say whose it is. "
        "Example: pbpaste | phguide login --with-token --host eu",
        _login_options,
    ),
    (
        "run",
        "run a command with the key and host in its environment only",
        "Run CMD with POSTHOG_PERSONAL_API_KEY, POSTHOG_HOST and POSTHOG_API_HOST set (and, "
        "with a project, POSTHOG_PROJECT_ID and POSTHOG_PROJECT_API_KEY) in its environment "
        "only: nothing is written or printed. Exits with CMD's status (127: no such command). "
        "Example: phguide run --project 2 -- python sync.py",
        _run_options,
    ),
    (
        "switch",
        "make another account phguide holds a key for the active one",
        "Make another held key the active one on its host (phguide status lists them). With "
        "several that fit, asks which at a terminal; without one, exits 2.",
        _switch_options,
    ),
    (
        "logout",
        "forget every key and sign-in stored for a host",
        "Remove every personal API key and sign-in cookie phguide stored in the keyring for a "
        "host. The keys themselves keep working until you delete them in PostHog.",
        _no_options,
    ),
    (
        "completion",
        "print a shell completion script",
        'Print a completion script. bash: eval "$(phguide completion bash)" in ~/.bashrc; '
        "zsh: the same with zsh in ~/.zshrc; fish: phguide completion fish > "
        "~/.config/fish/completions/phguide.fish",
        _completion_options,
    ),
)
"""Each subcommand: its name, its line in `phguide --help`, its description, its options."""
