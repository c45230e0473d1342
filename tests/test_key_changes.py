"""Key changes and their outcomes: a lost answer is settled by listing again and comparing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from phguide.api.errors import ApiError, PostHogError, ServerError, TransportError
from phguide.core import key_changes


@dataclass(frozen=True)
class Key:
    id: str
    label: str
    mask_value: str


DROPPED = TransportError("dropped", code="dropped")
REFUSED = TransportError("refused", code="refused")


def _fails(error: Exception) -> Callable[[], Awaitable[str]]:
    async def request() -> str:
        raise error

    return request


def _fails_listing(error: Exception) -> Callable[[], Awaitable[list[Key]]]:
    async def listing() -> list[Key]:
        raise error

    return listing


def _lists(*keys: Key) -> Callable[[], Awaitable[list[Key]]]:
    async def listing() -> list[Key]:
        return list(keys)

    return listing


async def _ok() -> str:
    return "new value"


def test_the_error_says_whether_the_server_acted() -> None:
    assert REFUSED.acted is False  # never left this machine
    assert DROPPED.acted is None  # may have been done
    assert ServerError("502", status=502).acted is None
    assert ApiError("no", status=400).acted is False  # an answer: refused


def test_create_outcomes() -> None:
    made = Key("k2", "CI", "phx_...abcd")

    async def run() -> None:
        created = await key_changes.create(_ok, _lists(), label="CI", before=set())
        assert created == key_changes.Created("new value")
        lost = await key_changes.create(
            _fails(DROPPED), _lists(Key("k1", "CI", "x"), made), label="CI", before={"k1"}
        )
        assert lost == key_changes.CreatedButValueLost(made, DROPPED)
        none = await key_changes.create(_fails(DROPPED), _lists(), label="CI", before=set())
        assert none == key_changes.NotCreated(DROPPED)
        unknown = await key_changes.create(
            _fails(DROPPED), _fails_listing(REFUSED), label="CI", before=set()
        )
        assert unknown == key_changes.Unknown(DROPPED, REFUSED)
        with pytest.raises(PostHogError):
            await key_changes.create(_fails(REFUSED), _lists(made), label="CI", before=set())

    asyncio.run(run())


def test_roll_and_delete_outcomes() -> None:
    old = Key("k1", "CI", "phx_...aaaa")

    async def run() -> None:
        assert await key_changes.roll(_ok, _lists(), old) == key_changes.Created("new value")
        changed = Key("k1", "CI", "phx_...bbbb")
        assert await key_changes.roll(_fails(DROPPED), _lists(changed), old) == (
            key_changes.CreatedButValueLost(changed, DROPPED)
        )
        assert await key_changes.roll(_fails(DROPPED), _lists(old), old) == (
            key_changes.NotCreated(DROPPED)
        )
        assert await key_changes.delete(_ok, _lists(), old) == key_changes.Deleted()
        # Settled by listing again: gone, and the lost answer travels along to be said.
        assert await key_changes.delete(_fails(DROPPED), _lists(), old) == (
            key_changes.Deleted(DROPPED)
        )
        assert await key_changes.delete(_fails(DROPPED), _lists(old), old) == (
            key_changes.NotCreated(DROPPED)
        )
        with pytest.raises(PostHogError):
            await key_changes.delete(_fails(REFUSED), _lists(old), old)

    asyncio.run(run())
