"""Round trips: from "Sign in" (email and password) to the project API key on screen, with the
demo server adding 50 ms to every answer, against the critical path the API contract needs.

The contract's critical path (posthog-api.md §3, §4) is three sequential round trips:

1. `GET /login` (the CSRF cookie) and `POST /api/login/precheck` (SSO?) — independent, together;
2. `POST /api/login` (needs the CSRF cookie; only after the precheck said "no SSO");
3. `GET /api/users/@me/` — its `team.api_token` IS the current project's key.

Listing every organisation's projects can follow (and does), but the key must not wait for it.
The ideal is the same sign-in with no added latency (the app's own time, measured in the same
run, interleaved) plus 3 x 50 ms.

The demo server runs in its own process, as a real PostHog would: in this one it would compete
with the app for the interpreter.

Run: `python -m benchmarks.round_trips`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from textual.widget import Widget
from textual.widgets import Button, Input, TabbedContent

from benchmarks._common import Goal, cli, median
from benchmarks._frames import FramedApp
from benchmarks._servers import Servers, servers
from phguide.core.hosts import Clouds, Host, with_region
from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD
from phguide.demo.server import RequestTiming
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore
from phguide.ui.app import PhGuideApp
from phguide.ui.widgets.secret_field import KeyBox

LATENCY = 0.050
"""Seconds the demo server adds to every answer."""
NEEDED = 3
"""Sequential round trips the contract needs from "Sign in" to the key (see the docstring)."""
RATIO_GOAL = 1.15
SIZE = (110, 34)


@dataclass
class SignIn:
    """One measured sign-in."""

    seconds: float
    """From pressing "Sign in" to the key in its box, the box on screen."""
    painted: float
    """From pressing "Sign in" to the first frame painted with the key."""
    requests: list[RequestTiming]
    """What the server answered before the key was in its box."""
    started: float
    """`time.monotonic()` when "Sign in" was pressed."""
    shown: float
    """`time.monotonic()` when the key was put in its box."""


def sequential_depth(requests: Sequence[RequestTiming]) -> tuple[int, list[RequestTiming]]:
    """The longest chain of requests each started after the previous one was answered.

    Returns:
        The chain's length and the chain (a request that overlaps another is not after it).
    """
    ordered = sorted(requests, key=lambda r: r.started)
    chains: list[list[RequestTiming]] = []
    for request in ordered:
        before = [c for c in chains if c[-1].finished <= request.started]
        best = max(before, key=len, default=[])
        chains.append([*best, request])
    longest = max(chains, key=len, default=[])
    return len(longest), longest


SPEC = "demo@0"
"""The demo data's server (its latency is set per run)."""


def _services(host: Host) -> Services:
    return Services(
        store=MemoryStore(),
        clipboard=Clipboard(RecordingClipboard()),
        clouds=Clouds(us=host, eu=with_region(host, "eu")),
        host=host,
    )


def _displayed(widget: Widget) -> bool:
    node: object = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


def _key_painted(app: PhGuideApp, token: str) -> bool:
    """True once the project key box holds the token and has a place on screen."""
    if app.current_mode != "project-key":
        return False
    boxes = app.screen.query("#project-key-box")
    if not boxes:
        return False
    box = boxes.first(KeyBox)
    if box.value is None or box.value.reveal() != token or not box.region.area:
        return False
    return _displayed(box)


@contextmanager
def _key_set(token: str) -> Iterator[list[float]]:
    """Note the `time.monotonic()` when the project key box is given the token while shown."""
    times: list[float] = []
    original = KeyBox.__dict__["value"]
    assert isinstance(original, property)

    def setter(box: KeyBox, value: Secret | None) -> None:
        assert original.fset is not None
        original.fset(box, value)
        shown = box.id == "project-key-box" and _displayed(box)
        if shown and value is not None and value.reveal() == token:
            times.append(time.monotonic())

    KeyBox.value = property(original.fget, setter)  # type: ignore[method-assign, assignment]
    try:
        yield times
    finally:
        KeyBox.value = original  # type: ignore[method-assign, assignment]


