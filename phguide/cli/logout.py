"""`phguide logout`: forget every key and sign-in phguide stored for a host."""

from __future__ import annotations

from phguide.cli.context import Context
from phguide.cli.output import EXIT_OK, CliError
from phguide.core.sources import environment_key

__all__ = ["logout"]


def logout(context: Context) -> int:
    """Remove the host's keyring entries and its records in the settings."""
    host, _ = context.host()
    io = context.io
    count = len(context.accounts.held(host))
    result = context.accounts.forget_host(host)
    if not result.ok:
        raise CliError(result.message, result.fix)
    keys = "1 personal API key" if count == 1 else f"{count} personal API keys"
    io.out(f"Forgot the {keys} and sign-in cookies stored for {host.label} ({host.app_url}).")
    io.out(
        "The keys themselves still work: delete them in PostHog (Account settings → Personal "
        "API keys) if you no longer need them."
    )
    found = environment_key(context.environ)
    if found is not None:
        io.out(f"{found.variable} is still set in this environment: unset it to stop using it.")
    return EXIT_OK
