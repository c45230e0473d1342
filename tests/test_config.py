"""The settings file and explicit secret files: private modes, atomic writes, tolerant reads."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from phguide.system import config as config_module
from phguide.system.config import (
    Config,
    ConfigError,
    atomic_write,
    config_dir,
    config_path,
    load_config,
    save_config,
    write_secret_file,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_config_dir_resolution(tmp_path: Path) -> None:
    assert config_dir({"PHGUIDE_CONFIG_DIR": str(tmp_path)}) == tmp_path
    if sys.platform.startswith("linux"):
        assert config_dir({"XDG_CONFIG_HOME": "/x"}) == Path("/x/phguide")
        assert config_dir({}) == Path.home() / ".config" / "phguide"
    assert config_path({"PHGUIDE_CONFIG_DIR": str(tmp_path)}) == tmp_path / "config.json"


def test_the_default_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHGUIDE_CONFIG_DIR", str(tmp_path / "cfg"))
    save_config(Config().with_user("https://eu.posthog.com/", "ada@example.com"))
    assert (tmp_path / "cfg" / "config.json").exists()
    assert load_config().users == {"https://eu.posthog.com": "ada@example.com"}


@posix_only
def test_save_is_private_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.json"
    old_umask = os.umask(0o022)
    try:
        config = Config().with_user("https://us.posthog.com", "ada@example.com")
        save_config(config, path)
    finally:
        os.umask(old_umask)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert load_config(path) == Config(
        last_host="https://us.posthog.com", users={"https://us.posthog.com": "ada@example.com"}
    )
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

    monkeypatch.setattr(config_module.os, "replace", fail)
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

    monkeypatch.setattr(config_module.os, "fsync", crash)
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
    ["", "not json", "[1, 2]", '{"last_host": 3, "users": {"https://x": 5, "https://y": "a@b"}}'],
)
def test_damaged_files_read_as_empty_or_partial(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(text)
    loaded = load_config(path)
    assert loaded.last_host is None
    assert dict(loaded.users) in ({}, {"https://y": "a@b"})


def test_missing_file_reads_as_empty(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.json") == Config()


def test_forgetting_a_host() -> None:
    config = (
        Config()
        .with_user("https://us.posthog.com", "ada@example.com")
        .with_user("https://eu.posthog.com", "grace@example.com")
    )
    assert config.last_host == "https://eu.posthog.com"
    forgot = config.without_host("https://eu.posthog.com/")
    assert forgot.last_host is None
    assert forgot.users == {"https://us.posthog.com": "ada@example.com"}
    assert config.without_host("https://us.posthog.com").last_host == "https://eu.posthog.com"


@posix_only
def test_a_secret_file_is_private_and_warns(tmp_path: Path) -> None:
    path = tmp_path / ".env.posthog"
    warning = write_secret_file(path, "POSTHOG_PERSONAL_API_KEY=phx_x\n")
    assert path.read_text() == "POSTHOG_PERSONAL_API_KEY=phx_x\n"
    assert mode(path) == 0o600
    assert str(path) in warning
    assert "plain text" in warning


def test_a_secret_file_never_replaces_a_file_silently(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("DATABASE_URL=postgres://\n")
    with pytest.raises(ConfigError, match="already exists"):
        write_secret_file(path, "POSTHOG_PERSONAL_API_KEY=phx_x\n")
    assert path.read_text() == "DATABASE_URL=postgres://\n"
    write_secret_file(path, "POSTHOG_PERSONAL_API_KEY=phx_x\n", overwrite=True)
    assert path.read_text() == "POSTHOG_PERSONAL_API_KEY=phx_x\n"


def test_a_secret_file_needs_an_existing_folder_and_a_file_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        write_secret_file(tmp_path / "missing" / "key", "phx_x")
    with pytest.raises(ConfigError, match="is a folder"):
        write_secret_file(tmp_path, "phx_x")


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

    monkeypatch.setattr(config_module.os, "replace", spy)
    old_umask = os.umask(0)
    try:
        atomic_write(tmp_path / "f", "secret")
    finally:
        os.umask(old_umask)
    assert seen == [0o600]