async def sign_in_once(server: Servers, latency: float) -> SignIn:
    """Fill in the password form, press Sign in, and wait for the current project's key."""
    token = server.tokens[SPEC]
    app = FramedApp(_services(server.hosts[SPEC]), start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#login-ways", TabbedContent).active = "way-password"
        await pilot.pause()
        screen.query_one("#login-email", Input).value = DEMO_EMAIL
        screen.query_one("#login-password", Input).value = DEMO_PASSWORD
        button = screen.query_one("#password-submit", Button)
        button.focus()
        await pilot.pause()
        server.set_latency(SPEC, latency)
        server.clear(SPEC)
        frames = app.frames
        with _key_set(token) as set_at:
            started = time.monotonic()
            # As a click or Enter on the button does; `pilot.press` would wait for the app to
            # be idle, which it is not until long after the key shows (spinners, the listing).
            button.press()
            painted = await asyncio.wait_for(frames.after(lambda: _key_painted(app, token)), 30)
        shown = set_at[0]
        await app.workers.wait_for_complete()
        requests = [r for r in server.timeline(SPEC) if r.finished <= shown]
    return SignIn(shown - started, painted - started, requests, started, shown)


async def measure(runs: int) -> tuple[list[SignIn], list[SignIn]]:
    """Interleaved sign-ins with no added latency and with 50 ms."""
    with servers(SPEC) as server:
        await sign_in_once(server, 0)  # warm-up: imports, first screens
        fast: list[SignIn] = []
        slow: list[SignIn] = []
        for round_ in range(runs):
            pair = [(fast, 0.0), (slow, LATENCY)]
            for results, latency in pair if round_ % 2 == 0 else pair[::-1]:
                results.append(await sign_in_once(server, latency))
        return fast, slow


def _describe(chain: Sequence[RequestTiming]) -> str:
    return " → ".join(f"{r.method} {r.path}" for r in chain)


def run(args: argparse.Namespace) -> list[Goal]:
    """Measure and return the goals."""
    fast, slow = asyncio.run(measure(args.runs))
    app_time = median([s.seconds for s in fast])
    with_latency = median([s.seconds for s in slow])
    ideal = app_time + NEEDED * LATENCY
    depths = [sequential_depth(s.requests) for s in slow]
    depth = max(d for d, _ in depths)
    deepest = max(depths, key=lambda d: d[0])[1]
    before_key = sorted({f"{r.method} {r.path}" for s in slow for r in s.requests})
    return [
        Goal(
            'round trips: "Sign in" to the project key in its box on screen, 50 ms per answer',
            with_latency,
            ideal,
            "s",
            RATIO_GOAL,
            f"ideal: the same sign-in with no added latency ({app_time * 1000:.0f} ms, "
            f"interleaved, {args.runs} runs each, medians) + {NEEDED} x 50 ms",
            samples={"50ms": [s.seconds for s in slow], "0ms": [s.seconds for s in fast]},
        ),
        Goal(
            "round trips: the same to the first frame painted with the key",
            median([s.painted for s in slow]),
            median([s.painted for s in fast]),
            "s",
            0,
            "with 50 ms vs with none: with none, the whole listing is done by the first frame, "
            "so this pair is not a like-for-like ratio",
            info_only=True,
            samples={"50ms": [s.painted for s in slow], "0ms": [s.painted for s in fast]},
        ),
        Goal(
            "round trips: sequential requests before the key shows",
            float(depth),
            None,
            "",
            NEEDED,
            f"longest chain: {_describe(deepest)}; requests answered before the key: "
            + ", ".join(before_key),
        ),
    ]


if __name__ == "__main__":
    sys.exit(cli("Round trips", run))
