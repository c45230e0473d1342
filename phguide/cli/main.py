"""The subcommands' command line, and running one: never a traceback, always an exit status.

No Textual on this path; httpx loads only when a subcommand talks to PostHog, and keyring
only when a key is read or saved, so `--help`, `token` and `run` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from phguide.cli.context import ClientFactory, Context
from phguide.cli.output import EXIT_CODES_HELP, EXIT_FAILED, EXIT_USAGE, CliError, Io
from phguide.core.hosts import Clouds
from phguide.core.sources import HOST_VARIABLES, KEY_VARIABLES

if TYPE_CHECKING:
    from phguide.core.accounts import Accounts
    from phguide.system.credentials import SecretStore

__all__ = ["add_subcommands", "run_subcommand"]

_HOST_HELP: Final = (
    f"us, eu, or your self-hosted PostHog's URL (default: ${HOST_VARIABLES[0]} or "
    f"${HOST_VARIABLES[1]}, else the last one used, else us)"
)
_KEY_FROM: Final = f"{KEY_VARIABLES[0]} (or {', '.join(KEY_VARIABLES[1:])}) or the keyring"


def add_subcommands(sub: Any) -> None:
    """Register the subcommands on an argparse sub-parser collection."""

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, help=help_text, description=description, epilog=EXIT_CODES_HELP
        )
        # SUPPRESS: without it the sub-parser's default would overwrite a --host or --demo
        # given before the subcommand name (the main parser has both too).
        parser.add_argument("--host", metavar="HOST", default=argparse.SUPPRESS, help=_HOST_HELP)
        parser.add_argument(
            "--demo",
            action="store_true",
            default=argparse.SUPPRESS,
            help="run this command against a built-in demo PostHog (no account, no network)",
        )
        return parser

    status = command(
        "status",
        "who you are signed in as, where, with which key, whether it works; every account",
        f"Show the PostHog in use, the personal API key phguide would use ({_KEY_FROM}) and "
        "whether it still works, then every account phguide holds a key for, on every host.",
    )
    status.add_argument("--json", action="store_true", help="print JSON")

    keys = command(
        "keys",
        "list the project API keys your personal key can see",
        "List the project API key of every project of every organization the personal API key "
        f"({_KEY_FROM}) can see.",
    )
    keys.add_argument("--json", action="store_true", help="print a JSON array")
    keys.add_argument("--org", metavar="NAME", help="only this organization (name or id)")
    keys.add_argument("--project", metavar="NAME", help="only this project (name or id)")

    check = command(
        "check",
        "read a key from standard input and say what it is and whether it works",
        "Read ONE key from standard input (never from the command line, where other users can "
        "see it), say what it is and check it live. Example: pbpaste | phguide check",
    )
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
        help="the project token (phc_, public) a phs_ secret key is used with: checks the pair "
        "through local evaluation and tells a bad secret key from a wrong project token",
    )
    # Only to refuse a key given on the command line with a useful message.
    check.add_argument("key_argument", nargs="?", help=argparse.SUPPRESS)

    command(
        "token",
        "print the active personal API key for the host (for scripts)",
        "Print the host's active personal API key and a newline on standard output, nothing "
        f'else ({_KEY_FROM}). Example: curl -H "Authorization: Bearer $(phguide token)" …',
    )

    login = command(
        "login",
        "save a personal API key read from standard input as the active key",
        "With --with-token: read ONE personal API key from standard input, check it with "
        "PostHog, save it in the keyring as the host's active key and say whose it is. "
        "Example: pbpaste | phguide login --with-token --host eu",
    )
    login.add_argument("--with-token", action="store_true", help="read the key from standard input")
    login.add_argument("key_argument", nargs="?", help=argparse.SUPPRESS)

    run = command(
        "run",
        "run a command with the key and host in its environment only",
        "Run CMD with POSTHOG_PERSONAL_API_KEY, POSTHOG_HOST and POSTHOG_API_HOST set (and, "
        "with a project, POSTHOG_PROJECT_ID and POSTHOG_PROJECT_API_KEY) in its environment "
        "only: nothing is written or printed. Exits with CMD's status (127: no such command). "
        "Example: phguide run --project 2 -- python sync.py",
    )
    run.add_argument(
        "--project", metavar="ID", help="also set this project's id and project API key"
    )
    run.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD [ARGS…]")

    switch = command(
        "switch",
        "make another account phguide holds a key for the active one",
        "Make another held key the active one on its host (phguide status lists them). With "
        "several that fit, asks which at a terminal; without one, exits 2.",
    )
    switch.add_argument("email", nargs="?", metavar="EMAIL", help="the account's email")

    command(
        "logout",
        "forget every key and sign-in stored for a host",
        "Remove every personal API key and sign-in cookie phguide stored in the keyring for a "
        "host. The keys themselves keep working until you delete them in PostHog.",
    )

    completion = command(
        "completion",
        "print a shell completion script",
        'Print a completion script. bash: eval "$(phguide completion bash)" in ~/.bashrc; '
        "zsh: the same with zsh in ~/.zshrc; fish: phguide completion fish > "
        "~/.config/fish/completions/phguide.fish",
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))


def _command(name: str) -> Callable[[Context], int]:
    """The subcommand's function, imported on demand (each pulls in only what it needs)."""
    if name == "status":
        from phguide.cli.status import status

        return status
    if name == "keys":
        from phguide.cli.keys import keys

        return keys
    if name == "check":
        from phguide.cli.check import check

        return check
    if name in ("token", "login"):
        from phguide.cli import token

        return token.token if name == "token" else token.login
    if name == "run":
        from phguide.cli.run import run

        return run
    if name == "switch":
        from phguide.cli.switch import switch

        return switch
    if name == "logout":
        from phguide.cli.logout import logout

        return logout
    from phguide.cli.completion import completion

    return completion


