"""The settings file and explicit secret files: private modes, atomic writes, tolerant reads."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from phguide.system.config import (
    LEGACY_KEY_ID,
    Config,
    ConfigError,
    HeldKey,
    config_dir,
    config_path,
    load_config,
    save_config,
)
from phguide.system.files import atomic_write

US = "https://us.posthog.com"
EU = "https://eu.posthog.com"
ADA = HeldKey(US, "ada@example.com", "k-ada", "Read-only test", "phx_...abcd", "created")

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_config_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config_dir({"PHGUIDE_CONFIG_DIR": str(tmp_path)}) == tmp_path
    if sys.platform.startswith("linux"):
        # platformdirs follows the XDG variables of the process environment.
        monkeypatch.setenv("XDG_CONFIG_HOME", "/x")
        assert config_dir({}) == Path("/x/phguide")
        monkeypatch.delenv("XDG_CONFIG_HOME")
        assert config_dir({}) == Path.home() / ".config" / "phguide"
    assert config_path({"PHGUIDE_CONFIG_DIR": str(tmp_path)}) == tmp_path / "config.json"


def test_the_default_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHGUIDE_CONFIG_DIR", str(tmp_path / "cfg"))
    save_config(Config().with_key(ADA, make_active=True))
    assert (tmp_path / "cfg" / "config.json").exists()
    assert load_config().held() == [ADA]


@posix_only
def test_save_is_private_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.json"
    old_umask = os.umask(0o022)
    try:
        config = Config().with_key(ADA, make_active=False)
        save_config(config, path)
    finally:
        os.umask(old_umask)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert load_config(path) == Config(last_host=US, keys=(ADA,), active={US: "k-ada"})
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


@posix_only
def test_save_makes_an_existing_loose_file_private(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text("{}")
    path.chmod(0o644)
    save_config(Config(last_host="https://us.posthog.com"), path)
    assert mode(path) == 0o600


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.json"
    save_config(Config(last_host="https://us.posthog.com"), path)

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ConfigError, match="No space left on device"):
        save_config(Config(last_host="https://eu.posthog.com"), path)
    assert load_config(path).last_host == "https://us.posthog.com"
    assert list(tmp_path.iterdir()) == [path]


def test_a_write_interrupted_midway_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.json"
    save_config(Config(last_host="https://us.posthog.com"), path)

    def crash(fd: int) -> None:
        raise KeyboardInterrupt  # the process dies between writing and renaming

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        save_config(Config(last_host="https://eu.posthog.com"), path)
    assert load_config(path).last_host == "https://us.posthog.com"
    assert list(tmp_path.iterdir()) == [path]


def test_unwritable_folder_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="settings folder"):
        save_config(Config(), blocker / "sub" / "config.json")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[1, 2]",
        '{"last_host": 3, "users": {"https://x": 5, "https://y": "a@b"}}',
        '{"hosts": {"https://y": {"active": "k", "keys": [{"email": "a@b", "key_id": "k"}, 7]},'
        ' "https://z": {"keys": "no"}}}',
    ],
)
def test_damaged_files_read_as_empty_or_partial(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(text)
    loaded = load_config(path)
    assert loaded.last_host is None
    assert [(k.host, k.email) for k in loaded.held()] in ([], [("https://y", "a@b")])
    assert dict(loaded.active) in ({}, {"https://y": "k"}, {"https://y": LEGACY_KEY_ID})


def test_missing_file_reads_as_empty(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.json") == Config()


def test_forgetting_a_host() -> None:
    grace = HeldKey(EU, "grace@example.com", "k-grace")
    config = Config().with_key(ADA, make_active=False).with_key(grace, make_active=False)
    assert config.last_host == EU
    forgot = config.without_host(EU + "/")
    assert forgot.last_host is None
    assert forgot.held() == [ADA]
    assert forgot.active == {US: "k-ada"}
    assert config.without_host(US).last_host == EU


def test_every_key_is_kept_and_one_is_active_per_host() -> None:
    second = HeldKey(US, "ada@example.com", "k-2", "Custom test", "phx_...wxyz", "created")
    config = Config().with_key(ADA, make_active=False)
    assert config.active_key(US) == ADA  # the first key of a host is active
    kept = config.with_key(second, make_active=False)
    assert kept.held(US) == [ADA, second]
    assert kept.active_key(US) == ADA
    switched = config.with_key(second, make_active=True)
    assert switched.active_key(US) == second
    assert switched.with_active(US, "k-ada").active_key(US) == ADA
    with pytest.raises(KeyError):
        switched.with_active(US, "nope")
    # Deleting the active key makes the newest other one active; the last one leaves none.
    assert switched.without_key(US, "k-2").active_key(US) == ADA
    assert switched.without_key(US, "k-2").without_key(US, "k-ada").active_key(US) is None


def test_the_layout_before_accounts_is_kept_on_read(tmp_path: Path) -> None:
    """A settings file of an earlier phguide (host → email) keeps the user's one key."""
    path = tmp_path / "config.json"
    path.write_text(
        '{"last_host": "https://eu.posthog.com", "users": {"https://eu.posthog.com/": "g@x"}}'
    )
    loaded = load_config(path)
    legacy = HeldKey(EU, "g@x", LEGACY_KEY_ID, "", "", "earlier")
    assert loaded.held() == [legacy]
    assert loaded.active_key(EU) == legacy
    save_config(loaded, path)
    assert load_config(path) == loaded
    assert '"users"' not in path.read_text()


@posix_only
def test_atomic_write_never_exposes_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary file is private from its first byte, whatever the umask."""
    seen: list[int] = []
    real_replace = os.replace

    def spy(source: str, target: Path) -> None:
        seen.append(mode(Path(source)))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    old_umask = os.umask(0)
    try:
        atomic_write(tmp_path / "f", "secret")
    finally:
        os.umask(old_umask)
    assert seen == [0o600]
