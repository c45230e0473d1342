"""The `phguide` command: the walkthrough, `--demo`, and the scriptable subcommands.

Only the standard library is imported here, so `--version` and `--help` answer at once.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from phguide import __version__

SUBCOMMANDS = ("status", "keys", "check", "token", "login", "run", "switch", "logout", "completion")


def build_parser(*, subcommands: bool = True) -> argparse.ArgumentParser:
    """The command line: the walkthrough by default, or a subcommand.

    Args:
        subcommands: Register the subcommands (their parsers cost the walkthrough's start
            ~8 ms, so `main` leaves them out when the command line cannot name one).
    """
    parser = argparse.ArgumentParser(
        prog="phguide",
        description="Get your PostHog API keys: a guided walkthrough that signs you in, "
        "finds your Project API key and manages your Personal API keys.",
        epilog="Try it without an account: phguide --demo. Subcommands' exit status: 0 ok, "
        "1 failure, 2 usage error or cancelled, 4 no personal API key for the host.",
    )
    parser.add_argument("--version", action="version", version=f"phguide {__version__}")
    parser.add_argument(
        "--host",
        metavar="HOST",
        help="us, eu, or your self-hosted PostHog's URL (default: $POSTHOG_HOST, else ask)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against a built-in demo PostHog on this machine: no account, no network",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if subcommands:
        from phguide.cli import add_subcommands

        add_subcommands(sub)
    return parser


def _walkthrough_only(argv: Sequence[str]) -> bool:
    """True when the command line holds only the walkthrough's own options (or nothing).

    `--version` counts as one: it answers before any subcommand matters.
    """
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--host" and rest:
            rest.pop(0)
        elif arg not in ("--demo", "--version") and not arg.startswith("--host="):
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run phguide; returns the process exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(subcommands=not _walkthrough_only(arguments))
    args = parser.parse_args(arguments)
    if args.command:
        from phguide.cli import run_subcommand

        return run_subcommand(args)
    return run_app(args)


def run_app(args: argparse.Namespace) -> int:
    """Build the dependencies, run the walkthrough, and return the exit status."""
    # Starting Textual allocates some 200,000 objects that live as long as the app, and the
    # collector would walk them again and again before the first frame (~40 ms, a sixth of
    # the start). PhGuideApp.on_ready turns it back on once that frame is up.
    gc.disable()
    from phguide.factory import FactoryError, build_services

    try:
        services = build_services(host=args.host, demo=args.demo)
    except FactoryError as error:
        print(f"phguide: {error}", file=sys.stderr)
        return 2
    from phguide.ui.app import PhGuideApp

    app = PhGuideApp(services)
    try:
        app.run()
    finally:
        gc.enable()  # in case the app stopped before its first frame turned it back on
        services.close()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
