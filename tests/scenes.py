"""The scenes the pictures show: the app driven over the demo servers to each state.

`scripts/screenshots.py` saves them as `screenshots/`; `tests/snapshots` compares them with
`tests/snapshots/__snapshots__/`. Both run a scene on a `Stage` with the clocks stopped.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final
from unittest import mock

import httpx
from rich.style import Style
from rich.text import Text
from textual.color import Gradient
from textual.widgets import LoadingIndicator

from tests.helpers import TimedOut, in_view, paste, settle, wait_for

if TYPE_CHECKING:
    from textual.app import RenderResult
    from textual.pilot import Pilot

    from phguide.api.client import PostHogClient
    from phguide.core.hosts import Host
    from phguide.core.secret import Secret
    from phguide.factory import DemoClouds
    from phguide.services import Services
    from phguide.ui.app import PhGuideApp

WIDE: Final = (110, 34)
"""The size of the README's pictures (columns, lines)."""
NARROW: Final = (80, 24)
"""The smallest terminal phguide is drawn for; its pictures go to `narrow/`."""
NARROW_DIR: Final = "narrow"

START: Final = datetime(2026, 6, 1, 9, 30, tzinfo=UTC).timestamp()
"""The moment the pictures are taken: the demo's clock and the app's "today" stand still here."""
SHOWN_PORTS: Final = (8010, 8011)
"""The demo's US and EU ports as the pictures show them; the servers listen on free ports."""
SEED: Final = 2026
"""Seeds the demo's new key values and device codes."""
STILL_FRAMES: Final = 3
"""A picture is taken once this many frames in a row, 50 ms apart, came out the same."""

Scene = Callable[["Stage", "Pilot[None]"], Awaitable[None]]


@dataclass
class Stage:
    """One run of the app against fresh demo servers."""

    app: PhGuideApp
    demo: DemoClouds


Setup = Callable[["Services", "DemoClouds"], None]


@dataclass(frozen=True)
class Shot:
    """One picture: its file name (without `.svg`), what it shows, and how to get there."""

    name: str
    caption: str
    scene: Scene
    before_start: Setup | None = None
    """What the user had before phguide started (a saved key, say), set up before the app is."""


# -- the scenes -------------------------------------------------------------------------------
async def _key_types(stage: Stage, pilot: Pilot[None]) -> None:
    await wait_for(pilot, lambda: stage.app.current_mode == "key-types", "the first step")


async def _log_in(stage: Stage, pilot: Pilot[None]) -> None:
    await pilot.press("enter")  # the first step's "Log in"
    await wait_for(pilot, lambda: stage.app.current_mode == "log-in", "the log-in step")


async def _way_in(stage: Stage, pilot: Pilot[None], way: str, field: str) -> None:
    """On Log in, open one of the three ways in by keyboard and put the cursor in its field."""
    from textual.widgets import TabbedContent

    await _log_in(stage, pilot)
    screen = stage.app.screen
    tabs = screen.query_one("#login-ways", TabbedContent)
    await pilot.press("shift+tab")  # from "Start browser approval" back to the tabs of the ways
    for _ in range(len(tabs.query("TabPane"))):
        if tabs.active == way:
            break
        await pilot.press("right")
    await pilot.press("tab")
    await wait_for(pilot, lambda: screen.focused is screen.query_one(field), f"the field {field}")


async def _password_form(stage: Stage, pilot: Pilot[None], email: str) -> None:
    """Fill in "Email and password" (not sent yet)."""
    from phguide.demo.data import DEMO_PASSWORD

    await _way_in(stage, pilot, "way-password", "#login-email")
    await paste(pilot, email)
    await pilot.press("enter")  # on to the password
    await paste(pilot, DEMO_PASSWORD)


