"""The secret store: personal keys and sign-in cookies in the OS keyring, with timeouts."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, Protocol, TypeVar

from phguide.core.secret import Secret, mask
from phguide.system._timeout import TimedOut, run_with_timeout

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

StoreState = Literal["ok", "no-backend", "locked", "timeout", "denied", "error"]
"""What happened to a keyring call: `ok`, or why the secret could not be stored or read."""

SERVICE: Final = "phguide"
"""The keyring service name every phguide entry lives under."""

DEFAULT_TIMEOUT: Final = 3.0
"""Seconds a keyring call may take before phguide stops waiting for it."""

_T = TypeVar("_T")
_Kind = Literal["personal_api_key", "cookies"]
_Operation = Literal["probe", "save", "load", "delete", "forget"]


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

    def probe(self) -> StoreResult:
        """Check that secrets can be stored and read (may show the OS unlock prompt)."""
        ...

    def save_key(self, app_url: str, user: str, key: Secret) -> StoreResult:
        """Store a user's personal API key for a host, replacing any earlier one."""
        ...

    def load_key(self, app_url: str, user: str) -> tuple[Secret | None, StoreResult]:
        """Read a user's personal API key for a host; None (and ok) when none is stored."""
        ...

    def delete_key(self, app_url: str, user: str) -> StoreResult:
        """Remove a user's personal API key for a host; ok when there was none."""
        ...

    def save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> StoreResult:
        """Store a user's sign-in cookies (`remember-cookie_*`) for a host, replacing any."""
        ...

    def load_cookies(self, app_url: str, user: str) -> tuple[dict[str, Secret], StoreResult]:
        """Read a user's sign-in cookies for a host; empty (and ok) when none are stored."""
        ...

    def forget_host(self, app_url: str) -> StoreResult:
        """Log out of a host: remove the key and cookies of every user stored for it."""
        ...


def _normalise(app_url: str) -> str:
    return app_url.strip().rstrip("/")


def _where(app_url: str, user: str) -> str:
    return f"{user} on {_normalise(app_url)}"


def entry_name(app_url: str, user: str | None, kind: _Kind | Literal["users"]) -> str:
    """The keyring user name of one phguide entry (the service is always `SERVICE`).

    Entries are ``{app_url}|{user}|personal_api_key`` (the key),
    ``{app_url}|{user}|cookies`` (a JSON object of cookie name to value) and
    ``{app_url}|users`` (a JSON list of the users stored for the host, so that
    `SecretStore.forget_host` can find them: keyrings cannot list their entries).

    Args:
        app_url: The host's app URL; a trailing slash is ignored.
        user: The user's email; None for the per-host ``users`` entry.
        kind: Which entry.

    Returns:
        The name to pass to keyring as its ``username``.
    """
    if kind == "users":
        return f"{_normalise(app_url)}|users"
    return f"{_normalise(app_url)}|{user}|{kind}"


# -- what each failure means and what to do --------------------------------------------------


def _no_backend_fix(operation: _Operation) -> str:
    if sys.platform.startswith("linux"):
        install = (
            "Install and unlock a Secret Service (for example `apt install gnome-keyring`, "
            "then log in to a desktop session or run `gnome-keyring-daemon --unlock`)"
        )
    else:
        install = "Make sure the system keychain or credential manager is available"
    if operation in ("load", "probe"):
        return f"{install}, or set POSTHOG_PERSONAL_API_KEY in your environment."
    return f"{install}, or set POSTHOG_PERSONAL_API_KEY in your environment. For now, copy the key."


