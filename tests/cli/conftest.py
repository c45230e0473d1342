"""The subcommands in-process: two demo servers, a memory keyring, a temp settings file."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from phguide.cli.main import run_subcommand
from phguide.cli.parser import build_parser
from phguide.core.accounts import Accounts
from phguide.core.hosts import Clouds, Host
from phguide.core.secret import Secret
from phguide.system.credentials import MemoryStore


@dataclass
class Result:
    status: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Cli:
    clouds: Clouds
    store: MemoryStore
    config_path: Path

    def __call__(self, *argv: str, env: dict[str, str] | None = None, stdin: str = "") -> Result:
        args = build_parser().parse_args(list(argv))
        out, err = io.StringIO(), io.StringIO()
        status = run_subcommand(
            args,
            store=self.store,
            clouds=self.clouds,
            environ=env or {},
            config_path=self.config_path,
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
        return Result(status, out.getvalue(), err.getvalue())

    @property
    def accounts(self) -> Accounts:
        """The keys held in this CLI's store and settings file."""
        return Accounts.on_disk(self.store, self.config_path)

    def hold(self, host: Host, email: str, key: str, key_id: str = "k1", label: str = "") -> None:
        """Save a key as the active key of a host, as the walkthrough does."""
        saved = self.accounts.save(
            host,
            email,
            Secret(key),
            key_id=key_id,
            label=label,
            source="created",
            make_active=True,
        )
        assert saved.verified


@pytest.fixture
def cli(clouds: Clouds, tmp_path: Path) -> Cli:
    return Cli(clouds, MemoryStore(), tmp_path / "config.json")