async def _sign_in(stage: Stage, pilot: Pilot[None], email: str | None = None) -> None:
    """Sign in with email and password; the app moves on to the project key."""
    from phguide.demo.data import DEMO_EMAIL

    await _password_form(stage, pilot, email or DEMO_EMAIL)
    await pilot.press("enter")
    await wait_for(pilot, lambda: stage.app.state.session is not None, "the sign-in")
    await settle(pilot)


async def _second_factor(stage: Stage, pilot: Pilot[None]) -> None:
    from phguide.demo.data import TOTP_EMAIL
    from phguide.ui.dialogs.second_factor import SecondFactorDialog

    await _password_form(stage, pilot, TOTP_EMAIL)
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(stage.app.screen, SecondFactorDialog),
        "the second-factor prompt",
    )


async def _device_code(stage: Stage, pilot: Pilot[None]) -> None:
    from phguide.ui.widgets.device_code import DeviceCodePanel

    await _log_in(stage, pilot)
    screen = stage.app.screen
    screen.query_one("#device-start").focus()
    await pilot.press("enter")
    panel = screen.query_one(DeviceCodePanel)
    await wait_for(pilot, lambda: panel.code is not None, "the one-time code")
    await wait_for(
        pilot,
        lambda: "Opened" in str(screen.query_one("#device-browser-note").render()),
        "the browser",
    )
    body = screen.query_one("#body")
    # On a short terminal the code then scrolls into view.
    await wait_for(pilot, lambda: body.scroll_y > 0 or body.max_scroll_y == 0, "the code in view")


async def _region_mistake(stage: Stage, pilot: Pilot[None]) -> None:
    from phguide.demo.data import EU_EMAIL

    # An EU account signing in on US Cloud, the default.
    await _password_form(stage, pilot, EU_EMAIL)
    await pilot.press("enter")
    await settle(pilot)
    # Shown, then scrolled to once laid out: on a busy machine the picture could come between.
    await wait_for(
        pilot,
        lambda: in_view(stage.app.screen.query_one("#other-region-button")),
        "the offer of the other region, in view",
    )


async def _project_key(stage: Stage, pilot: Pilot[None]) -> None:
    await _sign_in(stage, pilot)
    await wait_for(pilot, lambda: stage.app.current_mode == "project-key", "the project key step")
    await settle(pilot)


def _saved_key_and_its_project(services: Services, demo: DemoClouds) -> None:
    """A key saved last time, whose sign-in showed the demo user's current project."""
    from phguide.core.secret import Secret
    from phguide.demo.data import DEMO_EMAIL
    from phguide.system.config import ProjectMemo

    host = services.host
    assert host is not None
    value = demo.us.issue_key(DEMO_EMAIL, "Laptop", ("*",))
    assert services.save_personal_key(host, DEMO_EMAIL, Secret(value)).ok
    held = services.accounts.active(host)
    assert held is not None
    web = demo.us.data.projects[1001]
    services.accounts.remember_project(held, ProjectMemo(web.id, web.name, web.api_token))
    # PostHog's answer held back: the picture is the first frame's state, the key being checked.
    demo.us.faults.add("slow", path=r"^/api/users/@me/?$", delay=120)


async def _returning(stage: Stage, pilot: Pilot[None]) -> None:
    await wait_for(pilot, lambda: "Remembered" in _facts(stage), "last time's key on step 3")


def _facts(stage: Stage) -> str:
    from textual.css.query import NoMatches

    try:
        return str(stage.app.screen.query_one("#project-key-facts").render())
    except NoMatches:
        return ""


async def _personal_keys(stage: Stage, pilot: Pilot[None]) -> None:
    await _sign_in(stage, pilot)
    await pilot.press("4")
    await wait_for(pilot, lambda: stage.app.current_mode == "personal-keys", "the personal keys")
    await settle(pilot)


async def _create_key(stage: Stage, pilot: Pilot[None]) -> None:
    from phguide.ui.dialogs.create_key import CreateKeyDialog

    await _personal_keys(stage, pilot)
    await pilot.press("n")
    await wait_for(
        pilot, lambda: isinstance(stage.app.screen, CreateKeyDialog), "the create-key dialog"
    )
    await paste(pilot, "Server integration")


