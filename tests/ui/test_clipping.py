"""Every screen and dialog, in every state, at 80×24, 110×34 and 200×50: nothing is cut.

One app per size and group walks its states (fast, and the groups run in parallel under
xdist). At each state `clipped` reads the whole screen as drawn and reports a word ending in an
ellipsis phguide never wrote, a button label that does not fit, a long name cut mid-word, or
footer entries run together.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, TabbedContent

from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD, MEMBER, TOTP_EMAIL, demo_data
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore, StoreResult
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.create_key import CreateKeyDialog
from phguide.ui.dialogs.qr_code import QRCodeDialog
from phguide.ui.dialogs.second_factor import SecondFactorDialog
from phguide.ui.dialogs.secret_keys import SecretKeysDialog
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from tests.helpers import settle
from tests.ui.clipping import clipped
from tests.ui.rendered import lines
from tests.ui.sessions import key_session, password_session, sign_in

SIZES = [(80, 24), (110, 34), (200, 50)]
LONG_ORG = (
    "Quasarine Zephyrwood Holographic Telemetry Consortium Extraordinarily Verbosely "
    "Namedorganization Internationale Globexo"
)
"""A 120-character organization name, of words found nowhere else on screen."""
LONG_PROJECT = (
    "Marmalade Spectrograph Observatory Platformed Continuously Hedgerow Migrations "
    "Analyticsy Quarterlies Reportings Pipes"
)
"""A 118-character project name."""
LONG_LABEL = "Quokkaflux Brambleton Vexillary Zorbings"
"""A 40-character key label."""
KNOWN = (LONG_ORG, LONG_PROJECT, LONG_LABEL)


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """The demo, with a long-named organization and project and 9 keys (one long-labelled)."""
    data = demo_data()
    org = data.add_org(LONG_ORG)
    data.add_project(org, LONG_PROJECT, project_id=3001)
    user = data.user(DEMO_EMAIL)
    assert user is not None
    user.memberships[org.id] = MEMBER
    for n in range(6):
        label = LONG_LABEL if n == 0 else f"Spare key {n}"
        data.create_key(user, label, ["*"], created_at=data.seeded_at - 86400 * n)
    server = DemoServer(data, device_interval=1).start()
    yield server
    server.stop()


@pytest.fixture
def services(demo_server: DemoServer, eu_server: DemoServer) -> Services:
    clouds = Clouds(
        us=with_region(parse_host(demo_server.url), "us"),
        eu=with_region(parse_host(eu_server.url), "eu"),
    )
    return Services(
        store=MemoryStore(),
        clipboard=Clipboard(RecordingClipboard(), clear_after=45.0),
        clouds=clouds,
        host=clouds.us,
        open_url=lambda url: True,
    )


class Walk:
    """Looks at each state of one app and collects what was cut."""

    def __init__(self, app: PhGuideApp, pilot: Pilot[None], size: tuple[int, int]) -> None:
        self.app = app
        self.pilot = pilot
        self.size = size
        self.found: list[str] = []

    async def look(self, state: str, *, wait: bool = True) -> None:
        if wait:
            await settle(self.pilot)
        else:
            await self.pilot.pause()
        frame = await self._still()
        found = clipped(self.app, frame, self.size, KNOWN)
        self.found += [f"{state}: {finding}" for finding in found]
        if found and os.environ.get("PHGUIDE_CLIPPING_DUMP"):
            print(f"== {state}", *lines(frame, self.size), sep="\n")

    async def _still(self) -> str:
        """Let a layout in progress end (a dialog just closed, a message just shown): the
        picture once two screenshots in a row agree, not a frame Textual is about to redo. A
        state that moves on its own (a spinner, a countdown) is judged after half a second."""
        last = ""
        for _ in range(10):
            await self.pilot.wait_for_scheduled_animations()
            frame = self.app.export_screenshot()
            if frame == last:
                return frame
            last = frame
            await self.pilot.pause(0.05)
        return last

    async def until(self, condition: Callable[[], object], what: str) -> None:
        for _ in range(750):
            if condition():
                return
            await self.pilot.pause(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_signed_out_and_logging_in(services: Services, size: tuple[int, int]) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        walk = Walk(app, pilot, size)
        for step in "123456":
            await walk.press("escape", step)
            await walk.look(f"step {step}, signed out")
        await walk.press("escape", "2")
        ways = app.screen.query_one(TabbedContent)
        for way in ("way-device", "way-password", "way-key"):
            ways.active = way
            await walk.look(f"log in, {way}")
        # An error: a wrong password.
        ways.active = "way-password"
        await pilot.pause()
        app.screen.query_one("#login-email", Input).value = DEMO_EMAIL
        app.screen.query_one("#login-password", Input).value = "not the password"
        app.screen.query_one("#login-password", Input).focus()
        await walk.press("enter")
        await walk.look("log in, wrong password")
        # A second factor.
        app.screen.query_one("#login-email", Input).value = TOTP_EMAIL
        app.screen.query_one("#login-password", Input).value = DEMO_PASSWORD
        app.screen.query_one("#login-password", Input).focus()
        await walk.press("enter")
        await walk.until(lambda: isinstance(app.screen, SecondFactorDialog), "2FA dialog")
        await walk.look("second factor dialog", wait=False)
        await walk.press("escape")
        # Browser approval: waiting, with the code, its URL and the QR code.
        ways.active = "way-device"
        await pilot.pause()
        app.screen.query_one("#device-start", Button).press()
        panel = app.screen.query_one(DeviceCodePanel)
        await walk.until(lambda: panel.code is not None, "the one-time code")
        await walk.look("log in, waiting for approval", wait=False)
        await walk.press("q")
        assert isinstance(app.screen, QRCodeDialog)
        await walk.look("QR code full-screen", wait=False)
        await walk.press("escape", "escape")
    assert not walk.found, "\n".join(walk.found)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_signed_in_with_long_names_and_ten_keys(
    services: Services, demo_server: DemoServer, size: tuple[int, int]
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        walk = Walk(app, pilot, size)
        demo_server.faults.add("slow", path="/projects", delay=1.0)
        sign_in(app, await password_session(services))
        await walk.until(lambda: app.current_mode == "project-key", "step 3")
        await walk.look("step 3, loading", wait=False)
        await walk.look("step 3, listed")
        await walk.press("end", "enter")
        await walk.look("step 3, the long-named project")
        await walk.press("4")
        await walk.look("step 4, 9 keys")
        await walk.press("n")
        assert isinstance(app.screen, CreateKeyDialog)
        await walk.look("create key dialog", wait=False)
        await walk.press(*"Fresh", "ctrl+s")
        await walk.look("step 4, a fresh key, 10 of 10")
        await walk.press("c")
        await walk.look("step 4, the fresh key copied")
        # A copy alone does not make the key safe: `x` keeps it on screen and says why.
        await walk.press("x")
        assert app.screen.query_one(FreshKeyPanel).fresh is not None
        await walk.press("i")
        assert isinstance(app.screen, ConfirmDialog)
        await walk.look("did you store the key", wait=False)
        await walk.press("y")
        await walk.look("step 4, the fresh key stored")
        await walk.press("x", "r")
        assert isinstance(app.screen, ConfirmDialog)
        await walk.look("roll dialog", wait=False)
        await walk.press("escape", "n")  # at 10 of 10: the limit is said, no dialog
        assert not isinstance(app.screen, CreateKeyDialog)
        assert "10 of 10" in app.status
        await walk.look("step 4, n at 10 of 10")
        await walk.press("5")
        await walk.look("step 5")
        await walk.press("w")
        await walk.look("the .env dialog", wait=False)
        await walk.press("escape", "6")
        await walk.look("step 6, signed in")
        demo_server.faults.add("status", path="/projects", status=503, times=None)
        await walk.press("escape", "3", "r")
        await walk.look("step 3, an error")
    assert not walk.found, "\n".join(walk.found)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_without_a_keyring(services: Services, size: tuple[int, int]) -> None:
    services.store = MemoryStore(
        failure=StoreResult(
            "no-backend",
            "No keyring is available on this machine.",
            "Install and unlock a Secret Service, or copy the key now.",
        )
    )
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        walk = Walk(app, pilot, size)
        sign_in(app, await password_session(services))
        await settle(pilot)
        await walk.press("4")
        await settle(pilot)
        await walk.press("n", *"Headless", "ctrl+s")
        await settle(pilot)
        await walk.press("s")
        await walk.look("step 4, a fresh key and no keyring")
        await walk.press("c", "i", "y")
        await walk.look("step 4, the fresh key acknowledged")
    assert not walk.found, "\n".join(walk.found)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_signed_in_with_a_personal_key(
    services: Services, demo_server: DemoServer, size: tuple[int, int]
) -> None:
    """As browser approval or a returning user leaves it: a key that reveals on step 5."""
    key = demo_server.issue_key(DEMO_EMAIL, LONG_LABEL[:-1] + "!", ["*"])
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        walk = Walk(app, pilot, size)
        session = await key_session(services, key, method="device", label=LONG_LABEL)
        sign_in(app, session)
        await walk.until(lambda: app.current_mode == "project-key", "step 3")
        await walk.look("step 3, a key session")
        await walk.press("end", "enter")
        await walk.look("step 3, the long-named project")
        await walk.press("s")
        assert isinstance(app.screen, SecretKeysDialog)
        await walk.look("secret keys dialog of the long-named project")
        await walk.press("escape")
        for step in "124563":
            await walk.press("escape", step)
            await walk.look(f"step {step}, a key session")
    assert not walk.found, "\n".join(walk.found)
