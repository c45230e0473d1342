"""The startup baseline: a bare Textual app with a Header, a Static and a Footer.

Run as is, it runs in the terminal like any app (the pseudo-terminal benchmark). With
`--headless` it runs headless and exits after its first frame exactly as `_first_frame.py`
makes phguide do, writing the time to the file named by `PHGUIDE_BENCH_REPORT`.
"""

from __future__ import annotations

import json
import os
import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

TEXT = "Hello from a bare Textual app."
"""What the benchmark waits for in the terminal's byte stream."""


class BareApp(App[None]):
    """The smallest app that looks like a terminal app: a header, some text, a footer."""

    def __init__(self, *, exit_after_first_frame: bool) -> None:
        super().__init__()
        self.exit_after_first_frame = exit_after_first_frame

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(TEXT)
        yield Footer()

    def on_mount(self) -> None:
        if self.exit_after_first_frame:
            self.screen.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        with open(os.environ["PHGUIDE_BENCH_REPORT"], "w") as file:
            json.dump({"at": time.monotonic(), "screen": "Screen", "heavy": []}, file)
        self.exit()


if __name__ == "__main__":
    headless = "--headless" in sys.argv
    BareApp(exit_after_first_frame=headless).run(headless=headless)
    sys.exit(0)
