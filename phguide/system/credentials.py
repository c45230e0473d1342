"""The secret store: personal keys and sign-in cookies in the OS keyring, with timeouts."""

from __future__ import annotations

# json is imported where it is used: the app builds these objects before its first frame,
# and reads or writes nothing until after it.
import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TypeVar

from phguide.core.secret import Secret
from phguide.system._keyring_words import (
    Operation,
    StoreState,
    classify,
    describe,
    fix_for,
    friendly_name,
    message_for,
    unusable,
)
from phguide.system._timeout import TimedOut, run_with_timeout
from phguide.system.config import LEGACY_KEY_ID, host_id

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "DEFAULT_TIMEOUT",
    "SERVICE",
    "KeyringStore",
    "MemoryStore",
    "SecretStore",
    "StoreResult",
    "StoreState",
    "entry_name",
]


SERVICE: Final = "phguide"
"""The keyring service name every phguide entry lives under."""

DEFAULT_TIMEOUT: Final = 3.0
"""Seconds a keyring call may take before phguide stops waiting for it."""

_T = TypeVar("_T")


@dataclass(frozen=True)
class StoreResult:
    """The outcome of one secret-store call, in words the interface can show as they are."""

    state: StoreState
    """`ok`, or the reason the call did not do its job."""
    message: str
    """What happened, as one sentence (never contains a secret)."""
    fix: str = ""
    """What the user can do about it; empty when the call worked."""

    @property
    def ok(self) -> bool:
        """True when the call did what was asked."""
        return self.state == "ok"


class SecretStore(Protocol):
    """Where phguide keeps secrets: what the app and the subcommands depend on.

    Every method is synchronous and may block for up to the store's timeout, so the
    interface calls them from thread workers. None of them raises: failures come back
    as a `StoreResult` whose `state` says what went wrong.
    """

    @property
    def name(self) -> str:
        """A human name for the store, such as "Secret Service" or "memory"."""
        ...

    def save_key(self, app_url: str, user: str, key_id: str, key: Secret) -> StoreResult:
        """Store one personal API key, replacing only the entry of the same key id.

        The value is read back and compared: `ok` means it is really there.
        """
        ...

    def load_key(self, app_url: str, user: str, key_id: str) -> tuple[Secret | None, StoreResult]:
        """Read one personal API key; None (and ok) when it is not stored."""
        ...

    def delete_key(self, app_url: str, user: str, key_id: str) -> StoreResult:
        """Remove one personal API key; ok when there was none."""
        ...

    def save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> StoreResult:
        """Store a user's sign-in cookies (`remember-cookie_*`) for a host, replacing any."""
        ...

    def load_cookies(self, app_url: str, user: str) -> tuple[dict[str, Secret], StoreResult]:
        """Read a user's sign-in cookies for a host; empty (and ok) when none are stored."""
        ...

    def forget_host(self, app_url: str) -> StoreResult:
        """Log out of a host: remove every key and the cookies of every user stored for it."""
        ...


def _where(app_url: str, user: str) -> str:
    return f"{user} on {host_id(app_url)}"


def entry_name(
    app_url: str,
    user: str | None = None,
    kind: Literal["personal_api_key", "cookies", "users", "keys"] = "personal_api_key",
    key_id: str = LEGACY_KEY_ID,
) -> str:
    """The keyring user name of one phguide entry (the service is always `SERVICE`).

    Entries are ``{app_url}|{user}|personal_api_key|{key_id}`` (one a key, so two keys
    never overwrite each other), ``{app_url}|{user}|cookies`` (a JSON object of cookie
    name to value), and two per-host indexes, because keyrings cannot list their entries
    and `SecretStore.forget_host` must find them all: ``{app_url}|users`` (a JSON list of
    users) and ``{app_url}|keys`` (a JSON list of ``[user, key_id]``). The key that phguide
    kept before 2026-11 (`LEGACY_KEY_ID`) is ``{app_url}|{user}|personal_api_key``.

    Args:
        app_url: The host's app URL; a trailing slash is ignored.
        user: The user's email; None for the per-host indexes.
        kind: Which entry.
        key_id: The key's id, for a ``personal_api_key`` entry.

    Returns:
        The name to pass to keyring as its ``username``.
    """
    host = host_id(app_url)
    if kind in ("users", "keys"):
        return f"{host}|{kind}"
    if kind == "personal_api_key" and key_id != LEGACY_KEY_ID:
        return f"{host}|{user}|{kind}|{key_id}"
    return f"{host}|{user}|{kind}"


