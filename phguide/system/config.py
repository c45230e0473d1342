"""The small settings file: the last host, and the index of the keys phguide holds per host.

None of it is secret (the keys themselves live in the keyring), but it says which accounts
you use, so it is written readable by you only.
"""

from __future__ import annotations

# json is imported where it is used: the app builds these objects before its first frame,
# and reads or writes nothing until after it.
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal, Protocol, get_args

from phguide.core.text import clean, has_unsafe
from phguide.system.files import FileWriteError, atomic_write

__all__ = [
    "CONFIG_DIR_VARIABLE",
    "LEGACY_KEY_ID",
    "Config",
    "ConfigError",
    "HeldKey",
    "KeySource",
    "MemorySettings",
    "ProjectMemo",
    "Settings",
    "SettingsFile",
    "config_dir",
    "config_path",
    "host_id",
    "load_config",
    "save_config",
]

CONFIG_DIR_VARIABLE: Final = "PHGUIDE_CONFIG_DIR"
"""An environment variable naming the folder of `config.json` (tests point it at a temp folder)."""

LEGACY_KEY_ID: Final = "saved-before-accounts"
"""The local id of the one key per host and user that phguide before 2026-11 kept."""

KeySource = Literal["created", "rolled", "approved", "pasted", "login-with-token", "earlier"]
"""How phguide came to hold a key (`earlier`: saved by a version without this record)."""

_FILE_NAME: Final = "config.json"
_VERSION: Final = 2
_SOURCES: Final = frozenset(get_args(KeySource))
_MAX_TOKEN: Final = 200
"""The longest project key kept from the file (PostHog's are 47 characters)."""

ConfigError = FileWriteError
"""The settings could not be written (the message says which file and why)."""


def host_id(app_url: str) -> str:
    """The form of a host's app URL that names it in the settings and the keyring."""
    return app_url.strip().rstrip("/")


@dataclass(frozen=True)
class ProjectMemo:
    """The project key a held key's sign-in last showed, to show at once on the next start.

    The project key is public (`phc_…`, made for frontend code), so the settings file may
    keep it. Read back, it is treated as what a server sent: bounded, cleaned, checked.
    """

    id: int
    """The project's id."""
    name: str
    """The project's name (cleaned: see `phguide.core.text`)."""
    api_token: str
    """The project API key."""

    def as_dict(self) -> dict[str, object]:
        """The memo as the settings file keeps it."""
        return {"id": self.id, "name": self.name, "api_token": self.api_token}

    @classmethod
    def from_dict(cls, data: object) -> ProjectMemo | None:
        """A memo read back from the file; None when it makes no sense."""
        if not isinstance(data, dict):
            return None
        project_id, name, token = data.get("id"), data.get("name"), data.get("api_token")
        if type(project_id) is not int or not 0 <= project_id < 2**53:
            return None
        if not isinstance(name, str) or not isinstance(token, str):
            return None
        if not token.startswith("phc_") or len(token) > _MAX_TOKEN:
            return None  # only a project key: never a secret shown whole from a doctored file
        if has_unsafe(token) or token != token.strip():
            return None
        return cls(project_id, clean(name), token)