async def _new_key(stage: Stage, pilot: Pilot[None]) -> None:
    await _create_key(stage, pilot)
    await pilot.press("enter")
    await settle(pilot)
    await wait_for(pilot, lambda: stage.app.screen.query_one("#fresh-key-panel").display, "the key")


async def _quit_guard(stage: Stage, pilot: Pilot[None]) -> None:
    from phguide.ui.dialogs.confirm import ConfirmDialog

    await _new_key(stage, pilot)
    await pilot.press("ctrl+q")
    await wait_for(pilot, lambda: isinstance(stage.app.screen, ConfirmDialog), "the quit guard")


async def _usage(stage: Stage, pilot: Pilot[None]) -> None:
    from phguide.demo.data import DEMO_EMAIL

    # Signed in with a personal key, so every example is filled in (the key masked).
    key = stage.demo.us.issue_key(DEMO_EMAIL, "Server integration", ["*"])
    await _way_in(stage, pilot, "way-key", "#pasted-key")
    screen = stage.app.screen
    await paste(pilot, key)
    await pilot.press("enter")  # check it with PostHog
    await settle(pilot)
    await wait_for(pilot, lambda: screen.focused is screen.query_one("#key-save"), "the check")
    await pilot.press("enter")  # save it in the keyring and continue
    await wait_for(pilot, lambda: stage.app.state.session is not None, "the sign-in")
    await settle(pilot)
    await pilot.press("5")
    await wait_for(pilot, lambda: stage.app.current_mode == "usage", "the usage step")
    await settle(pilot)


LONG_ORG: Final = (
    "Northwind Intergalactic Holographic Telemetry Consortium and Extraordinarily Verbosely "
    "Named Organization International"
)
"""A 120-character organization name: the pictures show nothing is cut."""
LONG_PROJECT: Final = (
    "Marmalade Spectrograph Observatory Platform for Continuous Hedgerow Migration Analytics "
    "and Quarterly Reporting Pipes"
)
LONG_LABEL: Final = "Nightly warehouse export for finance team"[:40]


def _long_names(stage: Stage) -> None:
    """Give the demo user a long-named organization and project and 10 keys, one long-labelled."""
    from phguide.demo.data import DEMO_EMAIL, MEMBER

    data = stage.demo.us.data
    org = data.add_org(LONG_ORG[:120])
    data.add_project(org, LONG_PROJECT[:120], project_id=3001)
    user = data.users[DEMO_EMAIL]
    user.memberships[org.id] = MEMBER
    for n in range(7):
        label = LONG_LABEL if n == 0 else f"Spare key {n}"
        data.create_key(user, label, ["*"], created_at=data.seeded_at - 86400 * (n + 1))


async def _long_project_list(stage: Stage, pilot: Pilot[None]) -> None:
    _long_names(stage)
    await _project_key(stage, pilot)
    await pilot.press("end", "enter")
    await settle(pilot)


async def _ten_keys(stage: Stage, pilot: Pilot[None]) -> None:
    _long_names(stage)
    await _personal_keys(stage, pilot)


async def _qr_full_screen(stage: Stage, pilot: Pilot[None]) -> None:
    from phguide.ui.dialogs.qr_code import QRCodeDialog

    await _device_code(stage, pilot)
    await pilot.press("q")
    await wait_for(pilot, lambda: isinstance(stage.app.screen, QRCodeDialog), "the QR code")


async def _troubleshoot(stage: Stage, pilot: Pilot[None]) -> None:
    await _sign_in(stage, pilot)
    await pilot.press("6")
    await wait_for(pilot, lambda: stage.app.current_mode == "troubleshoot", "troubleshooting")
    await settle(pilot)


