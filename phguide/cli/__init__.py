"""Scriptable subcommands: `status`, `keys`, `check` and `logout` (no Textual on this path).

httpx loads only when a subcommand actually talks to PostHog, so `--help` answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TextIO

from phguide.core.environment import HOST_VARIABLE, KEY_VARIABLE, read_environment
from phguide.core.hosts import Clouds, Host, HostError, parse_host
from phguide.core.secret import Secret

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import Project
    from phguide.core.accounts import Accounts
    from phguide.core.diagnose import Diagnosis
    from phguide.system.config import Config
    from phguide.system.credentials import SecretStore

__all__ = ["add_subcommands", "run_subcommand"]

ClientFactory = Callable[[Host, Secret | None], "PostHogClient"]
HostSource = Literal["--host", "POSTHOG_HOST", "last used", "default"]

MAX_STDIN: Final = 10_000
"""The most characters `check` reads: a key is short, a mistaken file is not."""
MAX_LINE: Final = 100_000
"""The longest line phguide prints (server fields are already bounded where they are parsed)."""
EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130

_HOST_HELP: Final = (
    f"us, eu, or your self-hosted PostHog's URL (default: ${HOST_VARIABLE}, else the last one "
    "used, else us)"
)


def add_subcommands(sub: Any) -> None:
    """Register the subcommands on an argparse sub-parser collection."""

    def command(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, help=help_text, description=description
        )
        # SUPPRESS: without it the sub-parser's default would overwrite a --host given before
        # the subcommand name (the main parser has --host too).
        parser.add_argument("--host", metavar="HOST", default=argparse.SUPPRESS, help=_HOST_HELP)
        return parser

    status = command(
        "status",
        "who you are signed in as, where, with which key, and whether it works",
        f"Show the PostHog in use, the personal API key phguide would use ({KEY_VARIABLE} or "
        "the keyring) and whether it still works. Exit status 1 when there is no working key.",
    )
    status.add_argument("--json", action="store_true", help="print JSON")

    keys = command(
        "keys",
        "list the project API keys your personal key can see",
        "List the project API key of every project of every organisation the personal API key "
        f"({KEY_VARIABLE} or the keyring) can see.",
    )
    keys.add_argument("--json", action="store_true", help="print a JSON array")
    keys.add_argument("--org", metavar="NAME", help="only this organisation (name or id)")
    keys.add_argument("--project", metavar="NAME", help="only this project (name or id)")

    check = command(
        "check",
        "read a key from standard input and say what it is and whether it works",
        "Read ONE key from standard input (never from the command line, where other users can "
        "see it), say what it is and check it live. Exit status 0 when it works, 1 when not. "
        "Example: pbpaste | phguide check",
    )
    check.add_argument("--json", action="store_true", help="print JSON")
    check.add_argument(
        "--for",
        dest="purpose",
        choices=("sdk", "api"),
        help="what the key is for: sdk (sending events, flags) or api (PostHog's private API)",
    )
    # Only to refuse a key given on the command line with a useful message.
    check.add_argument("key_argument", nargs="?", help=argparse.SUPPRESS)

    command(
        "logout",
        "forget the secrets stored for a host",
        "Remove the personal API key and sign-in cookies phguide stored in the keyring for a "
        "host. The keys themselves keep working until you delete them in PostHog.",
    )


class CliError(Exception):
    """A failure to report on stderr: what happened, what to do, and the exit status."""

    def __init__(self, message: str, fix: str = "", status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.status = status


@dataclass
class _Io:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO

    def out(self, text: str = "") -> None:
        print(printable(text), file=self.stdout)

    def err(self, text: str) -> None:
        print(printable(text), file=self.stderr)


def printable(text: str) -> str:
    """A block of output with every line cleaned: server text never drives the terminal.

    Only the line breaks phguide itself puts between lines survive; any other control
    character (an escape in an organisation's name, a carriage return) shows as an escape.
    """
    from phguide.core.text import clean

    return "\n".join(clean(line, limit=MAX_LINE) for line in text.split("\n"))


@dataclass
class _Context:
    args: argparse.Namespace
    io: _Io
    clouds: Clouds
    client_factory: ClientFactory
    environ: Mapping[str, str]
    config_path: Path | None
    _store: SecretStore | None

    @property
    def store(self) -> SecretStore:
        if self._store is None:
            from phguide.system.credentials import KeyringStore

            self._store = KeyringStore()
        return self._store

    @property
    def accounts(self) -> Accounts:
        from phguide.core.accounts import Accounts

        return Accounts.on_disk(self.store, self.config_path)

    def config(self) -> Config:
        from phguide.system.config import load_config

        return load_config(self.config_path)

    def host(self) -> tuple[Host, HostSource]:
        """The PostHog to use: --host, else POSTHOG_HOST, else the last used, else US Cloud."""
        given = getattr(self.args, "host", None)
        env_host = read_environment(self.environ).host
        candidates: list[tuple[str | None, HostSource]] = [
            (given, "--host"),
            (env_host, "POSTHOG_HOST"),
        ]
        for text, source in candidates:
            if text:
                try:
                    return self._parse(text), source
                except HostError as error:
                    raise CliError(f"{source}: {error}", status=EXIT_USAGE) from None
        last = self.config().last_host
        if last:
            with contextlib.suppress(HostError):
                return self._parse(last), "last used"
        return self.clouds.us, "default"

    def _parse(self, text: str) -> Host:
        host = parse_host(text, self.clouds)
        # A cloud's own URL (as saved in the settings) means that cloud, with its region.
        for cloud in (self.clouds.us, self.clouds.eu):
            if host.app_url == cloud.app_url:
                return cloud
        return host


@dataclass(frozen=True)
class _KeyInUse:
    key: Secret
    source: Literal["environment", "keyring"]
    user: str | None = None
    store_name: str | None = None

    def describe(self) -> str:
        if self.source == "environment":
            return f"{KEY_VARIABLE} from the environment (overrides the keyring)"
        who = f" for {self.user}" if self.user else ""
        return f"the keyring ({self.store_name}){who}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "mask": self.key.masked,
            "user": self.user,
            "store": self.store_name,
        }


def _find_key(context: _Context, host: Host) -> tuple[_KeyInUse | None, str | None]:
    """The personal key to use for a host, and why there is none when there is none."""
    env_key = read_environment(context.environ).personal_key
    if env_key is not None:
        return _KeyInUse(env_key, "environment"), None
    held = context.accounts.active(host)
    if held is None:
        return None, (
            f"No {KEY_VARIABLE} in the environment, and phguide has not saved a key for "
            f"{host.label}."
        )
    key, result = context.accounts.read(held)
    if not result.ok:
        return None, f"{result.message} {result.fix}".strip()
    if key is None:
        return None, f"The keyring holds no key for {held.email} on {host.label}."
    return _KeyInUse(key, "keyring", held.email, context.store.name), None


_SIGN_IN_FIX: Final = (
    f"Run phguide to sign in and save a key, or set {KEY_VARIABLE} to a personal API key."
)


def _host_dict(host: Host) -> dict[str, str]:
    return {
        "label": host.label,
        "region": host.region,
        "app_url": host.app_url,
        "ingest_url": host.ingest_url,
    }


# -- status ------------------------------------------------------------------------------------


def _status(context: _Context) -> int:
    host, host_source = context.host()
    found, why_none = _find_key(context, host)
    diagnosis: Diagnosis | None = None
    if found is not None:
        from phguide.core.diagnose import diagnose_key

        diagnosis = asyncio.run(
            diagnose_key(found.key.reveal(), host, context.clouds, context.client_factory)
        )
    works = (
        diagnosis is not None
        and diagnosis.valid is True
        and diagnosis.host is not None
        and diagnosis.host.app_url == host.app_url
    )
    io = context.io
    if context.args.json:
        data = {
            "host": _host_dict(host),
            "host_source": host_source,
            "key": found.as_dict() if found else None,
            "works": works,
            "reason": why_none,
            "diagnosis": diagnosis.as_dict() if diagnosis else None,
        }
        io.out(json.dumps(data, indent=2))
        return EXIT_OK if works else EXIT_FAILED
    source = {"default": "the default", "last used": "the last one used"}.get(
        host_source, host_source
    )
    io.out(f"PostHog:    {host.label} ({host.app_url}), from {source}")
    if found is None:
        io.out("Signed in:  no")
        io.out(f"            {why_none}")
        io.out(f"  Fix:      {_SIGN_IN_FIX}")
        return EXIT_FAILED
    io.out(f"Key from:   {found.describe()}")
    assert diagnosis is not None
    for line in diagnosis.to_lines(explain=False):
        io.out(line)
    return EXIT_OK if works else EXIT_FAILED


# -- keys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    organization: str
    organization_id: str
    project_id: int
    project: str
    api_token: str
    ingestion_host: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "project_id": self.project_id,
            "project": self.project,
            "api_token": self.api_token,
            "ingestion_host": self.ingestion_host,
        }


async def _list_projects(
    client: PostHogClient, host: Host
) -> tuple[list[_Row], list[tuple[str, str]]]:
    """Every project the key can see, and (what, reason) for what it cannot list."""
    from phguide.core.visibility import what_can_see

    seen = await what_can_see(client)
    rows: list[_Row] = []
    failed: list[tuple[str, str]] = [(f.what, f.reason) for f in seen.failures]
    for listing in seen.organizations:
        name = listing.organization.name
        if listing.error is not None:
            failed.append((name, listing.error))
        rows.extend(_row(listing.organization.id, name, p, host) for p in listing.projects)
    return rows, failed


def _row(organization_id: str, organization: str, project: Project, host: Host) -> _Row:
    return _Row(
        organization, organization_id, project.id, project.name, project.api_token, host.ingest_url
    )


def _matches(wanted: str | None, *values: str) -> bool:
    if not wanted:
        return True
    needle = wanted.strip().casefold()
    return any(needle == value.casefold() for value in values) or needle in values[0].casefold()


def _table(rows: list[_Row]) -> list[str]:
    headers = ("ORGANIZATION", "PROJECT", "ID", "PROJECT API KEY")
    cells = [(r.organization, r.project, str(r.project_id), r.api_token) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line(headers), *(line(c) for c in cells)]


def _keys(context: _Context) -> int:
    host, _ = context.host()
    found, why_none = _find_key(context, host)
    if found is None:
        raise CliError(f"No personal API key for {host.label}. {why_none}", _SIGN_IN_FIX)

    async def fetch() -> tuple[list[_Row], list[tuple[str, str]]]:
        async with context.client_factory(host, found.key) as client:
            return await _list_projects(client, host)

    rows, failed = asyncio.run(fetch())
    args, io = context.args, context.io
    rows = [
        r
        for r in rows
        if _matches(args.org, r.organization, r.organization_id)
        and _matches(args.project, r.project, str(r.project_id))
    ]
    for organization, reason in failed:
        if _matches(args.org, organization):
            io.err(f"phguide: {organization}: {reason}")
    if args.json:
        io.out(json.dumps([row.as_dict() for row in rows], indent=2))
    elif rows:
        for line in _table(rows):
            io.out(line)
        io.out()
        io.out(f"Ingestion host (api_host): {host.ingest_url}")
    if not rows:
        what = " matching the filters" if args.org or args.project else ""
        io.err(f"phguide: no project{what} that this key can see on {host.label}.")
        return EXIT_FAILED
    return EXIT_OK


# -- check -------------------------------------------------------------------------------------


def _read_key(io: _Io) -> str:
    if io.stdin.isatty():
        try:
            return getpass.getpass("Paste the key (it is not shown): ", stream=io.stderr)
        except EOFError:
            return ""
    text = io.stdin.read(MAX_STDIN + 1)
    if len(text) > MAX_STDIN:
        raise CliError(
            "That is far too long for a key.",
            "Give phguide check one key on standard input, for example: pbpaste | phguide check",
            EXIT_USAGE,
        )
    keys = [line for line in text.splitlines() if line.strip()[:4].lower().startswith("ph")]
    if len(keys) > 1:
        raise CliError(
            f"Standard input holds {len(keys)} keys; phguide check reads one.",
            "Check them one at a time.",
            EXIT_USAGE,
        )
    return text


def _check(context: _Context) -> int:
    args, io = context.args, context.io
    if args.key_argument is not None:
        raise CliError(
            "phguide check does not take the key on the command line: other users of this "
            "machine can see command lines, and your shell history keeps them.",
            "Pass it on standard input (pbpaste | phguide check, or phguide check < file), or "
            "run phguide check and paste it. If it was a personal API key, consider rolling it.",
            EXIT_USAGE,
        )
    text = _read_key(io)
    if not text.strip():
        raise CliError(
            "No key on standard input.",
            "pbpaste | phguide check, or phguide check and paste the key.",
            EXIT_USAGE,
        )
    host, _ = context.host()
    from phguide.core.diagnose import diagnose_key

    diagnosis = asyncio.run(
        diagnose_key(text, host, context.clouds, context.client_factory, purpose=args.purpose)
    )
    if args.json:
        io.out(diagnosis.to_json())
    else:
        for line in diagnosis.to_lines():
            io.out(line)
    return EXIT_OK if diagnosis.valid is True and not diagnosis.wrong_job else EXIT_FAILED


# -- logout ------------------------------------------------------------------------------------


def _logout(context: _Context) -> int:
    host, _ = context.host()
    io = context.io
    result = context.accounts.forget_host(host)
    if not result.ok:
        raise CliError(result.message, result.fix)
    io.out(
        f"Forgot the personal API key and sign-in cookies stored for {host.label} ({host.app_url})."
    )
    io.out(
        "The key itself still works: delete it in PostHog (Account settings → Personal API keys) "
        "if you no longer need it."
    )
    if read_environment(context.environ).personal_key is not None:
        io.out(f"{KEY_VARIABLE} is still set in this environment: unset it to stop using it.")
    return EXIT_OK


_COMMANDS: Final[dict[str, Callable[[_Context], int]]] = {
    "status": _status,
    "keys": _keys,
    "check": _check,
    "logout": _logout,
}


def run_subcommand(
    args: argparse.Namespace,
    *,
    store: SecretStore | None = None,
    clouds: Clouds | None = None,
    client_factory: ClientFactory | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one subcommand; returns its exit status. Never raises, never prints a traceback.

    Args:
        args: The parsed command line (`args.command` names the subcommand).
        store: Where keys are kept; the OS keyring by default.
        clouds: The cloud regions (tests point them at demo servers).
        client_factory: Builds API clients; PostHogClient by default.
        environ: The environment variables to honour; `os.environ` by default.
        config_path: phguide's settings file; the usual place by default.
        stdin: Where `check` reads the key from.
        stdout: Where results go.
        stderr: Where errors go.

    Returns:
        0 on success, 1 on failure, 2 on a usage error, 130 when interrupted.
    """
    io = _Io(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    if client_factory is None:
        from phguide.services import default_client_factory

        client_factory = default_client_factory
    context = _Context(
        args=args,
        io=io,
        clouds=clouds or Clouds(),
        client_factory=client_factory,
        environ=os.environ if environ is None else environ,
        config_path=config_path,
        _store=store,
    )
    try:
        return _COMMANDS[args.command](context)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout(io)
        return EXIT_FAILED
    except CliError as error:
        _report(io, error.message, error.fix)
        return error.status
    except Exception as error:
        from phguide.api.errors import PostHogError

        if isinstance(error, PostHogError):
            _report(io, error.message, error.fix)
        else:
            # A bug: say so plainly; a traceback would be noise to the user (and may hold data).
            _report(
                io,
                f"phguide {args.command} failed unexpectedly ({type(error).__name__}).",
                "Try again; if it keeps failing, please report it.",
            )
        return EXIT_FAILED


def _report(io: _Io, message: str, fix: str) -> None:
    with contextlib.suppress(OSError):
        io.err(f"phguide: {message}")
        if fix:
            io.err(f"  {fix}")


def _silence_stdout(io: _Io) -> None:
    """After a closed pipe (`phguide keys | head`), keep Python from complaining at exit."""
    if io.stdout is sys.stdout:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