def _fix(state: StoreState, operation: _Operation) -> str:
    advice = {
        "ok": "",
        "no-backend": _no_backend_fix(operation),
        "locked": "Unlock your keyring (log in to the desktop, or run `gnome-keyring-daemon "
        "--unlock`) and try again, or set POSTHOG_PERSONAL_API_KEY.",
        "timeout": "If a keyring prompt is open somewhere, answer it and try again; otherwise "
        "set POSTHOG_PERSONAL_API_KEY.",
        "denied": "Allow phguide when the keyring asks, and try again.",
        "error": "Try again, or set POSTHOG_PERSONAL_API_KEY in your environment.",
    }[state]
    # A key that is being saved may exist nowhere else: say so, whatever went wrong.
    if operation == "save" and state not in ("ok", "no-backend"):
        advice += " Copy the key now so you do not lose it."
    return advice


def _describe(error: BaseException, secrets: Iterable[str]) -> str:
    """A short description of an exception with any secret value in it masked."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    for value in secrets:
        # A misbehaving backend could echo the value it was given; never let it through.
        if value:
            text = text.replace(value, mask(value))
    return text if len(text) <= 200 else text[:197] + "..."


def _classify(error: BaseException) -> StoreState:
    """Map an exception from keyring, SecretStorage, jeepney or an OS API to a state."""
    names = {cls.__name__ for cls in type(error).__mro__}
    dbus_name = str(getattr(error, "name", "") or "")
    text = str(error).lower()
    if "NoKeyringError" in names or "SecretServiceNotAvailableException" in names:
        return "no-backend"
    if "PromptDismissedException" in names:
        return "denied"
    if "KeyringLocked" in names or "LockedException" in names:
        return "locked"
    # D-Bus errors from jeepney carry the error name, e.g. org.freedesktop.DBus.Error.NoReply.
    suffix = dbus_name.rpartition(".")[2]
    if suffix in ("AccessDenied", "NotAuthorized"):
        return "denied"
    if suffix == "IsLocked":
        return "locked"
    if suffix in ("ServiceUnknown", "NoServer", "NameHasNoOwner"):
        return "no-backend"
    if suffix in ("NoReply", "Timeout", "TimedOut"):
        return "timeout"
    # macOS: errSecAuthFailed (-25293), userCanceled (-128); Windows: ERROR_ACCESS_DENIED (5).
    if any(marker in text for marker in ("denied", "-25293", "-128", "cancel", "not allowed")):
        return "denied"
    return "error"


def _message(
    state: StoreState, operation: _Operation, store: str, detail: str, timeout: float
) -> str:
    what = {
        "probe": "check the keyring",
        "save": "save the key in the keyring",
        "load": "read from the keyring",
        "delete": "delete from the keyring",
        "forget": "remove phguide's entries from the keyring",
    }[operation]
    if state == "no-backend":
        return f"No keyring is available on this machine, so phguide cannot {what} ({detail})."
    if state == "locked":
        return f"The keyring ({store}) is locked, so phguide cannot {what}."
    if state == "timeout":
        maybe = " The key may or may not have been saved." if operation == "save" else ""
        return f"The keyring ({store}) did not answer within {timeout:g} s.{maybe}"
    if state == "denied":
        return f"The keyring ({store}) refused access, so phguide cannot {what} ({detail})."
    return f"phguide could not {what} ({store}: {detail})."


# -- the keyring store -----------------------------------------------------------------------


def _friendly_name(backend: KeyringBackend) -> str:
    """A name users recognise for a keyring backend."""
    module = type(backend).__module__
    known = {
        "keyring.backends.SecretService": "Secret Service",
        "keyring.backends.libsecret": "Secret Service (libsecret)",
        "keyring.backends.kwallet": "KWallet",
        "keyring.backends.macOS": "macOS Keychain",
        "keyring.backends.Windows": "Windows Credential Manager",
        "keyring.backends.fail": "no keyring",
        "keyring.backends.null": "no keyring (null backend)",
    }
    if module == "keyring.backends.chainer":
        inner = getattr(backend, "backends", [])
        return " + ".join(_friendly_name(b) for b in inner) or "no keyring"
    for prefix, label in known.items():
        if module == prefix or module.startswith(prefix + "."):
            return label
    return str(getattr(backend, "name", type(backend).__name__))


def _unusable(backend: KeyringBackend) -> str | None:
    """Why a backend cannot keep a secret, or None when it can.

    The null backend accepts every write and forgets it, which would silently lose a
    fresh key; the fail backend and an empty chainer raise on every call.
    """
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "no keyring backend found"
    if module == "keyring.backends.null":
        return "the null keyring backend is configured and stores nothing"
    if module == "keyring.backends.chainer":
        inner = list(getattr(backend, "backends", []))
        if not inner:
            return "no keyring backend found"
        reasons = [_unusable(b) for b in inner]
        if all(reasons):
            return reasons[0]
    return None


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
        return _friendly_name(backend) if backend is not None else "system keyring"

    def _resolve(self) -> KeyringBackend:
        # Runs in the worker thread: keyring's lookup talks to D-Bus and can hang too.
        # The lock keeps two workers from looking it up twice.
        with self._lock:
            if self._backend is None:
                import keyring

                self._backend = keyring.get_keyring()
            backend = self._backend
        reason = _unusable(backend)
        if reason is not None:
            raise _Unusable(reason)
        return backend

    def _run(
        self,
        operation: _Operation,
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
            state, detail = _classify(error), _describe(error, secrets)
        else:
            return value, None
        return None, StoreResult(
            state,
            _message(state, operation, self.name, detail, self.timeout),
            _fix(state, operation),
        )

    # -- the protocol ------------------------------------------------------------------------

    def probe(self) -> StoreResult:
        """Look up the backend and read one (missing) entry, which shows up locks and hangs."""
        _, failure = self._run(
            "probe", lambda backend: backend.get_password(self.service, "|probe")
        )
        if failure is not None:
            return failure
        return StoreResult("ok", f"Secrets are kept in {self.name}.")

    def save_key(self, app_url: str, user: str, key: Secret) -> StoreResult:
        """Store the key, then read it back: a backend that drops writes must not lose it."""
        name = entry_name(app_url, user, "personal_api_key")
        plain = key.reveal()

        def save(backend: KeyringBackend) -> bool:
            # The index first: an entry the index misses could never be forgotten.
            self._add_user(backend, app_url, user)
            backend.set_password(self.service, name, plain)
            return backend.get_password(self.service, name) == plain

        kept, failure = self._run("save", save, secrets=(plain,))
        if failure is not None:
            return failure
        if not kept:
            return StoreResult(
                "error",
                f"{self.name} accepted the key but did not give it back.",
                _fix("error", "save"),
            )
        return StoreResult("ok", f"Saved the key for {_where(app_url, user)} in {self.name}.")

    def load_key(self, app_url: str, user: str) -> tuple[Secret | None, StoreResult]:
        """Read the key; None with an ok result when nothing is stored."""
        name = entry_name(app_url, user, "personal_api_key")
        value, failure = self._run("load", lambda backend: backend.get_password(self.service, name))
        if failure is not None:
            return None, failure
        if not value:
            return None, StoreResult("ok", f"No key is stored for {_where(app_url, user)}.")
        return Secret(value), StoreResult("ok", f"Read the key for {user} from {self.name}.")

    def delete_key(self, app_url: str, user: str) -> StoreResult:
        """Remove the key; ok when there was none."""
        name = entry_name(app_url, user, "personal_api_key")
        _, failure = self._run("delete", lambda backend: self._delete(backend, name))
        if failure is not None:
            return failure
        return StoreResult("ok", f"Removed the key for {_where(app_url, user)}.")

    def save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> StoreResult:
        """Store the cookies as one JSON entry (replacing earlier ones)."""
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
        """Remove the key and cookies of every user in the host's index, then the index."""

        def forget(backend: KeyringBackend) -> int:
            users = self._users(backend, app_url)
            for user in users:
                self._delete(backend, entry_name(app_url, user, "personal_api_key"))
                self._delete(backend, entry_name(app_url, user, "cookies"))
            self._delete(backend, entry_name(app_url, None, "users"))
            return len(users)

        count, failure = self._run("forget", forget)
        if failure is not None:
            return failure
        who = "1 user" if count == 1 else f"{count} users"
        return StoreResult("ok", f"Removed the stored secrets of {who} on {_normalise(app_url)}.")

    # -- helpers (run inside the worker thread) ---------------------------------------------

    def _delete(self, backend: KeyringBackend, name: str) -> None:
        from keyring.errors import PasswordDeleteError

        # Every backend raises this for a missing entry; deleting is idempotent here.
        with contextlib.suppress(PasswordDeleteError):
            backend.delete_password(self.service, name)

    def _users(self, backend: KeyringBackend, app_url: str) -> list[str]:
        text = backend.get_password(self.service, entry_name(app_url, None, "users"))
        try:
            users = json.loads(text) if text else []
        except ValueError:
            return []
        return [u for u in users if isinstance(u, str)] if isinstance(users, list) else []

    def _add_user(self, backend: KeyringBackend, app_url: str, user: str) -> None:
        users = self._users(backend, app_url)
        if user not in users:
            users.append(user)
            backend.set_password(
                self.service, entry_name(app_url, None, "users"), json.dumps(users)
            )


