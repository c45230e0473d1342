"""The secret store without a real keyring: states, messages, timeouts, and the memory store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked, PasswordDeleteError

from phguide.core.secret import Secret
from phguide.system.config import LEGACY_KEY_ID
from phguide.system.credentials import (
    SERVICE,
    KeyringStore,
    MemoryStore,
    SecretStore,
    StoreResult,
    entry_name,
)

HOST = "https://us.posthog.com"
USER = "ada@example.com"
KID = "key-1"
KEY = Secret("phx_" + "unit".ljust(44, "0"))


class DictKeyring(KeyringBackend):
    """A working keyring backend in a dict (keyring's own interface, no OS service)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring is unannotated
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise PasswordDeleteError("No such password!")
        del self.entries[(service, username)]


class RaisingKeyring(DictKeyring):
    """A backend whose every call raises the given exception."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error


class HangingKeyring(DictKeyring):
    """A backend whose calls block until released (a prompt nobody answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(30)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(30)


class ForgetfulKeyring(DictKeyring):
    """A backend that accepts writes and keeps nothing."""

    def set_password(self, service: str, username: str, password: str) -> None:
        pass


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()  # let the abandoned threads finish


def test_both_stores_satisfy_the_protocol() -> None:
    stores: list[SecretStore] = [KeyringStore(DictKeyring()), MemoryStore()]
    assert "DictKeyring" in stores[0].name
    assert stores[1].name == "memory"


@pytest.mark.parametrize("make", [lambda: KeyringStore(DictKeyring()), MemoryStore])
def test_round_trip(make: Callable[[], SecretStore]) -> None:
    store = make()
    assert store.load_key(HOST, USER, KID)[0] is None
    assert store.save_key(HOST, USER, KID, KEY).ok
    key, result = store.load_key(HOST + "/", USER, KID)
    assert key == KEY
    assert result.ok
    cookies = {"remember-cookie_x": Secret("c0okie")}
    assert store.save_cookies(HOST, USER, cookies).ok
    assert store.load_cookies(HOST, USER)[0] == cookies
    assert store.delete_key(HOST, USER, KID).ok
    assert store.load_key(HOST, USER, KID)[0] is None
    assert store.delete_key(HOST, USER, KID).ok  # idempotent
    assert store.save_key(HOST, "grace@example.com", KID, KEY).ok
    assert store.save_key("https://eu.posthog.com", USER, KID, KEY).ok
    forgot = store.forget_host(HOST)
    assert forgot.ok
    assert "2 users" in forgot.message
    assert store.load_cookies(HOST, USER)[0] == {}
    assert store.load_key(HOST, "grace@example.com", KID)[0] is None
    assert store.load_key("https://eu.posthog.com", USER, KID)[0] == KEY


@pytest.mark.parametrize("make", [lambda: KeyringStore(DictKeyring()), MemoryStore])
def test_two_keys_of_one_user_are_two_entries(make: Callable[[], SecretStore]) -> None:
    store = make()
    other = Secret("phx_" + "other".ljust(40, "0"))
    assert store.save_key(HOST, USER, KID, KEY).ok
    assert store.save_key(HOST, USER, "key-2", other).ok
    assert store.load_key(HOST, USER, KID)[0] == KEY
    assert store.load_key(HOST, USER, "key-2")[0] == other
    assert store.delete_key(HOST, USER, KID).ok
    assert store.load_key(HOST, USER, KID)[0] is None
    assert store.load_key(HOST, USER, "key-2")[0] == other
    assert store.forget_host(HOST).ok
    assert store.load_key(HOST, USER, "key-2")[0] is None


def test_keyring_layout_is_as_documented() -> None:
    backend = DictKeyring()
    store = KeyringStore(backend)
    store.save_key(HOST + "/", USER, KID, KEY)
    store.save_cookies(HOST, USER, {"remember-cookie_x": Secret("v")})
    assert backend.entries == {
        (SERVICE, f"{HOST}|users"): json.dumps([USER]),
        (SERVICE, f"{HOST}|keys"): json.dumps([[USER, KID]]),
        (SERVICE, f"{HOST}|{USER}|personal_api_key|{KID}"): KEY.reveal(),
        (SERVICE, f"{HOST}|{USER}|cookies"): json.dumps({"remember-cookie_x": "v"}),
    }
    assert entry_name(HOST, USER, "cookies") == f"{HOST}|{USER}|cookies"
    store.forget_host(HOST)
    assert backend.entries == {}


def test_the_key_of_an_earlier_version_is_read_and_forgotten() -> None:
    """Before 2026-11 phguide kept one entry per host and user: it still reads, and goes."""
    backend = DictKeyring()
    backend.entries[(SERVICE, f"{HOST}|users")] = json.dumps([USER])
    backend.entries[(SERVICE, f"{HOST}|{USER}|personal_api_key")] = KEY.reveal()
    store = KeyringStore(backend)
    assert store.load_key(HOST, USER, LEGACY_KEY_ID)[0] == KEY
    assert store.forget_host(HOST).ok
    assert backend.entries == {}


def test_the_fail_backend_is_no_backend_with_a_fix() -> None:
    store = KeyringStore(fail.Keyring())
    result = store.save_key(HOST, USER, KID, KEY)
    assert result == StoreResult(result.state, result.message, result.fix)
    assert result.state == "no-backend"
    assert not result.ok
    assert "No keyring is available" in result.message
    assert "POSTHOG_PERSONAL_API_KEY" in result.fix
    assert "copy the key" in result.fix
    if sys.platform.startswith("linux"):
        assert "gnome-keyring" in result.fix
    assert store.name == "no keyring"
    for other in (store.load_key(HOST, USER, KID)[1], store.forget_host(HOST)):
        assert other.state == "no-backend"
        assert other.fix


def test_the_null_backend_is_not_a_place_to_keep_a_key() -> None:
    """keyring's null backend accepts writes and keeps nothing: that would lose a fresh key."""
    result = KeyringStore(null.Keyring()).save_key(HOST, USER, KID, KEY)
    assert result.state == "no-backend"
    assert "stores nothing" in result.message


def test_a_backend_that_drops_writes_is_caught() -> None:
    result = KeyringStore(ForgetfulKeyring()).save_key(HOST, USER, KID, KEY)
    assert result.state == "error"
    assert "did not give it back" in result.message
    assert "Copy the key now" in result.fix


def test_a_hanging_backend_times_out(hanging: HangingKeyring) -> None:
    store = KeyringStore(hanging, timeout=0.2)
    started = time.monotonic()
    result = store.save_key(HOST, USER, KID, KEY)
    assert time.monotonic() - started < 1.0
    assert result.state == "timeout"
    assert "did not answer within 0.2 s" in result.message
    assert "may or may not have been saved" in result.message
    assert "Copy the key now" in result.fix
    key, loaded = store.load_key(HOST, USER, KID)
    assert key is None
    assert loaded.state == "timeout"
    assert "may or may not" not in loaded.message


class AccessDenied(Exception):
    """Looks like jeepney's DBusErrorResponse."""

    name = "org.freedesktop.DBus.Error.AccessDenied"


class Dismissed(Exception):
    """Named like SecretStorage's PromptDismissedException."""


Dismissed.__name__ = "PromptDismissedException"


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (KeyringLocked("Failed to unlock the collection!"), "locked"),
        (AccessDenied(), "denied"),
        (Dismissed("dismissed"), "denied"),
        (OSError("User canceled the operation (-128)"), "denied"),
        (RuntimeError("something else"), "error"),
    ],
)
def test_failures_map_to_states(error: Exception, state: str) -> None:
    result = KeyringStore(RaisingKeyring(error)).save_key(HOST, USER, KID, KEY)
    assert result.state == state
    assert result.message
    assert result.fix