async def _verdict(stage: Stage, pilot: Pilot[None]) -> None:
    await _troubleshoot(stage, pilot)
    # The EU project's key, checked on US Cloud: the region mix-up the guide warns about.
    token = stage.demo.eu.data.projects[5001].api_token
    await paste(pilot, token)  # the key field has the cursor when the step opens
    await pilot.press("enter")
    await settle(pilot)
    await wait_for(pilot, lambda: stage.app.screen.query_one("#key-verdict").display, "a verdict")


SHOTS: Final[tuple[Shot, ...]] = (
    Shot("01-key-types", "Step 1: the two kinds of key", _key_types),
    Shot("02-log-in", "Step 2: log in", _log_in),
    Shot("02b-second-factor", "The authenticator code prompt", _second_factor),
    Shot("02c-device-code", "Browser approval: the one-time code", _device_code),
    Shot("02d-region-mistake", "An account in the other region", _region_mistake),
    Shot("02e-qr-code", "The approval URL as a QR code, full-screen", _qr_full_screen),
    Shot("03-project-key", "Step 3: the Project API key", _project_key),
    Shot("03b-long-names", "A 120-character organization and project name", _long_project_list),
    Shot(
        "03c-returning",
        "A returning user: last time's project key while PostHog checks the saved key",
        _returning,
        _saved_key_and_its_project,
    ),
    Shot("04-personal-keys", "Step 4: your Personal API keys", _personal_keys),
    Shot("04e-ten-keys", "10 of 10 keys, one with a 40-character label", _ten_keys),
    Shot("04b-create-key", "Creating a personal API key", _create_key),
    Shot("04c-new-key-once", "The new key, shown once", _new_key),
    Shot("04d-quit-guard", "Quitting before the new key is safe", _quit_guard),
    Shot("05-usage", "Step 5: using your keys", _usage),
    Shot("06-troubleshoot", "Step 6: troubleshooting", _troubleshoot),
    Shot("06b-troubleshoot-verdict", "A key checked live", _verdict),
)
"""Every picture, in the walkthrough's order."""


def expected_files() -> list[str]:
    """Every file the script writes, relative to its output folder."""
    names = [f"{shot.name}.svg" for shot in SHOTS]
    return names + [f"{NARROW_DIR}/{name}" for name in names]


# -- a still world ----------------------------------------------------------------------------
@contextlib.contextmanager
def still_time() -> Iterator[None]:
    """Stop every clock a picture shows, so each run draws the same pixels.

    The app's clock ("3 days ago", the device code's countdown) and the phase of Textual's
    loading dots; the demo's own clock is frozen by `start_stage`.
    """
    from phguide.core.when import CLOCK

    saved = CLOCK.wall, CLOCK.monotonic
    CLOCK.wall, CLOCK.monotonic = (lambda: START), (lambda: 1000.0)
    try:
        with mock.patch.object(LoadingIndicator, "render", _first_dots):
            yield
    finally:
        CLOCK.wall, CLOCK.monotonic = saved


def _first_dots(self: LoadingIndicator) -> RenderResult:
    """What `LoadingIndicator.render` draws the moment it starts: its dots, never moving.

    Textual's own drawing with no time elapsed (its clock is not public, so it is redrawn here).
    """
    if self.app.animation_level == "none":
        return Text("Loading...")
    _, _, background, color = self.colors
    gradient = Gradient(
        (0.0, background.blend(color, 0.1)), (0.7, color), (1.0, color.lighten(0.1))
    )
    blends = [(-dot / 8) % 1 for dot in range(5)]
    dots = [
        ("\u25cf ", Style.from_color(gradient.get_color((1 - blend) ** 2).rich_color))
        for blend in blends
    ]
    indicator = Text.assemble(*dots)
    indicator.rstrip()
    return indicator


class ShownPorts(httpx.AsyncBaseTransport):
    """Reaches the demo's free ports while every URL, and so every picture, shows the fixed ones.

    Only the connection goes elsewhere: the `Host` header keeps the shown port, so the demo's
    answers (a device code's URL, redirects) show it too.
    """

    def __init__(self, ports: dict[int, int]) -> None:
        self._ports = ports
        self._network = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        port = request.url.port
        if port in self._ports:
            request.url = request.url.copy_with(port=self._ports[port])
        return await self._network.handle_async_request(request)

    async def aclose(self) -> None:
        await self._network.aclose()


