"""A fresh key written to a file the user chose: private (0600), never through a link, read back.

The suggested place is ``~/.config/posthog/<label>.key``: in the user's home, so no project's
git work tree (where a key gets committed by mistake) and no folder other users share; under
the XDG config folder, where tools look for credentials; named after the key's label, so a
second key never lands on the first. Calls block on the disk and on git: run them in a thread.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from phguide.core.dotenv import git_ignores
from phguide.core.secret import Secret
from phguide.core.text import short_path
from phguide.system.files import FileWriteError, atomic_write

__all__ = [
    "KEY_FILE_MODE",
    "KeyFileError",
    "Target",
    "look_at",
    "shown",
    "suggested_path",
    "write_key",
]

KEY_FILE_MODE: Final = 0o600
"""Only the owner may read or write the file."""
FOLDER_MODE: Final = 0o700
"""A folder phguide creates for the file is the owner's only."""


class KeyFileError(Exception):
    """The key could not be written; `message` says why and `fix` what to do (never the key)."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class Target:
    """A path the user typed, and what is there now."""

    path: Path
    """The path, ``~`` expanded and made absolute (a link in it is not resolved)."""
    exists: bool
    """Something is there (replacing it needs the user's word)."""
    link: Path | None
    """Where the path points when it is a symbolic link (phguide never writes through one)."""
    folder: bool
    """The path is a folder."""
    work_tree: Path | None
    """The git work tree the file would be in, if any."""
    ignored: bool | None
    """Whether git ignores the file (None: no git, no work tree, or git did not answer)."""


def suggested_path(label: str, home: Path | None = None) -> Path:
    """Where a key labelled `label` is suggested to go: ``~/.config/posthog/<label>.key``."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:48].strip("-")
    return (home or Path.home()) / ".config" / "posthog" / f"{slug or 'personal-api-key'}.key"


def shown(path: Path, home: Path | None = None) -> str:
    """A path as the user types it: ``~/…`` when it is in their home."""
    home = home or Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def look_at(typed: str) -> Target:
    """What is at the path the user typed (blocks: asks the disk and git).

    Raises:
        KeyFileError: The system cannot look there (a name too long, a loop of links).
    """
    path = Path(os.path.abspath(Path(typed).expanduser()))
    try:
        link = Path(os.readlink(path)) if path.is_symlink() else None
        folder = link is None and path.is_dir()
    except OSError as error:  # is_symlink passes on all but "not found": ENAMETOOLONG, ELOOP
        raise KeyFileError(
            f"Could not look at {short_path(path)}: {error.strerror}.", "Choose another file."
        ) from None
    tree = _work_tree(path.parent)
    return Target(
        path,
        exists=os.path.lexists(path),
        link=link,
        folder=folder,
        work_tree=tree,
        ignored=git_ignores(path) if tree is not None and link is None else None,
    )


def _work_tree(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` holding ``.git`` (a folder, or a worktree's file)."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def write_key(path: Path, key: Secret) -> None:
    """Write the key (and a line break) to `path`, mode 0600, then read it back.

    The folder is created (0700) when missing. The one atomic writer replaces the file whole;
    its rename replaces a link rather than writing through it, and a link found here is refused.

    Raises:
        KeyFileError: The path is a link or a folder, the write failed, or the file did not
            read back equal with mode 0600.
    """
    try:
        if path.is_symlink():
            raise KeyFileError(
                f"{short_path(path)} is a symbolic link.",
                "phguide never writes a key through one: choose the file itself.",
            )
        if path.is_dir():
            raise KeyFileError(
                f"{short_path(path)} is a folder.", "Add a file name, such as posthog.key."
            )
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        atomic_write(path, key.reveal() + "\n", mode=KEY_FILE_MODE)
        with path.open("rb") as file:
            mode = stat.S_IMODE(os.fstat(file.fileno()).st_mode)
            same = file.read() == (key.reveal() + "\n").encode()
    except FileWriteError as error:
        raise KeyFileError(str(error), "Choose a folder you can write to.") from None
    except OSError as error:
        raise KeyFileError(
            f"Could not write {short_path(path)}: {error.strerror or type(error).__name__}.",
            "Choose a folder you can write to.",
        ) from None
    if not same:
        raise KeyFileError(
            f"{path} did not read back equal.", "Choose another place, or save it in the keyring."
        )
    if mode != KEY_FILE_MODE:
        raise KeyFileError(
            f"{path} has mode {mode:o}, not 600 (the file system does not keep permissions).",
            "Choose a folder on your own disk, such as your home.",
        )
