"""The accounts store: every key kept, one active per host, the index in the settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from phguide.core.accounts import Accounts, local_key_id
from phguide.core.secret import Secret
from phguide.system.config import LEGACY_KEY_ID, load_config
from phguide.system.credentials import MemoryStore, StoreResult

US = "https://us.posthog.com"
EU = "https://eu.posthog.com"
ADA = "ada@example.com"
FIRST = Secret("phx_" + "first".ljust(40, "0"))
SECOND = Secret("phx_" + "second".ljust(40, "1"))


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    return Accounts.on_disk(MemoryStore(), tmp_path / "config.json")


def test_saving_a_second_key_keeps_the_first(accounts: Accounts, tmp_path: Path) -> None:
    first = accounts.save(
        US, ADA, FIRST, key_id="k1", label="Read-only", source="created", make_active=False
    )
    assert first.verified and first.active
    second = accounts.save(US + "/", ADA, SECOND, key_id="k2", source="approved", make_active=False)
    assert second.verified and not second.active
    assert [accounts.read(k)[0] for k in accounts.held(US)] == [FIRST, SECOND]
    active = accounts.active(US)
    assert active is not None and active.key_id == "k1" and active.label == "Read-only"
    # The index is in the settings file, private, and holds no secret.
    text = (tmp_path / "config.json").read_text()
    assert FIRST.reveal() not in text and SECOND.reveal() not in text
    assert json.loads(text)["hosts"][US]["active"] == "k1"
    assert (tmp_path / "config.json").stat().st_mode & 0o777 == 0o600


def test_make_active_and_set_active(accounts: Accounts) -> None:
    accounts.save(US, ADA, FIRST, key_id="k1", source="created", make_active=False)
    saved = accounts.save(US, ADA, SECOND, key_id="k2", source="pasted", make_active=True)
    assert saved.active
    assert accounts.set_active(US, "k1").key_id == "k1"
    with pytest.raises(KeyError):
        accounts.set_active(US, "nope")
    with pytest.raises(KeyError):
        accounts.set_active(EU, "k1")


def test_a_failed_save_records_nothing(accounts: Accounts) -> None:
    store = accounts.store
    assert isinstance(store, MemoryStore)
    store.failure = StoreResult("locked", "The keyring is locked.", "Unlock it.")
    saved = accounts.save(US, ADA, FIRST, key_id="k1", source="created", make_active=True)
    assert not saved.verified
    assert saved.result.state == "locked"
    assert saved.held is None
    assert accounts.held() == []


def test_an_unwritable_settings_file_is_a_note_not_a_lost_key(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    accounts = Accounts.on_disk(MemoryStore(), blocker / "config.json")
    saved = accounts.save(US, ADA, FIRST, key_id="k1", source="created", make_active=True)
    assert saved.verified
    assert "could not note it" in saved.note
    assert accounts.store.load_key(US, ADA, "k1")[0] == FIRST


def test_roll_forget_and_logout(accounts: Accounts) -> None:
    accounts.save(US, ADA, FIRST, key_id="k1", source="created", make_active=True)
    accounts.save(US, ADA, SECOND, key_id="k2", source="created", make_active=False)
    accounts.save(EU, ADA, FIRST, key_id="k3", source="created", make_active=True)
    rolled = Secret("phx_" + "rolled".ljust(40, "2"))
    assert accounts.replace_value(US, "k1", rolled).ok
    held = accounts.active(US)
    assert held is not None and held.mask == rolled.masked
    assert accounts.read(held)[0] == rolled
    unknown = accounts.replace_value(US, "not-held", rolled)
    assert unknown.ok and "held no copy" in unknown.message

    forgot = accounts.forget(US, "k1")
    assert forgot.ok and "now" in forgot.message
    assert accounts.store.load_key(US, ADA, "k1")[0] is None
    now = accounts.active(US)
    assert now is not None and now.key_id == "k2"

    assert accounts.forget_host(US).ok
    assert accounts.held(US) == []
    assert accounts.store.load_key(US, ADA, "k2")[0] is None
    assert [k.key_id for k in accounts.held()] == ["k3"]


def test_the_key_of_an_earlier_version_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"last_host": US, "users": {US: ADA}}))
    store = MemoryStore()
    store.save_key(US, ADA, LEGACY_KEY_ID, FIRST)  # where the earlier version kept it
    accounts = Accounts.on_disk(store, path)
    held = accounts.active(US)
    assert held is not None and held.key_id == LEGACY_KEY_ID and held.mask == ""
    assert accounts.read(held)[0] == FIRST
    # The first read notes the mask, and the file is now in the new layout.
    noted = accounts.active(US)
    assert noted is not None and noted.mask == FIRST.masked
    assert load_config(path).held(US) == [noted]
    assert "users" not in json.loads(path.read_text())
    # Saving a new key keeps the old one.
    accounts.save(US, ADA, SECOND, key_id="k2", source="created", make_active=True)
    assert [accounts.read(k)[0] for k in accounts.held(US)] == [FIRST, SECOND]


def test_in_memory_accounts_write_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHGUIDE_CONFIG_DIR", str(tmp_path))
    accounts = Accounts.in_memory(MemoryStore())
    accounts.save(US, ADA, FIRST, key_id="k1", source="created", make_active=True)
    assert [k.key_id for k in accounts.held()] == ["k1"]
    assert list(tmp_path.iterdir()) == []


def test_local_ids_are_random_and_name_their_source() -> None:
    first, second = local_key_id("pasted"), local_key_id("pasted")
    assert first.startswith("pasted-") and first != second
