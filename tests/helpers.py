"""Helpers for driving the running app in tests (and in the screenshot script's scenes)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual import events
from textual.pilot import Pilot

SIZE = (110, 34)
"""The terminal size every UI test runs at (columns, lines)."""

WAIT = 15.0
"""How long `wait_for` lets the app run before it gives up, in seconds."""


class TimedOut(AssertionError):
    """A condition the test waited for did not come true in time."""


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], object], what: str, timeout: float = WAIT
) -> None:
    """Let the app run until `condition()` holds (a dialog is up, a request was sent).

    Raises:
        TimedOut: It did not hold within `timeout` seconds; the message names `what`.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimedOut(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def paste(pilot: Pilot[Any], text: str) -> None:
    """Paste text into the focused field, as a terminal does: one event, not a key per letter."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def settle(pilot: Pilot[Any]) -> None:
    """Let posted messages start their workers, wait for them all, then let the screen update."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
