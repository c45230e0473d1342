"""The keys phguide holds: one keyring entry per key, an index in the settings, one active per host.

The keyring keeps the values (it cannot list them); the settings file keeps the index
(host, email, key id, label, mask, how phguide got it) and which key is *active* on each
host: the one `phguide token`, `phguide run` and the walkthrough use. Every call may block
for up to the keyring's timeout, so the interface calls them from thread workers; none
raises.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from phguide.core.secret import Secret
from phguide.system.config import (
    Config,
    ConfigError,
    HeldKey,
    KeySource,
    MemorySettings,
    ProjectMemo,
    Settings,
    SettingsFile,
    host_id,
)
from phguide.system.credentials import StoreResult

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from phguide.core.hosts import Host
    from phguide.system.credentials import SecretStore

__all__ = ["Accounts", "HeldKey", "KeySource", "SaveResult", "local_key_id"]


def local_key_id(source: KeySource) -> str:
    """A key id for a key whose PostHog id phguide does not know (``pasted-1a2b…``).

    Random, not derived from the key: nothing about the secret goes into the settings file.
    """
    import uuid

    return f"{source}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class SaveResult:
    """What saving a key did: whether it is in the keyring (read back equal), and active."""

    result: StoreResult
    """The keyring's answer; `ok` only when the value was read back equal."""
    held: HeldKey | None
    """The key as now held; None when the keyring did not take it."""
    active: bool = False
    """Whether it is now the host's active key."""
    note: str = ""
    """A problem that did not lose the key (the settings file could not be written)."""

    @property
    def verified(self) -> bool:
        """True when the keyring holds the key and gave the same value back."""
        return self.result.ok


def _host(host: Host | str) -> str:
    return host_id(host if isinstance(host, str) else host.app_url)