def _parse_cookies(text: str | None) -> dict[str, Secret]:
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
        self._keys: dict[tuple[str, str], Secret] = {}
        self._cookies: dict[tuple[str, str], dict[str, Secret]] = {}

    @property
    def name(self) -> str:
        """The name given at creation."""
        return self._name

    def probe(self) -> StoreResult:
        """Ok unless `failure` is set."""
        return self.failure or StoreResult("ok", f"Secrets are kept in {self._name}.")

    def save_key(self, app_url: str, user: str, key: Secret) -> StoreResult:
        """Keep the key in memory."""
        if self.failure:
            return self.failure
        self._keys[(_normalise(app_url), user)] = key
        return StoreResult("ok", f"Saved the key for {_where(app_url, user)} in {self._name}.")

    def load_key(self, app_url: str, user: str) -> tuple[Secret | None, StoreResult]:
        """The key kept for the host and user, if any."""
        if self.failure:
            return None, self.failure
        key = self._keys.get((_normalise(app_url), user))
        if key is None:
            return None, StoreResult("ok", f"No key is stored for {_where(app_url, user)}.")
        return key, StoreResult("ok", f"Read the key for {user} from {self._name}.")

    def delete_key(self, app_url: str, user: str) -> StoreResult:
        """Forget the key, if any."""
        if self.failure:
            return self.failure
        self._keys.pop((_normalise(app_url), user), None)
        return StoreResult("ok", f"Removed the key for {_where(app_url, user)}.")

    def save_cookies(self, app_url: str, user: str, cookies: dict[str, Secret]) -> StoreResult:
        """Keep a copy of the cookies in memory."""
        if self.failure:
            return self.failure
        self._cookies[(_normalise(app_url), user)] = dict(cookies)
        return StoreResult("ok", f"Saved the sign-in for {_where(app_url, user)}.")

    def load_cookies(self, app_url: str, user: str) -> tuple[dict[str, Secret], StoreResult]:
        """A copy of the cookies kept for the host and user, possibly empty."""
        if self.failure:
            return {}, self.failure
        found = self._cookies.get((_normalise(app_url), user))
        if not found:
            return {}, StoreResult("ok", f"No sign-in is stored for {_where(app_url, user)}.")
        return dict(found), StoreResult("ok", f"Read the sign-in for {user} from {self._name}.")

    def forget_host(self, app_url: str) -> StoreResult:
        """Forget every key and cookie of the host."""
        if self.failure:
            return self.failure
        host = _normalise(app_url)
        users = {user for (h, user) in (*self._keys, *self._cookies) if h == host}
        for user in users:
            self._keys.pop((host, user), None)
            self._cookies.pop((host, user), None)
        who = "1 user" if len(users) == 1 else f"{len(users)} users"
        return StoreResult("ok", f"Removed the stored secrets of {who} on {host}.")
