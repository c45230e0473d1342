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


def main(argv: Sequence[str] | None = None) -> int:
    """Run phguide; returns the process exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if not arguments:
        return run_app(host=None, demo=False)
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
