"""`phguide check`: read one key from standard input, say what it is and whether it works."""

from __future__ import annotations

import asyncio

from phguide.cli.context import Context
from phguide.cli.output import EXIT_FAILED, EXIT_OK
from phguide.cli.stdin import read_one_key, refuse_key_argument

__all__ = ["check"]


def check(context: Context) -> int:
    """Check the key; exit 0 when it works for its job, 1 when not."""
    args, io = context.args, context.io
    refuse_key_argument("check", args.key_argument)
    text = read_one_key(io, "check")
    host, _ = context.host()
    from phguide.core.diagnose import diagnose_key

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
    return EXIT_OK if diagnosis.valid is True and not diagnosis.wrong_job else EXIT_FAILED