@dataclass(frozen=True)
class HeldKey:
    """A personal API key phguide holds in the keyring, as the settings file records it."""

    host: str
    """The host's app URL, without a trailing slash (see `host_id`)."""
    email: str
    """Whose key it is."""
    key_id: str
    """PostHog's id of the key, or a local id (``pasted-…``) when PostHog's is unknown."""
    label: str = ""
    """The key's label in PostHog, when known."""
    mask: str = ""
    """The key masked as PostHog shows it (``phx_...abcd``); empty until first read."""
    source: KeySource = "pasted"
    """How phguide came to hold it."""
    project: ProjectMemo | None = None
    """The project key its sign-in showed last (a returning user sees it before the check)."""

    def as_dict(self) -> dict[str, object]:
        """The record as the settings file keeps it (without the host, which is its key)."""
        record: dict[str, object] = {
            "email": self.email,
            "key_id": self.key_id,
            "label": self.label,
            "mask": self.mask,
            "source": self.source,
        }
        if self.project is not None:
            record["project"] = self.project.as_dict()
        return record

    @classmethod
    def from_dict(cls, host: str, data: object) -> HeldKey | None:
        """A record read back from the file; None when it makes no sense."""
        if not isinstance(data, dict):
            return None
        email, key_id = data.get("email"), data.get("key_id")
        if not isinstance(email, str) or not isinstance(key_id, str) or not key_id:
            return None
        source = data.get("source")
        label, mask = data.get("label"), data.get("mask")
        return cls(
            host=host,
            email=email,
            key_id=key_id,
            label=label if isinstance(label, str) else "",
            mask=mask if isinstance(mask, str) else "",
            source=source if source in _SOURCES else "earlier",  # type: ignore[arg-type]
            project=ProjectMemo.from_dict(data.get("project")),
        )


@dataclass(frozen=True)
class Config:
    """What phguide remembers between runs. None of it is secret: secrets live in the keyring."""

    last_host: str | None = None
    """The app URL of the PostHog used last, preselected on the log-in screen."""
    keys: tuple[HeldKey, ...] = ()
    """Every key phguide holds, on every host, oldest first."""
    active: Mapping[str, str] = field(default_factory=dict)
    """Host → key id of the key the subcommands and the walkthrough use there."""

    def held(self, host: str | None = None) -> list[HeldKey]:
        """The keys held for a host (every host when None), oldest first."""
        wanted = None if host is None else host_id(host)
        return [key for key in self.keys if wanted is None or key.host == wanted]

    def find(self, host: str, key_id: str) -> HeldKey | None:
        """The key held under this id on this host, if any."""
        wanted = host_id(host)
        return next((k for k in self.keys if k.host == wanted and k.key_id == key_id), None)

    def active_key(self, host: str) -> HeldKey | None:
        """The host's active key, if one is held."""
        key_id = self.active.get(host_id(host))
        return None if key_id is None else self.find(host, key_id)

    def with_key(self, key: HeldKey, *, make_active: bool) -> Config:
        """A copy that holds `key` (replacing a record with its id) and uses its host last.

        The key becomes active when asked, or when its host has no active key yet.
        """
        keys = [k for k in self.keys if (k.host, k.key_id) != (key.host, key.key_id)]
        active = dict(self.active)
        if make_active or self.active_key(key.host) is None:
            active[key.host] = key.key_id
        return replace(self, last_host=key.host, keys=(*keys, key), active=active)

    def with_active(self, host: str, key_id: str) -> Config:
        """A copy in which the held key `key_id` is the host's active key, its host the last used.

        The last host is where the subcommands go without `--host`: switching to an account
        on another host makes `phguide token` follow it.
        """
        if self.find(host, key_id) is None:
            raise KeyError(key_id)
        url = host_id(host)
        return replace(self, last_host=url, active={**self.active, url: key_id})

    def with_project(self, host: str, key_id: str, project: ProjectMemo | None) -> Config:
        """A copy in which a held key remembers `project` (nothing else changes)."""
        held = self.find(host, key_id)
        if held is None:
            return self
        keys = tuple(replace(k, project=project) if k is held else k for k in self.keys)
        return replace(self, keys=keys)

    def without_key(self, host: str, key_id: str) -> Config:
        """A copy without one key; when it was active, the newest other key of its host is."""
        url = host_id(host)
        keys = tuple(k for k in self.keys if (k.host, k.key_id) != (url, key_id))
        active = dict(self.active)
        if active.get(url) == key_id:
            del active[url]
            others = [k for k in keys if k.host == url]
            if others:
                active[url] = others[-1].key_id
        return replace(self, keys=keys, active=active)

    def without_host(self, host: str) -> Config:
        """A copy that forgets a host (after `phguide logout`)."""
        url = host_id(host)
        return replace(
            self,
            last_host=None if self.last_host == url else self.last_host,
            keys=tuple(k for k in self.keys if k.host != url),
            active={h: k for h, k in self.active.items() if h != url},
        )

    def to_json(self) -> str:
        """The file's text."""
        import json

        hosts: dict[str, dict[str, Any]] = {}
        for key in self.keys:
            entry = hosts.setdefault(key.host, {"active": self.active.get(key.host), "keys": []})
            entry["keys"].append(key.as_dict())
        data = {"version": _VERSION, "last_host": self.last_host, "hosts": hosts}
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Config:
        """Read the file's text, keeping what makes sense and dropping the rest.

        A file of the layout before 2026-11 (``users``: host → email, one key each) reads
        as one held key per host, under `LEGACY_KEY_ID`, so that key is never lost.

        Raises:
            ValueError: The text is not a JSON object.
        """
        import json

        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the settings file does not hold a JSON object")
        last = data.get("last_host")
        keys: list[HeldKey] = []
        active: dict[str, str] = {}
        hosts = data.get("hosts")
        for raw_host, entry in hosts.items() if isinstance(hosts, dict) else ():
            host = host_id(str(raw_host))
            if not isinstance(entry, dict) or not isinstance(entry.get("keys"), list):
                continue
            found = [HeldKey.from_dict(host, item) for item in entry["keys"]]
            held = {k.key_id: k for k in found if k is not None}
            keys.extend(held.values())
            if entry.get("active") in held:
                active[host] = entry["active"]
        users = data.get("users")
        for raw_host, email in users.items() if isinstance(users, dict) else ():
            host = host_id(str(raw_host))
            if isinstance(email, str) and not any(k.host == host for k in keys):
                keys.append(HeldKey(host, email, LEGACY_KEY_ID, "", "", "earlier"))
                active[host] = LEGACY_KEY_ID
        return cls(
            last_host=last if isinstance(last, str) else None, keys=tuple(keys), active=active
        )


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of phguide's settings.

    `PHGUIDE_CONFIG_DIR` if set; else the platform's user config folder (platformdirs):
    ``$XDG_CONFIG_HOME/phguide`` (``~/.config/phguide``) on Linux and other Unixes,
    ``~/Library/Application Support/phguide`` on macOS, ``%APPDATA%\\phguide`` on Windows.

    Args:
        environ: The environment to read `PHGUIDE_CONFIG_DIR` from; `os.environ` by default.
    """
    env = os.environ if environ is None else environ
    if env.get(CONFIG_DIR_VARIABLE):
        return Path(env[CONFIG_DIR_VARIABLE]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("phguide", appauthor=False, roaming=True))


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The settings file, ``config.json`` in `config_dir`."""
    return config_dir(environ) / _FILE_NAME


