"""The approval URL as a QR code: drawn with half blocks, decoded back from the screen."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from phguide.api.models import DeviceCode
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.qr_code import QRCodeDialog
from phguide.ui.widgets.device_code import DeviceCodePanel
from phguide.ui.widgets.qr_code import QRCode, qr_size
from tests.ui.rendered import decode_qr, lines

URL = "https://us.posthog.com/cli/authorize?code=ABCD-1234&use_cases=agent-cli"


class _OneCode(App[None]):
    def __init__(self, theme: str, quiet: int) -> None:
        super().__init__()
        self._theme = theme
        self._quiet = quiet

    def compose(self) -> ComposeResult:
        yield QRCode(URL, quiet=self._quiet)

    def on_mount(self) -> None:
        self.theme = self._theme


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("quiet", [2, 4])
async def test_the_drawn_code_decodes_in_dark_and_light_themes(theme: str, quiet: int) -> None:
    size = (60, 30)
    app = _OneCode(theme, quiet)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.query_one(QRCode).size == qr_size(URL, quiet)
        assert decode_qr(app.export_screenshot(), size) == [URL]


async def test_a_code_cut_short_does_not_decode() -> None:
    """The decoder is strict: a terminal too small for the code gives nothing back."""
    size = (60, 12)
    app = _OneCode("textual-dark", 2)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert decode_qr(app.export_screenshot(), size) == []


async def _approval_on_screen(pilot: Pilot[None], app: PhGuideApp) -> DeviceCode:
    await pilot.press("enter", "enter")  # Key types → Log in → browser approval
    panel = app.screen.query_one(DeviceCodePanel)
    for _ in range(500):
        if panel.code is not None:
            break
        await pilot.pause(0.02)
    assert panel.code is not None
    await pilot.pause(0.2)
    return panel.code


async def test_the_approval_url_decodes_from_the_log_in_screen_at_110x34(
    services: Services,
) -> None:
    size = (110, 34)
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        code = await _approval_on_screen(pilot, app)
        decoded = decode_qr(app.export_screenshot(), size)
        assert decoded == [code.browser_url]
        assert decoded[0].startswith(code.verification_uri_complete)
        await pilot.press("escape")


async def test_the_approval_url_decodes_full_screen_at_80x24(services: Services) -> None:
    size = (80, 24)
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        code = await _approval_on_screen(pilot, app)
        await pilot.press("q")
        await pilot.pause(0.2)
        assert isinstance(app.screen, QRCodeDialog)
        assert decode_qr(app.export_screenshot(), size) == [code.browser_url]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QRCodeDialog)
        await pilot.press("escape")


@pytest.mark.parametrize("size", [(80, 24), (110, 34)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_approval_url_is_shown_on_one_line(
    services: Services, size: tuple[int, int]
) -> None:
    """To read or type on another machine, the URL is never broken across lines."""
    app = PhGuideApp(services)
    async with app.run_test(size=size) as pilot:
        code = await _approval_on_screen(pilot, app)
        rows = lines(app.export_screenshot(), size)
        assert any(code.verification_uri_complete in row for row in rows), "\n".join(rows)
        await pilot.press("escape")
