"""The device flow's one-time code, shown large, with its URL, a QR code and a countdown."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from phguide.api.models import DeviceCode
from phguide.core.when import CLOCK
from phguide.ui.widgets.qr_code import QRCode, qr_size

TEXT_MIN_WIDTH = 24
"""Columns the code, the note and the countdown need beside the QR code."""
QR_CAPTION = "Scan to approve on your phone"


def spaced(code: str) -> str:
    """Spread a code out (``A B C D - 1 2 3 4``) so it reads easily from across a desk."""
    return " ".join(code)


def clock(seconds: float) -> str:
    """Seconds as ``m:ss``."""
    whole = max(0, int(seconds + 0.5))
    return f"{whole // 60}:{whole % 60:02d}"


class DeviceCodePanel(Vertical):
    """Shows a `DeviceCode` while phguide waits for the browser approval.

    The page's URL is also drawn as a QR code beside the code, for approving on a phone, where
    the panel has the room; the log-in screen's `q` shows it full-screen (`show_qr_full`).
    The countdown ticks every second on its own; `sync` resets it to what the client measured.
    """

    qr_fits: reactive[bool] = reactive(False)
    """Whether the QR code is drawn in place (it is hidden where the panel is too small)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="device-code-panel")
        self.code: DeviceCode | None = None
        """The code on show, or None when hidden."""
        self._deadline = 0.0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="device-top"):
            with Vertical(id="device-words"):
                yield Static("Your one-time code:", classes="device-caption")
                yield Static("", id="device-user-code")
                yield Static("", id="device-browser-note")
                yield Static("", id="device-countdown")
                yield Static("", id="device-qr-hint")
            yield QRCode(id="device-qr")
        yield Static("", id="device-url")

    def on_mount(self) -> None:
        self.display = False

    def show(self, code: DeviceCode) -> None:
        """Show a new code and start counting down to its expiry."""
        self.code = code
        self.query_one("#device-user-code", Static).update(Text(spaced(code.user_code)))
        # The short form, to read or type on another machine: it fits a line, where the long
        # one (with PostHog's use_cases hint, which the QR code, Copy and Open carry) breaks
        # mid-word.
        url = Text("Check it matches the code on the page at\n", style="dim")
        url.append(code.verification_uri_complete, style="not dim underline")
        self.query_one("#device-url", Static).update(url)
        self.query_one("#device-browser-note", Static).update("Opening your browser…")
        self.query_one(QRCode).set_data(code.browser_url)
        self._deadline = CLOCK.monotonic() + code.expires_in
        if self._timer is None:
            self._timer = self.set_interval(1.0, self._tick, name="device-countdown")
        else:
            self._timer.resume()
        self._tick()
        self.display = True
        self._fit_qr()

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
                "No browser here (over SSH or without a display): open the URL below on a "
                "machine with a browser, or scan the QR code, then sign in, pick a project "
                "and approve phguide."
            )
        self.query_one("#device-browser-note", Static).update(note)

    def sync(self, seconds_left: float) -> None:
        """Reset the countdown to the client's own measure of the time left."""
        self._deadline = CLOCK.monotonic() + seconds_left
        self._tick()

    @property
    def seconds_left(self) -> float:
        """Seconds until the code expires."""
        return max(0.0, self._deadline - CLOCK.monotonic())

    # -- the QR code --------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._fit_qr()

    def _fit_qr(self) -> None:
        """Draw the QR code in place only where all of it fits beside the text and on screen."""
        if self.code is None:
            return
        columns, lines = qr_size(self.code.browser_url, 2)
        width = self.content_size.width or self.screen.size.width
        self.qr_fits = (
            width >= columns + TEXT_MIN_WIDTH + 2 and self.screen.size.height >= lines + 15
        )

    def watch_qr_fits(self, fits: bool) -> None:
        self.query_one(QRCode).display = fits
        hint = "q: show it full-screen" if fits else "q: show a QR code to scan with your phone"
        self.query_one("#device-qr-hint", Static).update(hint)

    def show_qr_full(self) -> None:
        """Show the approval URL's QR code full-screen."""
        from phguide.ui.dialogs.qr_code import QRCodeDialog

        if self.code is not None:
            self.app.push_screen(
                QRCodeDialog(self.code.browser_url, f"{QR_CAPTION}: {spaced(self.code.user_code)}")
            )

    def _tick(self) -> None:
        left = self.seconds_left
        countdown = self.query_one("#device-countdown", Static)
        if left <= 0:
            countdown.update("The code has expired; checking with PostHog…")
        else:
            countdown.update(f"Waiting for your approval… the code expires in {clock(left)}.")
