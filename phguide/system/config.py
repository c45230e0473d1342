"""The small settings file (last host, last user per host) and explicit, private file writes."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

__all__ = [
    "CONFIG_DIR_VARIABLE",
    "Config",
    "ConfigError",
    "atomic_write",
    "config_dir",
    "config_path",
    "load_config",
    "save_config",
    "write_secret_file",
]

CONFIG_DIR_VARIABLE: Final = "PHGUIDE_CONFIG_DIR"
"""An environment variable naming the folder of `config.json` (tests point it at a temp folder)."""

_FILE_NAME: Final = "config.json"


class ConfigError(OSError):
    """A file could not be written; the message says which and why, in words a user can act on."""


@dataclass(frozen=True)
class Config:
    """What phguide remembers between runs. None of it is secret: secrets live in the keyring."""

    last_host: str | None = None
    """The app URL of the PostHog used last, preselected on the log-in screen."""
    users: Mapping[str, str] = field(default_factory=dict)
    """App URL → email of the user last signed in there (to find their key in the keyring)."""

    def with_user(self, app_url: str, email: str) -> Config:
        """A copy that records a sign-in, which also makes the host the last one used."""
        url = app_url.rstrip("/")
        return replace(self, last_host=url, users={**self.users, url: email})

    def without_host(self, app_url: str) -> Config:
        """A copy that forgets a host (after `phguide logout`)."""
        url = app_url.rstrip("/")
        users = {host: email for host, email in self.users.items() if host != url}
        return replace(
            self, last_host=None if self.last_host == url else self.last_host, users=users
        )

    def to_json(self) -> str:
        """The file's text."""
        data = {"last_host": self.last_host, "users": dict(sorted(self.users.items()))}
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Config:
        """Read the file's text, keeping what makes sense and dropping the rest.

        Raises:
            ValueError: The text is not a JSON object.
        """
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the settings file does not hold a JSON object")
        last = data.get("last_host")
        raw_users = data.get("users")
        users = (
            {str(h): e for h, e in raw_users.items() if isinstance(e, str)}
            if isinstance(raw_users, dict)
            else {}
        )
        return cls(last_host=last if isinstance(last, str) else None, users=users)


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of phguide's settings.

    `PHGUIDE_CONFIG_DIR` if set; else ``$XDG_CONFIG_HOME/phguide`` (``~/.config/phguide``)
    on Linux and other Unixes, ``~/Library/Application Support/phguide`` on macOS and
    ``%APPDATA%\\phguide`` on Windows.

    Args:
        environ: The environment to read; `os.environ` by default.
    """
    env = os.environ if environ is None else environ
    if env.get(CONFIG_DIR_VARIABLE):
        return Path(env[CONFIG_DIR_VARIABLE]).expanduser()
    if sys.platform == "win32" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "phguide"
    if sys.platform == "darwin" and not env.get("XDG_CONFIG_HOME"):
        return Path.home() / "Library" / "Application Support" / "phguide"
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "phguide"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The settings file, ``config.json`` in `config_dir`."""
    return config_dir(environ) / _FILE_NAME


def load_config(path: Path | None = None) -> Config:
    """Read the settings; never fails.

    A missing, unreadable or damaged file reads as empty settings: it only saves the
    user a choice on the log-in screen, and the next save writes a good one.

    Args:
        path: The file; `config_path()` by default.
    """
    try:
        return Config.from_json((path or config_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return Config()


def save_config(config: Config, path: Path | None = None) -> None:
    """Write the settings atomically, readable by the user only (mode 0600).

    Args:
        config: The settings.
        path: The file; `config_path()` by default. Its folder is created (mode 0700).

    Raises:
        ConfigError: The file could not be written.
    """
    target = path or config_path()
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"Could not create the settings folder {target.parent}: {error.strerror or error}."
        ) from None
    atomic_write(target, config.to_json())


def atomic_write(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Replace a file's contents all at once, so a crash leaves the old file or the new one.

    The text goes to a temporary file in the same folder, created with `mode` from the
    start (never briefly world-readable), flushed to disk, then renamed over `path`.

    Args:
        path: The file to write; its folder must exist.
        text: The new contents (UTF-8).
        mode: The file's permission bits.

    Raises:
        ConfigError: The file could not be written; the old file, if any, is untouched.
    """
    folder = path.parent
    try:
        # mkstemp creates the file with mode 0600, so the text is private from the first byte.
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise ConfigError(f"Could not write to {folder}: {error.strerror or error}.") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException as error:
        # Even when interrupted: a stray copy of a secret file must not stay behind.
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(error, OSError):
            raise ConfigError(f"Could not write {path}: {error.strerror or error}.") from None
        raise
    # Make the rename itself durable; not every platform lets a folder be opened.
    with contextlib.suppress(OSError):
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)


def write_secret_file(path: Path | str, text: str, *, overwrite: bool = False) -> str:
    """Write a secret to a file the user chose explicitly: atomically, mode 0600.

    phguide never does this on its own; the interface calls it only when the user has
    picked "save to a file" and a path.

    Args:
        path: The file the user chose.
        text: What to write, as it is (for example ``POSTHOG_PERSONAL_API_KEY=phx_...\\n``).
        overwrite: Replace an existing file. Without it an existing file is left alone,
            so that a key never silently replaces a `.env` full of other settings.

    Returns:
        The warning to show beside the confirmation.

    Raises:
        ConfigError: The file exists (and `overwrite` is false), or could not be written.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise ConfigError(f"{target} is a folder: choose a file name inside it.")
    if target.exists() and not overwrite:
        raise ConfigError(
            f"{target} already exists: choose another name, or confirm to replace it."
        )
    if not target.parent.is_dir():
        raise ConfigError(f"The folder {target.parent} does not exist.")
    atomic_write(target, text)
    return (
        f"Saved to {target} as plain text, readable only by you (mode 0600). Anyone who can "
        "act as you, or read your backups, can read it: keep it out of version control and "
        "delete it when you no longer need it."
    )
