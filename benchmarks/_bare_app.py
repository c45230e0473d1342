"""The startup baseline: a bare Textual app with a Header, a Static and a Footer, headless,
exiting after its first frame exactly as `_first_frame.py` makes phguide do."""

from __future__ import annotations

import json
import os
import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    """The smallest app that looks like a terminal app: a header, some text, a footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello from a bare Textual app.")
        yield Footer()

    def on_mount(self) -> None:
        self.screen.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        with open(os.environ["PHGUIDE_BENCH_REPORT"], "w") as file:
            json.dump({"at": time.monotonic(), "screen": "Screen", "heavy": []}, file)
        self.exit()


if __name__ == "__main__":
    BareApp().run(headless=True)
    sys.exit(0)