def test_a_secret_echoed_by_a_backend_is_masked() -> None:
    error = ValueError(f"cannot store {KEY.reveal()}")
    result = KeyringStore(RaisingKeyring(error)).save_key(HOST, USER, KID, KEY)
    assert KEY.reveal() not in result.message
    assert KEY.masked in result.message
    assert KEY.reveal() not in repr(result)


def test_the_memory_store_can_play_a_broken_keyring() -> None:
    broken = StoreResult("locked", "The keyring is locked.", "Unlock it.")
    store = MemoryStore(failure=broken)
    assert store.save_key(HOST, USER, KID, KEY) is broken
    assert store.load_key(HOST, USER, KID) == (None, broken)
    store.failure = None
    assert store.save_key(HOST, USER, KID, KEY).ok


def test_the_keyring_is_not_touched_when_the_store_is_created() -> None:
    code = (
        "import sys, phguide.system.credentials as c; c.KeyringStore(); "
        "print('keyring' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout.strip() == "False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the headless Linux default")
def test_a_headless_machine_has_no_backend(tmp_path: Path) -> None:
    """This machine's default (no D-Bus session, no keyring config): a state, not a crash."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DBUS_", "PYTHON_KEYRING")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    # Keep keyring from finding a user's config or bus through the usual folders.
    env.update(
        XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path)
    )
    code = (
        "import json; from phguide.system.credentials import KeyringStore; "
        "from phguide.core.secret import Secret; s = KeyringStore(); "
        "r = s.save_key('https://us.posthog.com', 'a@b.c', 'k', Secret('phx_x')); "
        "print(json.dumps([r.state, r.message, r.fix, s.name]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    state, message, fix, name = json.loads(result.stdout)
    assert state == "no-backend"
    assert "No keyring is available" in message
    assert "gnome-keyring" in fix
    assert name == "no keyring"
    assert result.stderr == ""
