"""The approval URL as a QR code: drawn with half blocks, decoded back from the screen."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from phguide.ui.widgets.qr_code import QRCode, qr_size
from tests.ui.rendered import decode_qr

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
