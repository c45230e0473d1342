"""Helpers for driving the running app in tests (and in the screenshot script's scenes)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual import events
from textual.errors import NoWidget
from textual.pilot import Pilot
from textual.widget import Widget

SIZE = (110, 34)
"""The terminal size every UI test runs at (columns, lines)."""

WAIT = 15.0
"""How long `wait_for` lets the app run before it gives up, in seconds."""

SETTLE = 60.0
"""How long `settle` waits for the app's workers, in seconds: longer than `WAIT` (a worker may
page through thousands of projects on a loaded machine), shorter than the async test limit."""


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


def in_view(widget: Widget) -> bool:
    """Whether all of `widget` is on screen: laid out, not cut by a container's scroll, and not
    under a widget docked in one of its containers (a dialog's row of buttons)."""
    try:
        geometry = widget.screen.find_widget(widget)
    except NoWidget:
        return False  # not laid out yet, or scrolled wholly out of sight
    region = geometry.region
    if not region or geometry.visible_region != region:
        return False
    mine = set(widget.ancestors_with_self)
    docked = [
        child
        for container in widget.ancestors
        for child in container.children
        if isinstance(child, Widget) and child not in mine and child.styles.is_docked
    ]
    return not any(child.display and child.region.overlaps(region) for child in docked)


async def paste(pilot: Pilot[Any], text: str) -> None:
    """Paste text into the focused field, as a terminal does: one event, not a key per letter."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def settle(pilot: Pilot[Any], timeout: float = SETTLE) -> None:
    """Let posted messages start their workers, wait for them all, then let the screen update.

    Raises:
        TimedOut: A worker still ran after `timeout` seconds (waiting on a dialog nobody
            answers, say); the message names the workers and the screen on top. A test must
            never hang: in CI a hung asyncio test swallows pytest-timeout's signal.
    """
    await pilot.pause()
    app = pilot.app
    waiting = asyncio.ensure_future(app.workers.wait_for_complete())
    done, _ = await asyncio.wait({waiting}, timeout=timeout)
    if not done:
        running = ", ".join(
            f"{worker.name} ({worker.description})"
            for worker in app.workers
            if not worker.is_finished
        )
        on_top = type(app.screen).__name__
        waiting.cancel()  # also cancels the workers it waited on: the test is over
        await asyncio.wait({waiting}, timeout=1.0)
        if waiting.done() and not waiting.cancelled():
            waiting.exception()  # the workers' WorkerCancelled: retrieved, so not logged
        raise TimedOut(f"workers still running after {timeout} s: {running}; on top: {on_top}")
    waiting.result()  # a worker's failure fails the test, as before
    await pilot.pause()