class _Unusable(Exception):
    """The backend cannot store secrets; raised inside the worker, mapped to no-backend."""


class KeyringStore:
    """Secrets in the OS keyring (Secret Service, KWallet, macOS Keychain, Windows) via `keyring`.

    Entries live under service ``phguide``; see `entry_name` for their names. Every call
    runs in a daemon thread and is abandoned after `timeout` seconds. Nothing raises:
    each method returns a `StoreResult`. Nothing is ever written to a plain file.
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        service: str = SERVICE,
    ) -> None:
        """Create a store.

        Args:
            backend: A keyring backend to use; by default keyring's own choice, looked up
                on first use (the lookup costs about 125 ms, so it is not done here).
            timeout: Seconds each call may take.
            service: The keyring service name (tests use their own).
        """
        self._backend = backend
        self._lock = threading.Lock()
        self.timeout = timeout
        """Seconds each call may take before it is reported as `timeout`."""
        self.service = service
        """The keyring service name of every entry."""

    @property
    def name(self) -> str:
        """The backend's name once it is known, else "system keyring"."""
        backend = self._backend
        return friendly_name(backend) if backend is not None else "system keyring"

    def _resolve(self) -> KeyringBackend:
        # Runs in the worker thread: keyring's lookup talks to D-Bus and can hang too.
        # The lock keeps two workers from looking it up twice.
        with self._lock:
            if self._backend is None:
                import keyring

                self._backend = keyring.get_keyring()
            backend = self._backend
        reason = unusable(backend)
        if reason is not None:
            raise _Unusable(reason)
        return backend

    def _run(
        self,
        operation: Operation,
        call: Callable[[KeyringBackend], _T],
        secrets: Iterable[str] = (),
    ) -> tuple[_T | None, StoreResult | None]:
        """Run `call(backend)` with the timeout; return its value, or a failed result."""
        try:
            value = run_with_timeout(
                lambda: call(self._resolve()), self.timeout, f"phguide-keyring-{operation}"
            )
        except TimedOut:
            state: StoreState = "timeout"
            detail = ""
        except _Unusable as error:
            state, detail = "no-backend", str(error)
        except Exception as error:
            state, detail = classify(error), describe(error, secrets)
        else:
            return value, None
        return None, StoreResult(
            state,
            message_for(state, operation, self.name, detail, self.timeout),
            fix_for(state, operation),
        )

    # -- the protocol ------------------------------------------------------------------------

    def save_key(self, app_url: str, user: str, key_id: str, key: Secret) -> StoreResult:
        """Store the key, then read it back: a backend that drops writes must not lose it."""
        name = entry_name(app_url, user, "personal_api_key", key_id)
        plain = key.reveal()

        def save(backend: KeyringBackend) -> bool:
            # The indexes first: an entry they miss could never be forgotten.
            self._add_user(backend, app_url, user)
            self._change_keys(backend, app_url, add=(user, key_id))
            backend.set_password(self.service, name, plain)
            return backend.get_password(self.service, name) == plain

        kept, failure = self._run("save", save, secrets=(plain,))
        if failure is not None:
            return failure
        if not kept:
            return StoreResult(
                "error",
                f"{self.name} accepted the key but did not give it back.",
                fix_for("error", "save"),
            )
        return StoreResult("ok", f"Saved the key for {_where(app_url, user)} in {self.name}.")

    def load_key(self, app_url: str, user: str, key_id: str) -> tuple[Secret | None, StoreResult]:
        """Read the key; None with an ok result when nothing is stored."""
        name = entry_name(app_url, user, "personal_api_key", key_id)
        value, failure = self._run("load", lambda backend: backend.get_password(self.service, name))
        if failure is not None:
            return None, failure
        if not value:
            return None, StoreResult("ok", f"No key is stored for {_where(app_url, user)}.")
        return Secret(value), StoreResult("ok", f"Read the key for {user} from {self.name}.")

    def delete_key(self, app_url: str, user: str, key_id: str) -> StoreResult:
        """Remove the key; ok when there was none."""
        name = entry_name(app_url, user, "personal_api_key", key_id)

        def delete(backend: KeyringBackend) -> None:
            self._delete(backend, name)
            self._change_keys(backend, app_url, remove=(user, key_id))

        _, failure = self._run("delete", delete)
        if failure is not None:
            return failure
        return StoreResult("ok", f"Removed the key for {_where(app_url, user)}.")

    def save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> StoreResult:
        """Store the cookies as one JSON entry (replacing earlier ones)."""
        import json

        name = entry_name(app_url, user, "cookies")
        plain = {cookie: value.reveal() for cookie, value in cookies.items()}
        text = json.dumps(plain, sort_keys=True)

        def save(backend: KeyringBackend) -> None:
            self._add_user(backend, app_url, user)
            backend.set_password(self.service, name, text)

        _, failure = self._run("save", save, secrets=(text, *plain.values()))
        if failure is not None:
            return failure
        return StoreResult("ok", f"Saved the sign-in for {_where(app_url, user)}.")

    def load_cookies(self, app_url: str, user: str) -> tuple[dict[str, Secret], StoreResult]:
        """Read the cookies; empty (and ok) when none are stored or the entry is unreadable."""
        name = entry_name(app_url, user, "cookies")
        text, failure = self._run("load", lambda backend: backend.get_password(self.service, name))
        if failure is not None:
            return {}, failure
        found = _parse_cookies(text)
        if not found:
            return {}, StoreResult("ok", f"No sign-in is stored for {_where(app_url, user)}.")
        return found, StoreResult("ok", f"Read the sign-in for {user} from {self.name}.")

    def forget_host(self, app_url: str) -> StoreResult:
        """Remove every entry the host's indexes name, then the indexes."""

        def forget(backend: KeyringBackend) -> int:
            users = self._users(backend, app_url)
            keys = self._keys(backend, app_url)
            for user in users:
                self._delete(backend, entry_name(app_url, user, "personal_api_key"))
                self._delete(backend, entry_name(app_url, user, "cookies"))
            for user, key_id in keys:
                self._delete(backend, entry_name(app_url, user, "personal_api_key", key_id))
            self._delete(backend, entry_name(app_url, kind="keys"))
            self._delete(backend, entry_name(app_url, kind="users"))
            return len(users)

        count, failure = self._run("forget", forget)
        if failure is not None:
            return failure
        return _forgot(app_url, count or 0)

    # -- helpers (run inside the worker thread) ---------------------------------------------

    def _delete(self, backend: KeyringBackend, name: str) -> None:
        from keyring.errors import PasswordDeleteError

        # Every backend raises this for a missing entry; deleting is idempotent here.
        with contextlib.suppress(PasswordDeleteError):
            backend.delete_password(self.service, name)

    def _index(self, backend: KeyringBackend, name: str) -> list[Any]:
        import json

        text = backend.get_password(self.service, name)
        try:
            items = json.loads(text) if text else []
        except ValueError:
            return []
        return items if isinstance(items, list) else []

    def _users(self, backend: KeyringBackend, app_url: str) -> list[str]:
        users = self._index(backend, entry_name(app_url, kind="users"))
        return [u for u in users if isinstance(u, str)]

    def _keys(self, backend: KeyringBackend, app_url: str) -> list[tuple[str, str]]:
        items = self._index(backend, entry_name(app_url, kind="keys"))
        return [
            (item[0], item[1])
            for item in items
            if isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
        ]

    def _add_user(self, backend: KeyringBackend, app_url: str, user: str) -> None:
        import json

        users = self._users(backend, app_url)
        if user not in users:
            users.append(user)
            backend.set_password(self.service, entry_name(app_url, kind="users"), json.dumps(users))

    def _change_keys(
        self,
        backend: KeyringBackend,
        app_url: str,
        *,
        add: tuple[str, str] | None = None,
        remove: tuple[str, str] | None = None,
    ) -> None:
        import json

        keys = self._keys(backend, app_url)
        changed = [k for k in keys if k != remove] + ([add] if add and add not in keys else [])
        if changed != keys:
            backend.set_password(
                self.service, entry_name(app_url, kind="keys"), json.dumps(changed)
            )


