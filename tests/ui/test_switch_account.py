"""Switching the active account from the command palette (the index only: no keyring call)."""

from __future__ import annotations

from textual.command import CommandPalette

from phguide.core.secret import Secret
from phguide.demo import DEMO_EMAIL, EU_EMAIL
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from tests.ui.conftest import SIZE
from tests.ui.sessions import settle


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
            c.title for c in app.get_system_commands(app.screen)
        ]
