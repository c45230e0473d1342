"""The command palette offers what can run now, and its Screenshot saves with secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot

from phguide.core.secret import Secret
from phguide.core.state import FreshKey
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screenshot import mask_secrets
from tests.helpers import SIZE, settle
from tests.ui.rendered import lines
from tests.ui.sessions import password_session, sign_in

NEVER_ON_A_FRESH_LOG_IN = {"Copy new key", "Done", "Reveal", "I stored it", "Use saved key"}


def titles(app: PhGuideApp) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


async def test_log_in_offers_no_fresh_key_actions_before_there_is_a_key(
    services: Services,
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        offered = titles(app)
        assert not offered & NEVER_ON_A_FRESH_LOG_IN, offered & NEVER_ON_A_FRESH_LOG_IN
        assert "Save in keyring" not in offered and "Save to keyring" not in offered
        assert "Go to step 3: Project API key" in offered
        assert "Go to step 2: Log in" not in offered  # already there


async def test_project_key_offers_copy_only_once_a_key_is_shown(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert app.current_mode == "project-key"
        assert "Copy key" not in titles(app)
        await pilot.press("1")
        sign_in(app, await password_session(services))
        await settle(pilot)
        assert "Copy key" in titles(app)


async def run_palette(pilot: Pilot[None], words: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*words)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause(0.3)


async def test_screenshot_saves_without_a_downloads_folder(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await run_palette(pilot, "Screenshot")
        await settle(pilot)
        saved = list(tmp_path.glob("*.svg"))
        assert len(saved) == 1, app.status
        assert any("Key types" in line for line in lines(saved[0].read_text(), SIZE))
        assert str(saved[0]) in app.status


def test_screenshot_masks_a_revealed_key_and_refuses_a_split_one() -> None:
    value = "phx_" + "Ab3" * 14
    secret = Secret(value)
    svg = f"<text>{value}</text>"
    masked = mask_secrets(svg, [secret])
    assert masked is not None and value not in masked and value[4:12] not in masked
    # A key nobody told phguide about is masked by its shape.
    other = "phx_" + "Zq9" * 14
    assert other not in (mask_secrets(f"<text>{other}</text>", []) or other)
    split = f"<text>{value[:20]}</text><text>{value[20:]}</text>"
    assert mask_secrets(split, [secret]) is None


async def test_palette_screenshot_never_saves_a_fresh_key(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    value = "phx_" + "Kd7" * 14
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        app.state.fresh_keys.append(FreshKey(Secret(value), "a key"))
        app.status = f"the key {value}"  # on screen, as a revealed key would be
        await pilot.pause()
        await run_palette(pilot, "Screenshot")
        await settle(pilot)
        for saved in tmp_path.glob("*.svg"):
            assert value[4:12] not in saved.read_text()
