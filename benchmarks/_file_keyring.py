"""A keyring backend that keeps its entries in a JSON file, for the returning-user benchmark.

The benchmark's children load it with `PYTHON_KEYRING_BACKEND=benchmarks._file_keyring.FileKeyring`
and name the file with `PHGUIDE_BENCH_KEYRING`: phguide saves and finds its key through its own
keyring code, as with any backend, and the benchmark never reads the developer's keyring.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    """Entries in the JSON file named by `PHGUIDE_BENCH_KEYRING` (benchmarks only)."""

    priority = 1

    @property
    def _path(self) -> Path:
        return Path(os.environ["PHGUIDE_BENCH_KEYRING"])

    def _read(self) -> dict[str, str]:
        try:
            entries: dict[str, str] = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        return entries

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._read()
        entries[f"{service}\0{username}"] = password
        self._path.write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._read()
        entries.pop(f"{service}\0{username}", None)
        self._path.write_text(json.dumps(entries))
