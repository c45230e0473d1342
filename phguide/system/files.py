"""The one atomic file writer: a crash leaves the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["FileWriteError", "atomic_write"]


class FileWriteError(OSError):
    """A file could not be written; the message says which and why, in words a user can act on."""

    def __init__(self, message: str, *, folder: bool = False) -> None:
        super().__init__(message)
        self.folder = folder
        """True when the folder refused (no file could be created in it)."""


def atomic_write(path: Path, data: bytes | str, *, mode: int = 0o600) -> None:
    """Replace a file's contents all at once.

    The data goes to a temporary file in the same folder, created private (mkstemp's
    0600) and set to `mode` before the first byte, flushed to disk, then renamed over
    `path`; the folder is synced so the rename itself survives a crash.

    Args:
        path: The file to write; its folder must exist.
        data: The new contents (text is written as UTF-8, as it is).
        mode: The file's permission bits.

    Raises:
        FileWriteError: The file could not be written; the old file, if any, is untouched.
    """
    folder = path.parent
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        message = f"Could not write in {folder}: {error.strerror or error}."
        raise FileWriteError(message, folder=True) from None
    try:
        with os.fdopen(handle, "wb") as file:
            os.chmod(temp_name, mode)
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, path)
    except BaseException as error:
        # Even when interrupted: a stray copy of a secret file must not stay behind.
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(error, OSError):
            raise FileWriteError(f"Could not write {path}: {error.strerror or error}.") from None
        raise
    # Not every platform lets a folder be opened.
    with contextlib.suppress(OSError):
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)