@contextlib.contextmanager
def start_stage(before_start: Setup | None = None) -> Iterator[Stage]:
    """Fresh demo servers on free ports, and the app as a user with an account sees it.

    The app is told the demo's hosts are on `SHOWN_PORTS`; its clients reach the real ports
    through `ShownPorts`. The demo's accounts panel and its stand-in approval are left out
    (they are what `--demo` adds); the scene approves in the browser's place. The keyring is
    in memory, the clipboard a recorder, and "opening the browser" succeeds without opening one.
    `before_start` sets up what the user had before the app starts (a shot's `before_start`).
    """
    from phguide.api.client import PostHogClient
    from phguide.core.hosts import Clouds, parse_host, with_region
    from phguide.demo.clock import DemoClock
    from phguide.factory import demo_services, start_demo
    from phguide.system.clipboard import Clipboard, RecordingClipboard
    from phguide.ui.app import PhGuideApp

    demo = start_demo(clock=DemoClock(START, frozen=True), seed=SEED)
    # No device-flow poll may land while a picture is taken: it would move the countdown.
    demo.us.state.device_interval = 60
    us, eu = SHOWN_PORTS
    ports = {us: demo.us.port, eu: demo.eu.port}
    shown = Clouds(
        us=with_region(parse_host(f"http://127.0.0.1:{us}"), "us"),
        eu=with_region(parse_host(f"http://127.0.0.1:{eu}"), "eu"),
    )

    def client(host: Host, key: Secret | None) -> PostHogClient:
        return PostHogClient(host, personal_key=key, transport=ShownPorts(ports))

    def login_client(host: Host, cookies: dict[str, Secret]) -> PostHogClient:
        return PostHogClient(host, remember_cookies=cookies or None, transport=ShownPorts(ports))

    try:
        services = demo_services(demo, Clipboard(RecordingClipboard()))
        services.clouds, services.host = shown, shown.us
        services.client_factory, services.login_client_factory = client, login_client
        services.demo = None
        services.open_url = lambda url: True
        if before_start is not None:
            before_start(services, demo)
        yield Stage(PhGuideApp(services), demo)
    finally:
        demo.stop()


async def still_picture(pilot: Pilot[None]) -> None:
    """Make what is on screen the same every run: no blinking cursor, no toast, no animation.

    Then wait until the picture stops changing: a scroll the app asked for after its last
    message (a box scrolled into view) is deferred and animated, and must have ended.

    Raises:
        TimedOut: The screen was still changing after 30 seconds (a busy machine is slow).
    """
    from textual.widgets import Input

    app = pilot.app
    app.clear_notifications()
    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    deadline = time.monotonic() + 30  # the real clock: the app's is stopped
    last, same = "", 0
    while same < STILL_FRAMES:
        if time.monotonic() > deadline:
            raise TimedOut("timed out waiting for a still picture: the screen kept changing")
        await pilot.pause(0.05)
        await pilot.wait_for_scheduled_animations()
        frame = app.export_screenshot()
        same = same + 1 if frame == last else 0
        last = frame


@contextlib.asynccontextmanager
async def staged(shot: Shot, size: tuple[int, int]) -> AsyncIterator[Stage]:
    """Run the app at a size and bring it to a shot's state; the app stops on leaving."""
    with start_stage(shot.before_start) as stage:
        async with stage.app.run_test(size=size) as pilot:
            await run_before(shot, stage, pilot)
            yield stage


async def run_before(shot: Shot, stage: Stage, pilot: Pilot[None]) -> None:
    """A shot's scene and the still picture, for a snapshot test's `run_before`."""
    await shot.scene(stage, pilot)
    await still_picture(pilot)
