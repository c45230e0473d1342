"""The `phguide` command: the walkthrough, `--demo`, and the scriptable subcommands.

Only argparse and the command line (`cli.parser`) are imported before the command line is
read, so `--version` and `--help` answer at once; the rest loads for what was asked. Plain
`phguide` has nothing to parse: the walkthrough starts without argparse.
"""

from __future__ import annotations

import gc
import sys

TYPE_CHECKING = False  # true for type checkers; nothing it guards is imported (see cli.output)
if TYPE_CHECKING:
    from collections.abc import Sequence


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


def _walkthrough_options(argv: Sequence[str]) -> tuple[str | None, bool] | None:
    """`--host` and `--demo`, read without argparse when they are the whole command line.

    A returning user's `phguide --host URL` starts ~20 ms sooner without argparse and the
    parser. Anything else (`--version`, an abbreviation, a missing value) returns None: the
    parser reads it, and says what is wrong.
    """
    host, demo, rest = None, False, list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo":
            demo = True
        elif arg == "--host" and rest and not rest[0].startswith("-"):
            host = rest.pop(0)
        elif arg.startswith("--host=") and not arg[7:].startswith("-"):
            host = arg[7:]
        else:
            return None
    return host, demo


def main(argv: Sequence[str] | None = None) -> int:
    """Run phguide; returns the process exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    plain = _walkthrough_options(arguments)
    if plain is not None:
        return run_app(host=plain[0], demo=plain[1])
    from phguide.cli.parser import build_parser

    parser = build_parser(subcommands=not _walkthrough_only(arguments), words=arguments)
    args = parser.parse_args(arguments)
    if args.command:
        from phguide.cli.main import run_subcommand

        return run_subcommand(args, parser=parser)
    return run_app(host=args.host, demo=args.demo)


def run_app(*, host: str | None, demo: bool) -> int:
    """Build the dependencies, run the walkthrough, and return the exit status.

    Args:
        host: `--host` (us, eu or a URL), if given.
        demo: `--demo`: run against the embedded demo servers.
    """
    # Starting Textual allocates some 200,000 objects that live as long as the app, and the
    # collector would walk them again and again before the first frame (~40 ms, a sixth of
    # the start). PhGuideApp.on_ready turns it back on once that frame is up.
    gc.disable()
    from phguide.factory import FactoryError, build_services

    try:
        services = build_services(host=host, demo=demo)
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
