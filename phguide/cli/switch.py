"""`phguide switch [--host H] [EMAIL]`: make another held account the active one on its host."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phguide.cli.context import SIGN_IN_FIX, Context
from phguide.cli.output import EXIT_NO_KEY, EXIT_OK, EXIT_USAGE, CliError
from phguide.cli.status import account_line
from phguide.core.hosts import HostError
from phguide.core.sources import choose_host

if TYPE_CHECKING:
    from phguide.core.accounts import HeldKey

__all__ = ["switch"]


def switch(context: Context) -> int:
    """Switch; asks which when several fit and a person is there, else exit 2."""
    args, io = context.args, context.io
    accounts = context.accounts
    held = accounts.held()
    if getattr(args, "host", None):
        try:
            host = choose_host(args.host, context.clouds, environ={}).host
        except HostError as error:
            raise CliError(str(error), status=EXIT_USAGE) from None
        assert host is not None
        held = accounts.held(host)
    if not held:
        raise CliError("phguide holds no key to switch to.", SIGN_IN_FIX, EXIT_NO_KEY)
    fits = held
    if args.email:
        wanted = args.email.strip().casefold()
        fits = [k for k in held if wanted in (k.email.casefold(), k.key_id, k.label.casefold())]
        if not fits:
            raise CliError(
                f"phguide holds no key of {args.email} here.",
                "phguide status lists the accounts phguide holds.",
            )
    last = accounts.last_host()
    current = None if last is None else accounts.active(last)
    others = [k for k in fits if k != current]
    if len(fits) > 1 and len(others) == 1:
        fits = others  # two accounts: switch to the other, as gh does
    choice = fits[0] if len(fits) == 1 else _ask(context, fits)
    now = accounts.set_active(choice.host, choice.key_id)
    label = f" “{now.label}”" if now.label else ""
    where = context.host_of(now.host).label
    io.out(f"Switched: {now.email}{label} ({now.mask or now.key_id}) is the active key on {where}.")
    return EXIT_OK


def _ask(context: Context, fits: list[HeldKey]) -> HeldKey:
    """A numbered choice at a terminal; a usage error (exit 2) without one."""
    io, accounts = context.io, context.accounts
    lines = [account_line(k, context.host_of(k.host), accounts.active(k.host) == k) for k in fits]
    if not io.interactive():
        raise CliError(
            f"{len(fits)} held keys fit, and there is no terminal to ask which:\n"
            + "\n".join(f"    {line}" for line in lines),
            "Name one: phguide switch [--host HOST] EMAIL",
            EXIT_USAGE,
        )
    for number, line in enumerate(lines, 1):
        io.err(f"{number:>3}. {line}")
    while True:
        io.stderr.write(f"Which one (1-{len(fits)}, Enter to cancel)? ")
        io.stderr.flush()
        answer = io.stdin.readline().strip()
        if not answer:
            raise CliError("Cancelled: nothing changed.", status=EXIT_USAGE)
        if answer.isdigit() and 1 <= int(answer) <= len(fits):
            return fits[int(answer) - 1]
