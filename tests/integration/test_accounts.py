"""Every key phguide saves is kept: the accounts store against a real Secret Service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from phguide.core.accounts import Accounts
from phguide.core.secret import Secret
from phguide.system.credentials import KeyringStore, entry_name
from tests.integration.conftest import SecretService
from tests.integration.test_keyring import stored_items

pytestmark = pytest.mark.integration

HOST = f"https://phguide-accounts-{uuid.uuid4().hex[:8]}.example.com"
"""A host no real sign-in uses, so a failed clean-up leaves nothing that matters."""
ADA = "ada@example.com"
READ_ONLY = Secret("phx_" + "readonly".ljust(42, "0"))
CUSTOM = Secret("phx_" + "custom".ljust(42, "1"))


@pytest.fixture
def accounts(session_bus: SecretService, tmp_path: Path) -> Iterator[Accounts]:
    from keyring.backends.SecretService import Keyring

    held = Accounts.on_disk(KeyringStore(Keyring()), tmp_path / "config.json")
    yield held
    held.forget_host(HOST)


def save(accounts: Accounts, key_id: str, value: Secret, *, make_active: bool = False) -> None:
    saved = accounts.save(
        HOST, ADA, value, key_id=key_id, label=key_id, source="created", make_active=make_active
    )
    assert saved.verified, saved.result
    assert saved.held is not None and saved.held.mask == value.masked


def in_keyring(key_id: str) -> list[bytes]:
    return stored_items(entry_name(HOST, ADA, "personal_api_key", key_id))


def test_two_keys_saved_are_both_kept(accounts: Accounts) -> None:
    save(accounts, "read-only", READ_ONLY)
    save(accounts, "custom", CUSTOM)
    assert in_keyring("read-only") == [READ_ONLY.reveal().encode()]
    assert in_keyring("custom") == [CUSTOM.reveal().encode()]
    held = accounts.held(HOST)
    assert [(k.key_id, k.mask) for k in held] == [
        ("read-only", READ_ONLY.masked),
        ("custom", CUSTOM.masked),
    ]
    assert [accounts.read(k)[0] for k in held] == [READ_ONLY, CUSTOM]
    # The first key of the host became active; the second only when asked.
    active = accounts.active(HOST)
    assert active is not None and active.key_id == "read-only"
    assert accounts.set_active(HOST, "custom").key_id == "custom"


def test_a_roll_replaces_the_value_and_the_old_one_is_gone(accounts: Accounts) -> None:
    save(accounts, "read-only", READ_ONLY)
    rolled = Secret("phx_" + "rolled".ljust(42, "2"))
    result = accounts.replace_value(HOST, "read-only", rolled)
    assert result.ok, result
    assert in_keyring("read-only") == [rolled.reveal().encode()]
    (held,) = accounts.held(HOST)
    assert held.mask == rolled.masked
    assert accounts.read(held)[0] == rolled


def test_delete_removes_the_entry(accounts: Accounts) -> None:
    save(accounts, "read-only", READ_ONLY)
    save(accounts, "custom", CUSTOM)
    result = accounts.forget(HOST, "read-only")
    assert result.ok, result
    assert in_keyring("read-only") == []
    assert in_keyring("custom") == [CUSTOM.reveal().encode()]
    assert [k.key_id for k in accounts.held(HOST)] == ["custom"]
    # It was the active key: the one left is active now, and the message says so.
    active = accounts.active(HOST)
    assert active is not None and active.key_id == "custom"
    assert "now" in result.message


def test_logout_leaves_nothing_for_the_host(accounts: Accounts) -> None:
    save(accounts, "read-only", READ_ONLY)
    save(accounts, "custom", CUSTOM)
    accounts.store.save_cookies(HOST, ADA, {"remember-cookie_ada": Secret("cookie-0123456789")})
    assert accounts.forget_host(HOST).ok
    assert in_keyring("read-only") == []
    assert in_keyring("custom") == []
    assert stored_items(entry_name(HOST, ADA, "cookies")) == []
    for index in ("users", "keys"):
        assert stored_items(entry_name(HOST, kind=index)) == []
    assert accounts.held(HOST) == []
    assert accounts.active(HOST) is None
