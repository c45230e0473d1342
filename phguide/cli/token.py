"""`phguide token` prints the active key; `phguide login --with-token` saves one from stdin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phguide.cli.context import SIGN_IN_FIX, Context
from phguide.cli.output import EXIT_FAILED, EXIT_NO_KEY, EXIT_OK, EXIT_USAGE, CliError
from phguide.cli.stdin import read_one_key, refuse_key_argument
from phguide.core.secret import Secret

if TYPE_CHECKING:
    from phguide.api.models import PersonalApiKey, User
    from phguide.core.hosts import Host

__all__ = ["login", "token"]


def token(context: Context) -> int:
    """Print the host's active personal key and a newline, nothing else; exit 4 without one.

    No request is made: this is for scripts, and must start fast.
    """
    host, _ = context.host()
    found, why_none = context.key_for(host)
    if found is None:
        raise CliError(
            f"No personal API key for {host.label}. {why_none}", SIGN_IN_FIX, EXIT_NO_KEY
        )
    # Written as it is: a key is plain ASCII (a held or given one was checked on the way in).
    context.io.stdout.write(found.key.reveal() + "\n")
    context.io.stdout.flush()
    return EXIT_OK


def login(context: Context) -> int:
    """Check a personal key from standard input with PostHog and save it as the active key."""
    args, io = context.args, context.io
    command = "login --with-token"
    if not args.with_token:
        raise CliError(
            "phguide login signs in from a script with --with-token (the key on standard input).",
            "For the guided sign-in (browser, password, or a pasted key), run phguide.",
            EXIT_USAGE,
        )
    refuse_key_argument(command, args.key_argument)
    from phguide.core.diagnose import classify

    classified = classify(read_one_key(io, command))
    if classified.kind != "personal" or classified.masked_copy or classified.bad_text:
        raise CliError(
            "That is not a personal API key: those start with phx_ (and are not masked).",
            "Create one in PostHog (Account settings → Personal API keys), or run phguide.",
        )
    host, _ = context.host()
    key = Secret(classified.value)
    import asyncio

    user, listed = asyncio.run(_whose(context, host, key))
    from phguide.core.accounts import local_key_id

    saved = context.accounts.save(
        host,
        user.email,
        key,
        key_id=listed.id if listed is not None else local_key_id("login-with-token"),
        label=listed.label if listed is not None else "",
        source="login-with-token",
        make_active=True,
    )
    if not saved.verified:
        raise CliError(saved.result.message, saved.result.fix)
    label = f"“{listed.label}” " if listed is not None and listed.label else ""
    io.out(
        f"Saved the personal API key {label}({key.masked}) of {user.email} for {host.label} in "
        f"your keyring (read back); it is the active key there."
    )
    if saved.note:
        io.err(f"phguide: {saved.note}")
    return EXIT_OK


async def _whose(context: Context, host: Host, key: Secret) -> tuple[User, PersonalApiKey | None]:
    """The key's user, and the key as PostHog lists it (None when it cannot say)."""
    from phguide.api.errors import PermissionDenied, PostHogError

    async with context.client_factory(host, key) as client:
        try:
            user = await client.me()
        except PermissionDenied:
            raise CliError(
                "This key cannot read its own user (it lacks the user:read scope), so phguide "
                "cannot tell whose it is.",
                "Use a key with user:read, or run phguide and paste it there.",
                EXIT_FAILED,
            ) from None
        try:
            listed = await client.current_key()
        except PostHogError:
            listed = None
    return user, listed
