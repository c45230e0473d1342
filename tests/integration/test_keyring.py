"""KeyringStore against a real Secret Service: gnome-keyring on a private D-Bus session."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid

import pytest

from phguide.core.secret import Secret
from phguide.system.credentials import SERVICE, KeyringStore, entry_name
from tests.integration.conftest import SecretService, run_python

pytestmark = pytest.mark.integration

HOST = f"https://phguide-integration-{uuid.uuid4().hex[:8]}.example.com"
"""A host no real sign-in uses, so a failed clean-up leaves nothing that matters."""
USER = "ada@example.com"
KID = "key-1"
KEY = Secret("phx_" + "integration".ljust(42, "0"))


def secret_service_keyring() -> KeyringStore:
    """A store on keyring's Secret Service backend (this process's bus is the private one)."""
    from keyring.backends.SecretService import Keyring

    return KeyringStore(Keyring())


def stored_items(name: str) -> list[bytes]:
    """The secrets the Secret Service holds under service `phguide` and a user name."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        items = collection.search_items({"service": SERVICE, "username": name})
        return [item.get_secret() for item in items]
    finally:
        connection.close()


def test_store_read_back_and_delete_a_key(session_bus: SecretService) -> None:
    store = secret_service_keyring()
    saved = store.save_key(HOST, USER, KID, KEY)
    assert saved.ok, saved
    assert store.name == "Secret Service"
    # It really is in the Secret Service, under service "phguide", named as documented.
    name = entry_name(HOST, USER, "personal_api_key", KID)
    assert name == f"{HOST}|{USER}|personal_api_key|{KID}"
    assert stored_items(name) == [KEY.reveal().encode()]

    loaded, result = store.load_key(HOST + "/", USER, KID)
    assert result.ok, result
    assert loaded == KEY

    deleted = store.delete_key(HOST, USER, KID)
    assert deleted.ok, deleted
    assert stored_items(name) == []
    gone, result = store.load_key(HOST, USER, KID)
    assert gone is None
    assert result.ok
    # Deleting what is not there is not an error (logout twice, a key removed elsewhere).
    assert store.delete_key(HOST, USER, KID).ok


def test_save_replaces_the_earlier_key(session_bus: SecretService) -> None:
    store = secret_service_keyring()
    newer = Secret("phx_" + "rolled".ljust(41, "0"))
    assert store.save_key(HOST, USER, KID, KEY).ok
    assert store.save_key(HOST, USER, KID, newer).ok
    assert store.load_key(HOST, USER, KID)[0] == newer
    assert len(stored_items(entry_name(HOST, USER, "personal_api_key", KID))) == 1
    assert store.forget_host(HOST).ok


def test_cookies_and_forgetting_a_host(session_bus: SecretService) -> None:
    store = secret_service_keyring()
    other_host = HOST.replace("https://", "https://other-")
    cookies = {"remember-cookie_ada": Secret("cookie-value-1234567890")}
    assert store.save_key(HOST, USER, KID, KEY).ok
    assert store.save_cookies(HOST, USER, cookies).ok
    assert store.save_key(HOST, "grace@example.com", KID, KEY).ok
    assert store.save_key(other_host, USER, KID, KEY).ok

    loaded, result = store.load_cookies(HOST, USER)
    assert result.ok
    assert loaded == cookies
    assert json.loads(stored_items(entry_name(HOST, None, "users"))[0]) == [
        USER,
        "grace@example.com",
    ]

    forgot = store.forget_host(HOST)
    assert forgot.ok, forgot
    assert "2 users" in forgot.message
    assert store.load_key(HOST, USER, KID)[0] is None
    assert store.load_key(HOST, "grace@example.com", KID)[0] is None
    assert store.load_cookies(HOST, USER)[0] == {}
    # Another host's secrets are not touched.
    assert store.load_key(other_host, USER, KID)[0] == KEY
    assert store.forget_host(other_host).ok


def test_keyring_picks_the_secret_service_by_itself(secret_service: SecretService) -> None:
    """The app builds `KeyringStore()` with no backend: keyring must find the service."""
    env = {k: v for k, v in secret_service.env.items() if k != "PYTHON_KEYRING_BACKEND"}
    code = f"""
import json
from phguide.system.credentials import KeyringStore
from phguide.core.secret import Secret
store = KeyringStore()
out = {{}}
out["save"] = store.save_key({HOST!r}, "child@example.com", "k1", Secret("phx_child"))
out["save"] = out["save"].state
out["name"] = store.name
key, result = store.load_key({HOST!r}, "child@example.com", "k1")
out["load"] = result.state
out["same"] = key is not None and key.reveal() == "phx_child"
out["forget"] = store.forget_host({HOST!r}).state
print(json.dumps(out))
"""
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "name": "Secret Service",
        "save": "ok",
        "load": "ok",
        "same": True,
        "forget": "ok",
    }


def test_a_locked_keyring_is_a_state_with_a_fix(own_secret_service: SecretService) -> None:
    import secretstorage

    store = secret_service_keyring()
    assert store.save_key(HOST, USER, KID, KEY).ok
    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
    finally:
        connection.close()

    # No display for the unlock prompt, so unlocking fails (as on a headless server).
    key, loaded = store.load_key(HOST, USER, KID)
    assert key is None
    assert loaded.state == "locked", loaded
    assert "locked" in loaded.message
    assert "Unlock" in loaded.fix

    saved = store.save_key(HOST, USER, KID, Secret("phx_" + "fresh".ljust(40, "0")))
    assert saved.state == "locked", saved
    assert "Copy the key now" in saved.fix


def test_a_hanging_keyring_times_out(own_secret_service: SecretService) -> None:
    """A stopped gnome-keyring-daemon never answers: phguide gives up after its timeout."""
    from keyring.backends.SecretService import Keyring

    store = KeyringStore(Keyring(), timeout=0.5)
    assert store.load_key(HOST, USER, KID)[1].ok  # the backend is found before it hangs
    os.kill(own_secret_service.daemon_pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        saved = store.save_key(HOST, USER, KID, KEY)
        elapsed = time.monotonic() - started
        key, loaded = store.load_key(HOST, USER, KID)
    finally:
        os.kill(own_secret_service.daemon_pid, signal.SIGCONT)
    assert saved.state == "timeout", saved
    assert elapsed < 2.0
    assert "did not answer within 0.5 s" in saved.message
    assert "may or may not have been saved" in saved.message
    assert "Copy the key now" in saved.fix
    assert key is None
    assert loaded.state == "timeout"
