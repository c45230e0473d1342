"""Round trips: from "Sign in" (email and password) to the project API key on screen, with the
demo server adding 50 ms to every answer, against the critical path the API contract needs.

The contract's critical path (posthog-api.md §3, §4) is three sequential round trips:

1. `GET /login` (the CSRF cookie) and `POST /api/login/precheck` (SSO?) — independent, together;
2. `POST /api/login` (needs the CSRF cookie; only after the precheck said "no SSO");
3. `GET /api/users/@me/` — its `team.api_token` IS the current project's key.

Listing every organisation's projects can follow (and does), but the key must not wait for it.
The ideal is the same sign-in with no added latency (the app's own time, measured in the same
run, interleaved) plus 3 x 50 ms.

Run: `python -m benchmarks.round_trips`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from textual.widget import Widget
from textual.widgets import Button, Input, TabbedContent

from benchmarks._common import Goal, cli, median
from phguide.app import PhGuideApp
from phguide.clipboard import Clipboard, RecordingClipboard
from phguide.credentials import MemoryStore
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD, demo_data
from phguide.demo.server import DemoServer, RequestTiming
from phguide.hosts import Clouds, parse_host, with_region
from phguide.services import Services
from phguide.widgets.secret_field import KeyBox

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
    """From pressing "Sign in" to the key in its box, on screen."""
    requests: list[RequestTiming]
    """What the server answered before the key showed."""
    started: float
    """`time.monotonic()` when "Sign in" was pressed."""
    shown: float
    """`time.monotonic()` when the key was in its box."""


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


def _services(server: DemoServer) -> Services:
    host = parse_host(server.url)
    return Services(
        store=MemoryStore(),
        clipboard=Clipboard(RecordingClipboard()),
        clouds=Clouds(us=with_region(host, "us"), eu=with_region(host, "eu")),
        host=with_region(host, "us"),
    )


def _key_on_screen(app: PhGuideApp, token: str) -> bool:
    if app.current_mode != "project-key":
        return False
    boxes = app.screen.query("#project-key-box")
    if not boxes:
        return False
    box = boxes.first(KeyBox)
    if box.value is None or box.value.reveal() != token:
        return False
    node: object = box
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


async def sign_in_once(server: DemoServer, latency: float) -> SignIn:
    """Fill in the password form, press Sign in, and wait for the current project's key."""
    user = server.data.user(DEMO_EMAIL)
    assert user is not None and user.current_team_id is not None
    token = server.data.projects[user.current_team_id].api_token
    app = PhGuideApp(_services(server), start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#login-ways", TabbedContent).active = "way-password"
        await pilot.pause()
        screen.query_one("#login-email", Input).value = DEMO_EMAIL
        screen.query_one("#login-password", Input).value = DEMO_PASSWORD
        button = screen.query_one("#password-submit", Button)
        button.focus()
        await pilot.pause()
        server.latency = latency
        server.clear_requests_log()
        started = time.monotonic()
        # As a click or Enter on the button does; `pilot.press` would wait for the app to be
        # idle, which it is not until long after the key shows (spinners, the listing).
        button.press()
        deadline = started + 30
        while not _key_on_screen(app, token):
            if time.monotonic() > deadline:
                raise SystemExit("the project key never showed after signing in")
            await asyncio.sleep(0.001)
        shown = time.monotonic()
        await pilot.pause()  # the frame that shows it
        seconds = time.monotonic() - started
        requests = [r for r in server.requests_timeline if r.finished <= shown]
        server.latency = 0
        await app.workers.wait_for_complete()
    return SignIn(seconds, requests, started, shown)


async def measure(runs: int) -> tuple[list[SignIn], list[SignIn]]:
    """Interleaved sign-ins with no added latency and with 50 ms."""
    server = DemoServer(demo_data("us")).start()
    try:
        await sign_in_once(server, 0)  # warm-up: imports, first screens
        fast: list[SignIn] = []
        slow: list[SignIn] = []
        for round_ in range(runs):
            pair = [(fast, 0.0), (slow, LATENCY)]
            for results, latency in pair if round_ % 2 == 0 else pair[::-1]:
                results.append(await sign_in_once(server, latency))
        return fast, slow
    finally:
        server.stop()


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
            'round trips: "Sign in" to the project key on screen, 50 ms per answer',
            with_latency,
            ideal,
            "s",
            RATIO_GOAL,
            f"ideal: the same sign-in with no added latency ({app_time * 1000:.0f} ms, "
            f"interleaved, {args.runs} runs each, medians) + {NEEDED} x 50 ms",
            samples={"50ms": [s.seconds for s in slow], "0ms": [s.seconds for s in fast]},
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
