"""The dependencies the app and subcommands receive, built in one place (`factory.py`)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from phguide.core.hosts import Clouds, Host
from phguide.core.secret import Secret

if TYPE_CHECKING:
    from pathlib import Path

    from phguide.api.client import PostHogClient
    from phguide.core.accounts import Accounts, KeySource
    from phguide.system.clipboard import Clipboard
    from phguide.system.credentials import SecretStore, StoreResult


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in shown on the log-in screen of `phguide --demo`."""

    email: str
    password: str
    note: str
    """What this account shows (for example "asks for an authenticator code")."""


@dataclass
class DemoInfo:
    """What the app shows and can do when it runs against the embedded demo server."""

    accounts: list[DemoAccount]
    code_hint: Callable[[str], str | None] = lambda email: None
    """The current second-factor code for a demo email (TOTP or emailed), to show on screen."""
    approve_device: Callable[[str], None] | None = None
    """Approve a device-flow code as `approve_as` (the demo's stand-in for the browser)."""
    approve_as: str = ""
    """The demo account the stand-in browser is signed in as: the one last picked on the
    log-in screen (an SSO account approves as itself), else the main demo user."""


def default_client_factory(host: Host, personal_key: Secret | None) -> PostHogClient:
    """A client of a host, with a personal key or none (a session comes from logging in)."""
    from phguide.api.client import PostHogClient

    return PostHogClient(host, personal_key=personal_key)


def _default_login_client_factory(host: Host, remember_cookies: dict[str, Secret]) -> PostHogClient:
    from phguide.api.client import PostHogClient

    return PostHogClient(host, remember_cookies=remember_cookies or None)


@dataclass
class Services:
    """Everything the app depends on; tests build it with the demo server and fakes."""

    store: SecretStore
    clipboard: Clipboard
    clouds: Clouds = field(default_factory=Clouds)
    host: Host | None = None
    """The host chosen on the command line or by `POSTHOG_HOST`, preselected on log-in."""
    env_key: Secret | None = None
    """The personal key the environment sets (`POSTHOG_PERSONAL_API_KEY` or a PostHog CLI one)."""
    env_key_variable: str = "POSTHOG_PERSONAL_API_KEY"
    """The variable `env_key` came from, to name it on screen."""
    env_key_note: str = ""
    """Which variable won, when several key variables are set (empty otherwise)."""
    env_host_set: bool = False
    """True when the host came from `POSTHOG_HOST`."""
    client_factory: Callable[[Host, Secret | None], PostHogClient] = default_client_factory
    login_client_factory: Callable[[Host, dict[str, Secret]], PostHogClient] = (
        _default_login_client_factory
    )
    """Builds the client of a password login, given `remember-cookie_*` cookies from the keyring."""
    open_url: Callable[[str], bool] = field(default=lambda url: False)
    """Opens a page in the browser where there is one; returns whether it did."""
    demo: DemoInfo | None = None
    config_path: Path | None = None
    """phguide's settings file (the keys held per host, the active one); the usual place
    by default."""
    remember_users: bool = True
    """Index the held keys in the settings file, so `phguide status` and `phguide token`
    find them. Off in the demo (the index stays in memory: its hosts vanish when it exits)."""
    on_exit: list[Callable[[], None]] = field(default_factory=list)
    """Called when the app closes (stop the demo server, clear the clipboard)."""

    @property
    def store_note(self) -> str:
        """A sentence for wherever saved keys are said to be, when they do not last (the demo)."""
        if self.demo is None:
            return ""
        return "The demo keeps keys in memory and forgets them when it exits."

    def close(self) -> None:
        """Run the exit callbacks once each; a failing one never stops the others."""
        while self.on_exit:
            callback = self.on_exit.pop(0)
            with contextlib.suppress(Exception):  # exiting: no traceback for a clean-up
                callback()

    @functools.cached_property
    def accounts(self) -> Accounts:
        """The keys held in `store`, indexed in the settings file (in memory for the demo)."""
        from phguide.core.accounts import Accounts

        if self.remember_users:
            return Accounts.on_disk(self.store, self.config_path)
        return Accounts.in_memory(self.store)

    def save_personal_key(
        self,
        host: Host,
        user: str,
        key: Secret,
        *,
        label: str = "",
        source: KeySource = "pasted",
        key_id: str | None = None,
    ) -> StoreResult:
        """Save a personal key in its own keyring entry, as the host's active key.

        Blocking (the keyring can hang up to its timeout): call it from a thread worker.
        """
        from phguide.core.accounts import local_key_id

        saved = self.accounts.save(
            host,
            user,
            key,
            key_id=key_id or local_key_id(source),
            label=label,
            source=source,
            make_active=True,
        )
        return saved.result