def _parse_cookies(text: str | None) -> dict[str, Secret]:
    import json

    if not text:
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): Secret(v) for k, v in raw.items() if isinstance(v, str)}


# -- the in-memory store ---------------------------------------------------------------------


class MemoryStore:
    """The same protocol in memory, for tests and `phguide --demo`.

    Set `failure` to make every call fail the way a real keyring can.
    """

    def __init__(self, name: str = "memory", *, failure: StoreResult | None = None) -> None:
        """Create an empty store.

        Args:
            name: The name the interface shows.
            failure: When set, every call returns this result and stores nothing.
        """
        self._name = name
        self.failure = failure
        """A result every call returns instead of working (None: calls work)."""
        self._keys: dict[tuple[str, str, str], Secret] = {}
        self._cookies: dict[tuple[str, str], dict[str, Secret]] = {}

    @property
    def name(self) -> str:
        """The name given at creation."""
        return self._name

    def save_key(self, app_url: str, user: str, key_id: str, key: Secret) -> StoreResult:
        """Keep the key in memory."""
        if self.failure:
            return self.failure
        self._keys[(host_id(app_url), user, key_id)] = key
        return StoreResult("ok", f"Saved the key for {_where(app_url, user)} in {self._name}.")

    def load_key(self, app_url: str, user: str, key_id: str) -> tuple[Secret | None, StoreResult]:
        """The key kept under this id for the host and user, if any."""
        if self.failure:
            return None, self.failure
        key = self._keys.get((host_id(app_url), user, key_id))
        if key is None:
            return None, StoreResult("ok", f"No key is stored for {_where(app_url, user)}.")
        return key, StoreResult("ok", f"Read the key for {user} from {self._name}.")

    def delete_key(self, app_url: str, user: str, key_id: str) -> StoreResult:
        """Forget the key, if any."""
        if self.failure:
            return self.failure
        self._keys.pop((host_id(app_url), user, key_id), None)
        return StoreResult("ok", f"Removed the key for {_where(app_url, user)}.")

    def save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> StoreResult:
        """Keep a copy of the cookies in memory."""
        if self.failure:
            return self.failure
        self._cookies[(host_id(app_url), user)] = dict(cookies)
        return StoreResult("ok", f"Saved the sign-in for {_where(app_url, user)}.")

    def load_cookies(self, app_url: str, user: str) -> tuple[dict[str, Secret], StoreResult]:
        """A copy of the cookies kept for the host and user, possibly empty."""
        if self.failure:
            return {}, self.failure
        found = self._cookies.get((host_id(app_url), user))
        if not found:
            return {}, StoreResult("ok", f"No sign-in is stored for {_where(app_url, user)}.")
        return dict(found), StoreResult("ok", f"Read the sign-in for {user} from {self._name}.")

    def forget_host(self, app_url: str) -> StoreResult:
        """Forget every key and cookie of the host."""
        if self.failure:
            return self.failure
        host = host_id(app_url)
        users = {key[1] for key in (*self._keys, *self._cookies) if key[0] == host}
        self._keys = {key: value for key, value in self._keys.items() if key[0] != host}
        self._cookies = {key: value for key, value in self._cookies.items() if key[0] != host}
        return _forgot(app_url, len(users))


def _forgot(app_url: str, users: int) -> StoreResult:
    who = "1 user" if users == 1 else f"{users} users"
    return StoreResult("ok", f"Removed the stored secrets of {who} on {host_id(app_url)}.")
