"""`phguide status`: the PostHog in use, the key in use and whether it works, and every account."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phguide.cli.context import SIGN_IN_FIX, Context, host_dict
from phguide.cli.output import EXIT_FAILED, EXIT_NO_KEY, EXIT_OK

if TYPE_CHECKING:
    from phguide.core.accounts import HeldKey
    from phguide.core.diagnose import Diagnosis
    from phguide.core.hosts import Host

__all__ = ["account_line", "status"]


@dataclass(frozen=True)
class _Account:
    """A held key and whether it still works (None: not known, the keyring did not give it)."""

    held: HeldKey
    host: Host
    active: bool
    works: bool | None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "host": host_dict(self.host),
            "email": self.held.email,
            "key_id": self.held.key_id,
            "label": self.held.label,
            "mask": self.held.mask,
            "source": self.held.source,
            "active": self.active,
            "works": self.works,
            "reason": self.reason or None,
        }


async def _check(context: Context, held: HeldKey, active: bool) -> _Account:
    """Read a held key from the keyring and ask its PostHog who it belongs to."""
    from phguide.api.errors import PermissionDenied, PostHogError

    host = context.host_of(held.host)
    key, result = await asyncio.to_thread(context.accounts.read, held)
    if key is None:
        reason = result.message if not result.ok else "The keyring no longer holds it."
        return _Account(held, host, active, None, reason)
    try:
        async with context.client_factory(host, key) as client:
            await client.me()
    except PermissionDenied:
        return _Account(held, host, active, True, "Works, without user:read.")
    except PostHogError as error:
        return _Account(held, host, active, False, error.message)
    return _Account(held, host, active, True)


async def _accounts(context: Context) -> list[_Account]:
    held = context.accounts.held()
    active = {(k.host, k.key_id) for k in held if context.accounts.active(k.host) == k}
    return list(
        await asyncio.gather(*(_check(context, k, (k.host, k.key_id) in active) for k in held))
    )


def account_line(held: HeldKey, host: Host, active: bool) -> str:
    """One held key as a line: active mark, host, email, label and mask."""
    label = f"“{held.label}” " if held.label else ""
    mark = "*" if active else " "
    return f"{mark} {host.label:<12} {held.email:<28} {label}{held.mask or '(mask not known)'}"


def status(context: Context) -> int:
    """Report; exit 0 when the key in use works, 1 when it does not, 4 when there is none."""
    host, host_source = context.host()
    found, why_none = context.key_for(host)

    async def run() -> tuple[Diagnosis | None, list[_Account]]:
        from phguide.core.diagnose import diagnose_key

        diagnosis = None
        if found is not None:
            diagnosis = await diagnose_key(
                found.key.reveal(), host, context.clouds, context.client_factory
            )
        return diagnosis, await _accounts(context)

    diagnosis, accounts = asyncio.run(run())
    works = (
        diagnosis is not None
        and diagnosis.valid is True
        and diagnosis.host is not None
        and diagnosis.host.app_url == host.app_url
    )
    exit_status = EXIT_NO_KEY if found is None else EXIT_OK if works else EXIT_FAILED
    io = context.io
    if context.args.json:
        data = {
            "host": host_dict(host),
            "host_source": host_source,
            "key": found.as_dict() if found else None,
            "works": works,
            "reason": why_none,
            "diagnosis": diagnosis.as_dict() if diagnosis else None,
            "accounts": [account.as_dict() for account in accounts],
        }
        io.out(json.dumps(data, indent=2))
        return exit_status
    source = {"default": "the default", "last used": "the last one used"}.get(
        host_source, host_source
    )
    io.out(f"PostHog:    {host.label} ({host.app_url}), from {source}")
    if found is None:
        io.out("Signed in:  no")
        io.out(f"            {why_none}")
        io.out(f"  Fix:      {SIGN_IN_FIX}")
    else:
        io.out(f"Key from:   {found.describe()}")
        assert diagnosis is not None
        for line in diagnosis.to_lines(explain=False):
            io.out(line)
    if accounts:
        io.out()
        io.out(
            "Accounts phguide holds a key for (* active on its host; phguide switch changes it):"
        )
        for account in accounts:
            verdict = {True: "works", False: "does not work", None: "not checked"}[account.works]
            detail = f": {account.reason}" if account.reason else ""
            io.out(f"{account_line(account.held, account.host, account.active)}  {verdict}{detail}")
    return exit_status
