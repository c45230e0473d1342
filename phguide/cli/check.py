"""`phguide check`: read one key from standard input, say what it is and whether it works."""

from __future__ import annotations

from phguide.cli.context import Context
from phguide.cli.output import EXIT_FAILED, EXIT_OK
from phguide.cli.stdin import read_one_key, refuse_key_argument

__all__ = ["check"]


def check(context: Context) -> int:
    """Check the key; exit 0 when it works for its job, 1 when not (a secret key with a wrong
    project token included: the pair a server SDK uses does not work)."""
    args, io = context.args, context.io
    refuse_key_argument("check", args.key_argument)
    text = read_one_key(io, "check")
    from phguide.core.diagnose import diagnose_offline

    # Text that is no key (or a masked copy) is answered here, without a host, the keyring or
    # an event loop: `check` then starts as fast as `--help`.
    diagnosis = diagnose_offline(text, purpose=args.purpose)
    if diagnosis is None:
        import asyncio

        from phguide.core.diagnose import diagnose_key

        host, _ = context.host()
        diagnosis = asyncio.run(
            diagnose_key(
                text,
                host,
                context.clouds,
                context.client_factory,
                purpose=args.purpose,
                project_token=args.project_token,
            )
        )
    if args.json:
        io.out(diagnosis.to_json())
    else:
        for line in diagnosis.to_lines():
            io.out(line)
    return EXIT_OK if diagnosis.works else EXIT_FAILED
