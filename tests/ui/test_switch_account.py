"""Switching the active account from the command palette (the index only: no keyring call)."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Select, Static

from phguide.core.secret import Secret
from phguide.demo import DEMO_EMAIL, EU_EMAIL, TOTP_EMAIL, DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from tests.helpers import SIZE, settle


def _screen(app: PhGuideApp) -> Screen[object]:
    """The app's screen, as a Screen (an isinstance check on it narrows it for good)."""
    return app.screen


async def test_the_palette_switches_to_another_held_key(services: Services) -> None:
    accounts = services.accounts
    us = services.clouds.us
    accounts.save(
        us,
        DEMO_EMAIL,
        Secret("phx_" + "u" * 40),
        key_id="k-us",
        label="Mine",
        source="created",
        make_active=True,
    )
    accounts.save(
        us,
        EU_EMAIL,
        Secret("phx_" + "w" * 40),
        key_id="k-[bold]x",
        label="[b]Hostile[/b]",
        source="pasted",
        make_active=False,
    )
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        # Only the key that is not active is offered, its server text escaped, not styled.
        assert [t for t in titles if t.startswith("Switch account")] == [
            f"Switch account: {EU_EMAIL} on US Cloud"
        ]
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Switch account")
        await pilot.pause(0.3)
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            if "Active key" in app.status:
                break
        active = accounts.active(us)
        assert active is not None and active.key_id == "k-[bold]x"
        assert "Active key: " + EU_EMAIL + " “[b]Hostile[/b]”" in app.status
        assert "Switch account: " + DEMO_EMAIL + " on US Cloud" in [
            c.title for c in app.get_system_commands(_screen(app))
        ]


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


async def test_log_in_offers_every_held_key_and_switches(
    services: Services, demo_server: DemoServer
) -> None:
    accounts = services.accounts
    us = services.clouds.us
    mine = demo_server.issue_key(DEMO_EMAIL, "Mine", ["*"])
    other = demo_server.issue_key(TOTP_EMAIL, "Colleague's", ["*"])
    for email, value, key_id in ((DEMO_EMAIL, mine, "k1"), (TOTP_EMAIL, other, "k2")):
        saved = accounts.save(
            us, email, Secret(value), key_id=key_id, label="", source="pasted", make_active=False
        )
        assert saved.verified
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        note = app.screen.query_one("#saved-key-note", Static)
        await wait_until(pilot, lambda: DEMO_EMAIL in str(note.render()))
        choice = app.screen.query_one("#saved-key-choice", Select)
        await wait_until(pilot, lambda: bool(choice.display))
        choice.value = "k2"
        await wait_until(pilot, lambda: TOTP_EMAIL in str(note.render()))
        active = accounts.active(us)
        assert active is not None and active.key_id == "k2"
        await pilot.press("k")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.user is not None
        assert session.user.email == TOTP_EMAIL