def load_config(path: Path | None = None) -> Config:
    """Read the settings; never fails.

    A missing, unreadable or damaged file reads as empty settings (the keys stay in the
    keyring; the next save writes a good file).

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


class Settings(Protocol):
    """Where the settings live: the file, or memory for the demo (whose hosts vanish)."""

    def load(self) -> Config:
        """The settings as they are now."""
        ...

    def save(self, config: Config) -> None:
        """Replace the settings; raises `ConfigError` when they cannot be written."""
        ...


class SettingsFile:
    """The settings file (`config_path()` by default)."""

    def __init__(self, path: Path | None = None) -> None:
        """Use the file at `path`, or the usual place (looked up on each call)."""
        self.path = path
        """The file, or None for the usual place."""

    def load(self) -> Config:
        """Read the file (never fails; see `load_config`)."""
        return load_config(self.path)

    def save(self, config: Config) -> None:
        """Write the file atomically, mode 0600."""
        save_config(config, self.path)


class MemorySettings:
    """Settings kept in memory only (the demo, tests)."""

    def __init__(self, config: Config | None = None) -> None:
        """Start from `config`, or empty settings."""
        self._config = config or Config()
        self._lock = threading.Lock()

    def load(self) -> Config:
        """The settings as last saved."""
        with self._lock:
            return self._config

    def save(self, config: Config) -> None:
        """Keep `config`."""
        with self._lock:
            self._config = config
