"""When the app actually paints: a future per condition, set at the first frame after which it
holds.

Textual's `call_after_refresh` runs its callback after the next refresh *cycle*, which can
come well after the frame that showed the change; so the benchmarks wrap the screen's
compositor refresh (a private Textual method: benchmark code only) and check the conditions
after every frame.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.screen import Screen


class Frames:
    """A context manager: `after(condition)` gives a future set to the `time.monotonic()` of the
    first frame painted while `condition()` holds."""

    def __init__(self) -> None:
        self._waiting: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        self._original: Any = None

    def __enter__(self) -> Frames:
        original = Screen._compositor_refresh
        self._original = original
        frames = self

        def _compositor_refresh(screen: Screen[Any]) -> None:
            original(screen)
            frames._painted()

        Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        Screen._compositor_refresh = self._original  # type: ignore[method-assign]

    def after(self, condition: Callable[[], bool]) -> asyncio.Future[float]:
        """A future set at the first frame painted while `condition()` is true."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((condition, future))
        return future

    def _painted(self) -> None:
        now = time.monotonic()
        still: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        for condition, future in self._waiting:
            if future.done():
                continue
            if condition():
                future.set_result(now)
            else:
                still.append((condition, future))
        self._waiting = still
