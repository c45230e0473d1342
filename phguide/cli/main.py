"""Running one subcommand: never a traceback, always an exit status.

No Textual on this path, and only what a subcommand uses is imported: the hosts when it needs
one, httpx when it talks to PostHog, keyring when a key is read or saved. The command line
itself is `cli.parser`.
"""

from __future__ import annotations

import os
import sys

from phguide.cli.output import EXIT_FAILED, EXIT_USAGE, CliError, Io
from phguide.core.variables import HOST_VARIABLES, KEY_VARIABLES

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import TextIO

    from phguide.api.client import PostHogClient
    from phguide.cli.context import ClientFactory, Context
    from phguide.core.accounts import Accounts
    from phguide.core.hosts import Clouds, Host
    from phguide.core.secret import Secret
    from phguide.system.credentials import SecretStore

__all__ = ["run_subcommand"]


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
    from phguide.cli.logout import logout

    return logout


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
    parser: argparse.ArgumentParser | None = None,
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
        parser: The command line `args` came from (`completion` describes it rather than
            build it again); `cli.parser`'s by default.

    Returns:
        0 ok, 1 failure, 2 usage error or cancelled, 4 no personal API key (`run`: CMD's).
    """
    io = Io(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    if args.command == "completion":  # the command line alone: nothing else to load
        from phguide.cli.completion import completion

        return _guarded(args, io, lambda: completion(args.shell, io, parser))
    from phguide.cli.context import Context

    context = Context(
        args=args,
        io=io,
        clouds_given=clouds,
        client_factory=client_factory or _default_client_factory,
        environ=os.environ if environ is None else environ,
        config_path=config_path,
        store_given=store,
        accounts_given=accounts,
    )

    def run() -> int:
        stop = _use_demo(context) if getattr(args, "demo", False) else None
        try:
            return _command(args.command)(context)
        finally:
            if stop is not None:
                stop()

    return _guarded(args, io, run)


def _guarded(args: argparse.Namespace, io: Io, run: Callable[[], int]) -> int:
    """`run()`'s exit status, or the failure reported on standard error: never a traceback."""
    try:
        return run()
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


def _default_client_factory(host: Host, personal_key: Secret | None) -> PostHogClient:
    """The wiring's client factory, imported when a subcommand first talks to PostHog."""
    from phguide.services import default_client_factory

    return default_client_factory(host, personal_key)


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
    context.clouds_given = demo.clouds
    context.accounts_given = demo_accounts(demo)
    context.store_given = context.accounts_given.store
    # The demo must not pick up a real key or host from the environment.
    context.environ = {
        k: v for k, v in context.environ.items() if k not in (*KEY_VARIABLES, *HOST_VARIABLES)
    }
    return demo.stop
