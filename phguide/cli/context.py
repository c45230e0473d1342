"""What every subcommand works with: the command line, the host, the held keys, the key in use.

Plain classes, no dataclasses or typing at run time: `check` builds a `Context` before it
knows whether it needs anything more than the text it was given, and those two cost it more
than a third of its start.
"""

from __future__ import annotations

from phguide.cli.output import EXIT_NO_KEY, EXIT_USAGE, CliError, Io
from phguide.core.variables import KEY_VARIABLES

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import Any, Final, Literal, TypeAlias

    from phguide.api.client import PostHogClient
    from phguide.core.accounts import Accounts, HeldKey
    from phguide.core.hosts import Clouds, Host
    from phguide.core.secret import Secret
    from phguide.system.credentials import SecretStore

    ClientFactory: TypeAlias = Callable[[Host, Secret | None], PostHogClient]
    """Builds an API client for a host, with or without a personal key."""

__all__ = ["SIGN_IN_FIX", "ClientFactory", "Context", "KeyInUse", "host_dict"]

SIGN_IN_FIX: Final = (
    "Run phguide to sign in and save a key, pipe one to phguide login --with-token, or set "
    f"{KEY_VARIABLES[0]} to a personal API key."
)


class Context:
    """One subcommand's run: its arguments, where it prints, and what it may use.

    What costs time to import (the hosts, the keyring, the settings) is looked up on first use,
    so a subcommand that needs none of it (`completion`, `check` given no key) starts fast.
    """

    __slots__ = (
        "accounts_given",
        "args",
        "client_factory",
        "clouds_given",
        "config_path",
        "environ",
        "io",
        "notes",
        "store_given",
    )

    def __init__(
        self,
        *,
        args: argparse.Namespace,
        io: Io,
        client_factory: ClientFactory,
        environ: Mapping[str, str],
        config_path: Path | None = None,
        clouds_given: Clouds | None = None,
        store_given: SecretStore | None = None,
        accounts_given: Accounts | None = None,
    ) -> None:
        self.args = args
        self.io = io
        self.client_factory = client_factory
        self.environ = environ
        self.config_path = config_path
        self.clouds_given = clouds_given
        self.store_given = store_given
        self.accounts_given = accounts_given
        self.notes: list[str] = []
        """Which variable won, said once on standard error."""

    @property
    def clouds(self) -> Clouds:
        """The cloud regions (`us` and `eu` mean these)."""
        if self.clouds_given is None:
            from phguide.core.hosts import Clouds

            self.clouds_given = Clouds()
        return self.clouds_given

    @property
    def store(self) -> SecretStore:
        """The keyring (looked up on first use: keyring costs time to import)."""
        if self.store_given is None:
            from phguide.system.credentials import KeyringStore

            self.store_given = KeyringStore()
        return self.store_given

    @property
    def accounts(self) -> Accounts:
        """The keys phguide holds, indexed in the settings file."""
        if self.accounts_given is None:
            from phguide.core.accounts import Accounts

            self.accounts_given = Accounts.on_disk(self.store, self.config_path)
        return self.accounts_given

    def host(self) -> tuple[Host, str]:
        """The PostHog to use and where that came from (see `choose_host`)."""
        from phguide.core.hosts import HostError
        from phguide.core.sources import choose_host

        try:
            choice = choose_host(
                getattr(self.args, "host", None),
                self.clouds,
                environ=self.environ,
                last_host=self.accounts.last_host(),
            )
        except HostError as error:
            raise CliError(str(error), status=EXIT_USAGE) from None
        self._note(choice.note)
        assert choice.host is not None
        return choice.host, choice.source

    def host_of(self, app_url: str) -> Host:
        """The host a held key belongs to, as the clouds know it."""
        from phguide.core.hosts import Host, HostError, parse_host
        from phguide.core.sources import as_cloud

        try:
            return as_cloud(parse_host(app_url, self.clouds), self.clouds)
        except HostError:
            return Host("self-hosted", app_url, app_url)

    def key_for(self, host: Host) -> tuple[KeyInUse | None, str | None]:
        """The personal key to use for a host, and why there is none when there is none."""
        from phguide.core.sources import environment_key

        found = environment_key(self.environ)
        if found is not None:
            self._note(found.note)
            return KeyInUse(found.value, "environment", variable=found.variable), None
        held = self.accounts.active(host)
        if held is None:
            return None, (
                f"No {KEY_VARIABLES[0]} in the environment, and phguide holds no key for "
                f"{host.label}."
            )
        key, result = self.accounts.read(held)
        if not result.ok:
            return None, f"{result.message} {result.fix}".strip()
        if key is None:
            return None, f"The keyring holds no key for {held.email} on {host.label}."
        return KeyInUse(key, "keyring", held, self.store.name), None

    def require_key(self, host: Host) -> KeyInUse:
        """The personal key to use for a host.

        Raises:
            CliError: There is none (exit 4, not signed in), with the reason and the fix.
        """
        found, why_none = self.key_for(host)
        if found is None:
            message = f"No personal API key for {host.label}. {why_none}"
            raise CliError(message, SIGN_IN_FIX, EXIT_NO_KEY)
        return found

    def _note(self, note: str) -> None:
        if note and note not in self.notes:
            self.notes.append(note)
            self.io.err(f"phguide: {note}")


class KeyInUse:
    """The personal key a subcommand uses, and where it came from (read-only)."""

    __slots__ = ("held", "key", "source", "store_name", "variable")

    def __init__(
        self,
        key: Secret,
        source: Literal["environment", "keyring"],
        held: HeldKey | None = None,
        store_name: str | None = None,
        *,
        variable: str = "",
    ) -> None:
        self.key: Final = key
        self.source: Final = source
        self.held: Final = held
        self.store_name: Final = store_name
        self.variable: Final = variable

    @property
    def user(self) -> str | None:
        """Whose key it is, when phguide holds it."""
        return None if self.held is None else self.held.email

    def describe(self) -> str:
        """Where the key came from, in words."""
        if self.source == "environment":
            return f"{self.variable} from the environment (overrides the keyring)"
        held = self.held
        label = f" “{held.label}”" if held is not None and held.label else ""
        who = f" for {self.user}" if self.user else ""
        return f"the keyring ({self.store_name}){who}{label}"

    def as_dict(self) -> dict[str, Any]:
        """For `--json`."""
        return {
            "source": self.source,
            "variable": self.variable or None,
            "mask": self.key.masked,
            "user": self.user,
            "store": self.store_name,
        }


def host_dict(host: Host) -> dict[str, str]:
    """A host for `--json`."""
    return {
        "label": host.label,
        "region": host.region,
        "app_url": host.app_url,
        "ingest_url": host.ingest_url,
    }
