"""The device flow's one-time code, shown large, with its URL and a countdown to expiry."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static

from phguide.api.models import DeviceCode


def spaced(code: str) -> str:
    """Spread a code out (``A B C D - 1 2 3 4``) so it reads easily from across a desk."""
    return " ".join(code)


def clock(seconds: float) -> str:
    """Seconds as ``m:ss``."""
    whole = max(0, int(seconds + 0.5))
    return f"{whole // 60}:{whole % 60:02d}"


class DeviceCodePanel(Vertical):
    """Shows a `DeviceCode` while phguide waits for the browser approval.

    The countdown ticks every second on its own; `sync` resets it to what the client measured.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="device-code-panel")
        self.code: DeviceCode | None = None
        """The code on show, or None when hidden."""
        self._deadline = 0.0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("Your one-time code:", classes="device-caption")
        yield Static("", id="device-user-code")
        yield Static("", id="device-url")
        yield Static("", id="device-browser-note")
        yield Static("", id="device-countdown")

    def on_mount(self) -> None:
        self.display = False

    def show(self, code: DeviceCode) -> None:
        """Show a new code and start counting down to its expiry."""
        self.code = code
        self.query_one("#device-user-code", Static).update(Text(spaced(code.user_code)))
        url = Text("Check it matches the code on the page at ", style="dim")
        url.append(code.browser_url, style="not dim underline")
        self.query_one("#device-url", Static).update(url)
        self.query_one("#device-browser-note", Static).update("Opening your browser…")
        self._deadline = time.monotonic() + code.expires_in
        if self._timer is None:
            self._timer = self.set_interval(1.0, self._tick, name="device-countdown")
        else:
            self._timer.resume()
        self._tick()
        self.display = True

    def hide(self) -> None:
        """Hide the code and stop the countdown."""
        self.code = None
        if self._timer is not None:
            self._timer.pause()
        self.display = False

    def set_browser_opened(self, opened: bool) -> None:
        """Say whether the browser was opened, or that the URL must be opened elsewhere."""
        if opened:
            note = "Opened in your browser: sign in there, pick a project and approve phguide."
        else:
            note = (
                "No browser here (over SSH or without a display): open this URL on a machine "
                "with a browser, sign in, pick a project and approve phguide."
            )
        self.query_one("#device-browser-note", Static).update(note)

    def sync(self, seconds_left: float) -> None:
        """Reset the countdown to the client's own measure of the time left."""
        self._deadline = time.monotonic() + seconds_left
        self._tick()

    @property
    def seconds_left(self) -> float:
        """Seconds until the code expires."""
        return max(0.0, self._deadline - time.monotonic())

    def _tick(self) -> None:
        left = self.seconds_left
        countdown = self.query_one("#device-countdown", Static)
        if left <= 0:
            countdown.update("The code has expired; checking with PostHog…")
        else:
            countdown.update(f"Waiting for your approval… the code expires in {clock(left)}.")