def run_subcommand(
    args: argparse.Namespace,
    *,
    store: SecretStore | None = None,
    accounts: Accounts | None = None,
    clouds: Clouds | None = None,
    client_factory: ClientFactory | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one subcommand; returns its exit status. Never raises, never prints a traceback.

    Args:
        args: The parsed command line (`args.command` names the subcommand).
        store: Where keys are kept; the OS keyring by default.
        accounts: The held keys; indexed in the settings file by default.
        clouds: The cloud regions (tests point them at demo servers).
        client_factory: Builds API clients; PostHogClient by default.
        environ: The environment variables to honour; `os.environ` by default.
        config_path: phguide's settings file; the usual place by default.
        stdin: Where `check` and `login` read the key from.
        stdout: Where results go.
        stderr: Where errors go.

    Returns:
        0 ok, 1 failure, 2 usage error or cancelled, 4 no personal API key (`run`: CMD's).
    """
    io = Io(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    if client_factory is None:
        from phguide.services import default_client_factory

        client_factory = default_client_factory
    context = Context(
        args=args,
        io=io,
        clouds=clouds or Clouds(),
        client_factory=client_factory,
        environ=os.environ if environ is None else environ,
        config_path=config_path,
        store_given=store,
        accounts_given=accounts,
    )
    stop: Callable[[], None] | None = None
    try:
        if getattr(args, "demo", False):
            stop = _use_demo(context)
        return _command(args.command)(context)
    except KeyboardInterrupt:
        return EXIT_USAGE
    except BrokenPipeError:
        io.silence_stdout()
        return EXIT_FAILED
    except CliError as error:
        io.report(error.message, error.fix)
        return error.status
    except Exception as error:
        from phguide.api.errors import PostHogError

        if isinstance(error, PostHogError):
            io.report(error.message, error.fix)
        else:
            # A bug: say so plainly; a traceback would be noise to the user (and may hold data).
            io.report(
                f"phguide {args.command} failed unexpectedly ({type(error).__name__}).",
                "Try again; if it keeps failing, please report it.",
            )
        return EXIT_FAILED
    finally:
        if stop is not None:
            stop()


def _use_demo(context: Context) -> Callable[[], None]:
    """Point the command at the embedded demo servers, with demo keys held in memory only."""
    from phguide.core.hosts import HostError, parse_host

    given = getattr(context.args, "host", None)
    if given:
        try:
            named = parse_host(given)
        except HostError:
            named = None
        if named is None or not named.is_cloud:
            raise CliError("--demo runs its own PostHog: use --host us or eu, or none.", status=2)
    from phguide.factory import demo_accounts, start_demo

    demo = start_demo()
    context.clouds = demo.clouds
    context.accounts_given = demo_accounts(demo)
    context.store_given = context.accounts_given.store
    # The demo must not pick up a real key or host from the environment.
    context.environ = {
        k: v for k, v in context.environ.items() if k not in (*KEY_VARIABLES, *HOST_VARIABLES)
    }
    return demo.stop