class Accounts:
    """Every personal API key phguide holds, on every host, and which one is active where."""

    def __init__(self, store: SecretStore, settings: Settings) -> None:
        """Hold keys in `store`, indexed in `settings`."""
        self.store = store
        """Where the values live (the OS keyring, or memory)."""
        self.settings = settings
        """Where the index and the active keys are recorded."""
        # Workers may save and forget at once: each read-change-write of the index is whole.
        self._lock = threading.Lock()

    @classmethod
    def on_disk(cls, store: SecretStore, path: Path | None = None) -> Accounts:
        """Accounts indexed in the settings file (`path`, else the usual place)."""
        return cls(store, SettingsFile(path))

    @classmethod
    def in_memory(cls, store: SecretStore) -> Accounts:
        """Accounts indexed in memory only (the demo, whose hosts vanish when it exits)."""
        return cls(store, MemorySettings())

    # -- reading: the index only, no keyring call ------------------------------------------

    def held(self, host: Host | str | None = None) -> list[HeldKey]:
        """The keys held for a host (every host when None), oldest first."""
        return self.settings.load().held(None if host is None else _host(host))

    def active(self, host: Host | str) -> HeldKey | None:
        """The host's active key, if phguide holds one there."""
        return self.settings.load().active_key(_host(host))

    def last_host(self) -> str | None:
        """The app URL of the host phguide saved a key for last."""
        return self.settings.load().last_host

    # -- the keyring ----------------------------------------------------------------------

    def read(self, held: HeldKey) -> tuple[Secret | None, StoreResult]:
        """The value of a held key (None with the reason when the keyring cannot give it).

        A key saved before the mask was recorded gets its mask noted on the first read.
        """
        key, result = self.store.load_key(held.host, held.email, held.key_id)
        if key is not None and not held.mask:
            self._update(lambda config: config.with_key(_masked(held, key), make_active=False))
        return key, result

    def save(
        self,
        host: Host | str,
        email: str,
        secret: Secret,
        *,
        key_id: str,
        label: str = "",
        source: KeySource,
        make_active: bool,
    ) -> SaveResult:
        """Save a key in its own keyring entry, read it back, and record it in the index.

        Args:
            host: The host (or its app URL) the key belongs to.
            email: Whose key it is.
            secret: The key.
            key_id: PostHog's id of the key, else `local_key_id(source)`.
            label: The key's label in PostHog, when known.
            source: How phguide came to hold it.
            make_active: Make it the host's active key even when another is (ask the user
                first: see `active`). The first key of a host is always made active.
        """
        url = _host(host)
        result = self.store.save_key(url, email, key_id, secret)
        if not result.ok:
            return SaveResult(result, None)
        held = HeldKey(url, email, key_id, label, secret.masked, source)
        note = self._update(lambda config: config.with_key(held, make_active=make_active))
        active = self.active(url)
        return SaveResult(result, held, active is not None and active.key_id == key_id, note)

    def replace_value(self, host: Host | str, key_id: str, secret: Secret) -> StoreResult:
        """After a roll: the key's entry holds the new value (read back), the old one is gone.

        Returns an ok result saying nothing was held when phguide does not hold the key.
        """
        held = self.settings.load().find(_host(host), key_id)
        if held is None:
            return StoreResult("ok", "phguide held no copy of this key in the keyring.")
        result = self.store.save_key(held.host, held.email, key_id, secret)
        if result.ok:
            self._update(lambda config: config.with_key(_masked(held, secret), make_active=False))
            return StoreResult("ok", "Replaced the key in your keyring with the new value.")
        return result

    def remember_project(self, held: HeldKey, project: ProjectMemo | None) -> None:
        """Note the project key a held key's sign-in showed (a returning user sees it first);
        None forgets it (the sign-in showed none: the account has no current project now).

        A memo that cannot be written is only lost: the next sign-in shows the key anyway.
        """
        if held.project != project:
            self._update(lambda config: config.with_project(held.host, held.key_id, project))

    def forget(self, host: Host | str, key_id: str) -> StoreResult:
        """Remove one held key's entry (after it was deleted in PostHog, or on request).

        When it was the active key, the newest other key of the host becomes active.
        """
        held = self.settings.load().find(_host(host), key_id)
        if held is None:
            return StoreResult("ok", "phguide held no copy of this key in the keyring.")
        result = self.store.delete_key(held.host, held.email, key_id)
        if not result.ok:
            return result
        self._update(lambda config: config.without_key(held.host, key_id))
        message = "Removed the key from your keyring."
        now = self.active(held.host)
        if now is not None and held.key_id != now.key_id:
            message += f" The active key for {held.host} is now {_name(now)}."
        return StoreResult("ok", message)

    def forget_host(self, host: Host | str) -> StoreResult:
        """Log out: remove every key and sign-in phguide stored for the host."""
        url = _host(host)
        # The index's own entries first: a store with its own index may not know them all.
        for held in self.held(url):
            deleted = self.store.delete_key(url, held.email, held.key_id)
            if not deleted.ok:
                return deleted
        result = self.store.forget_host(url)
        if result.ok:
            self._update(lambda config: config.without_host(url))
        return result

    def set_active(self, host: Host | str, key_id: str) -> HeldKey:
        """Make a held key the host's active key.

        Raises:
            KeyError: phguide holds no key with this id for the host.
            ConfigError: The settings file could not be written.
        """
        url = _host(host)
        with self._lock:
            config = self.settings.load()
            self.settings.save(config.with_active(url, key_id))
        held = self.active(url)
        assert held is not None
        return held

    def _update(self, change: Callable[[Config], Config]) -> str:
        """Change the index; a failure to write it is returned as a note, never raised."""
        with self._lock:
            try:
                config = self.settings.load()
                self.settings.save(change(config))
            except ConfigError as error:
                return (
                    f"The key is in your keyring, but phguide could not note it in its "
                    f"settings ({error}), so `phguide status` will not list it."
                )
        return ""


def _masked(held: HeldKey, key: Secret) -> HeldKey:
    return replace(held, mask=key.masked)


def _name(held: HeldKey) -> str:
    label = f"“{held.label}” " if held.label else ""
    return f"{label}{held.mask or held.key_id} of {held.email}".strip()
