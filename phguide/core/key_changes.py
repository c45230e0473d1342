"""Create, roll and delete a key, and when the answer is lost, list again and compare.

Written for any key PostHog shows once (personal API keys, project secret keys): the caller
passes the request and the listing. A failure either says itself that the server did not act
(`PostHogError.acted` is False: an error answer, or a request that never left), or the key
list is the only way to know.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from phguide.api.errors import PostHogError


class Listed(Protocol):
    """A key as a listing shows it: an id, a label and its mask."""

    @property
    def id(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def mask_value(self) -> str: ...


NewT = TypeVar("NewT")
"""What a create or roll answers (the key with its one-time value)."""
ListedT = TypeVar("ListedT", bound=Listed)


@dataclass(frozen=True)
class Created(Generic[NewT]):
    """The server made the key (or the new value) and phguide has its value."""

    new: NewT


@dataclass(frozen=True)
class CreatedButValueLost(Generic[ListedT]):
    """The server made it, but the answer with the value was lost: roll it or delete it."""

    listed: ListedT
    error: PostHogError


@dataclass(frozen=True)
class NotCreated:
    """Nothing changed on the server."""

    error: PostHogError


@dataclass(frozen=True)
class Unknown:
    """The answer was lost and listing again failed too: the user must look."""

    error: PostHogError
    check_error: PostHogError | None
    """Why listing again failed (None: not a PostHog error)."""


@dataclass(frozen=True)
class Deleted:
    """The key is gone from the server."""

    lost: PostHogError | None = None
    """Why the answer was lost, when only listing again showed the key gone."""


Outcome = Created[NewT] | CreatedButValueLost[ListedT] | NotCreated | Unknown
"""What a create or roll did."""


async def _settle(
    request: Callable[[], Awaitable[NewT]],
    listing: Callable[[], Awaitable[Sequence[ListedT]]],
) -> Created[NewT] | tuple[PostHogError, Sequence[ListedT]] | Unknown:
    """Send the request; when its answer is lost, the keys as listed now (to compare).

    Raises:
        PostHogError: The server refused, or the request never left (`acted` is False).
    """
    try:
        return Created(await request())
    except PostHogError as error:
        if error.acted is False:
            raise
        lost = error
    try:
        return lost, await listing()
    except Exception as again:  # whatever it is, the user must hear the change may have happened
        return Unknown(lost, again if isinstance(again, PostHogError) else None)


async def create(
    request: Callable[[], Awaitable[NewT]],
    listing: Callable[[], Awaitable[Sequence[ListedT]]],
    *,
    label: str,
    before: set[str],
) -> Outcome[NewT, ListedT]:
    """Create a key labelled `label`; `before` holds the ids listed before the request.

    Raises:
        PostHogError: Only errors that say the server refused (`acted` is False), so the
            caller can show them by kind (a form error next to its field).
    """
    settled = await _settle(request, listing)
    if not isinstance(settled, tuple):
        return settled
    lost, keys = settled
    made = [key for key in keys if key.id not in before and key.label == label]
    return CreatedButValueLost(made[0], lost) if made else NotCreated(lost)


async def roll(
    request: Callable[[], Awaitable[NewT]],
    listing: Callable[[], Awaitable[Sequence[ListedT]]],
    key: ListedT,
) -> Outcome[NewT, ListedT]:
    """Give `key` a new value; a lost answer is settled by comparing its mask.

    Raises:
        PostHogError: The server refused (`acted` is False).
    """
    settled = await _settle(request, listing)
    if not isinstance(settled, tuple):
        return settled
    lost, keys = settled
    after = next((listed for listed in keys if listed.id == key.id), None)
    if after is not None and after.mask_value != key.mask_value:
        return CreatedButValueLost(after, lost)
    return NotCreated(lost)


async def delete(
    request: Callable[[], Awaitable[object]],
    listing: Callable[[], Awaitable[Sequence[ListedT]]],
    key: ListedT,
) -> Deleted | NotCreated | Unknown:
    """Delete `key`; a lost answer is settled by whether it is still listed.

    `NotCreated` here means "not deleted": nothing changed on the server.

    Raises:
        PostHogError: The server refused (`acted` is False).
    """
    settled = await _settle(request, listing)
    if isinstance(settled, Created):
        return Deleted()
    if isinstance(settled, Unknown):
        return settled
    lost, keys = settled
    return NotCreated(lost) if any(listed.id == key.id for listed in keys) else Deleted(lost)
