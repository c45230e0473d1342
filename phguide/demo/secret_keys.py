"""Project secret API keys (`phs_`, contract §6b) as the demo server stores them: hashed."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

MAX_SECRET_KEYS_PER_PROJECT: Final = 50
"""How many secret keys one project may have."""


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class DemoSecretKey:
    """One project secret key: its hash and mask, never the plain value."""

    id: str
    project_id: int
    label: str
    secure_value: str
    """sha256 of the plain value."""
    mask_value: str
    scopes: list[str]
    created_at: float = 0.0
    created_by: str | None = None
    """Email of the user who created it."""
    last_used_at: float | None = None
    last_rolled_at: float | None = None


@dataclass
class SecretKeys:
    """Every project's secret keys; the one lookup each `Bearer phs_…` check goes through.

    Args:
        rng: Returns the data set's seeded generator (or None for `secrets`) at each new value.
    """

    rng: Callable[[], random.Random | None]
    by_id: dict[str, DemoSecretKey] = field(default_factory=dict)
    """Keys by id."""
    _by_hash: dict[str, str] = field(default_factory=dict)

    def _new_value(self) -> str:
        from phguide.demo.data import new_personal_key_value

        return new_personal_key_value(rng=self.rng(), prefix="phs_")

    def of_project(self, project_id: int) -> list[DemoSecretKey]:
        """A project's secret keys, newest first."""
        mine = [key for key in self.by_id.values() if key.project_id == project_id]
        order = sorted(enumerate(mine), key=lambda pair: (pair[1].created_at, pair[0]))
        return [key for _, key in reversed(order)]

    def create(
        self,
        project_id: int,
        label: str,
        scopes: list[str],
        *,
        created_at: float,
        created_by: str | None = None,
    ) -> tuple[DemoSecretKey, str]:
        """Create a key; returns it and its plain value, which only the caller ever sees."""
        from phguide.demo.data import mask_key

        value = self._new_value()
        key = DemoSecretKey(
            id=str(uuid.uuid4()),
            project_id=project_id,
            label=label,
            secure_value=_hash(value),
            mask_value=mask_key(value),
            scopes=list(scopes),
            created_at=created_at,
            created_by=created_by,
        )
        self.by_id[key.id] = key
        self._by_hash[key.secure_value] = key.id
        return key, value

    def find(self, value: str) -> DemoSecretKey | None:
        """The key with this plain value, looked up by its hash."""
        key_id = self._by_hash.get(_hash(value))
        return None if key_id is None else self.by_id.get(key_id)

    def roll(self, key: DemoSecretKey, now: float) -> str:
        """Give a key a new value; the old one stops working at once."""
        from phguide.demo.data import mask_key

        self._by_hash.pop(key.secure_value, None)
        value = self._new_value()
        key.secure_value = _hash(value)
        key.mask_value = mask_key(value)
        key.last_rolled_at = now
        self._by_hash[key.secure_value] = key.id
        return value

    def delete(self, key: DemoSecretKey) -> None:
        """Delete a key."""
        self._by_hash.pop(key.secure_value, None)
        self.by_id.pop(key.id, None)
