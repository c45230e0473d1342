"""When the app actually paints: a future per condition, set at the first frame after which it
holds.

Textual's `call_after_refresh` runs its callback after the next refresh *cycle*, which can
come well after the frame that showed the change; so the benchmarks run `FramedApp`, which
overrides Textual's public `App.post_display_hook` (called right after each frame is rendered
and, outside headless mode, written) and checks the conditions there.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from phguide.ui.app import PhGuideApp


class Frames:
    """`after(condition)` gives a future set to the `time.monotonic()` of the first frame
    painted while `condition()` holds."""

    def __init__(self) -> None:
        self._waiting: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []

    def after(self, condition: Callable[[], bool]) -> asyncio.Future[float]:
        """A future set at the first frame painted while `condition()` is true."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((condition, future))
        return future

    def painted(self) -> None:
        """A frame has just been painted: settle the conditions that hold."""
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


class FramedApp(PhGuideApp):
    """phguide, telling `frames` about every frame it paints."""

    CSS_PATH = str(Path(inspect.getfile(PhGuideApp)).parent / str(PhGuideApp.CSS_PATH))
    """phguide's own stylesheet (Textual reads a relative path beside the subclass's module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames = Frames()
        """Wait on a condition's first painted frame with `frames.after(...)`."""

    def post_display_hook(self) -> None:
        self.frames.painted()
