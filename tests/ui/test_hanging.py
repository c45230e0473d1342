"""Bulleted text wraps with a hanging indent: a bullet's next lines start under its text."""

from __future__ import annotations

import itertools
import re

import pytest
from textual.content import Content
from textual.widgets import Input, Static

from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.hanging import Hanging
from tests.helpers import settle, wait_for
from tests.ui.rendered import lines

NARROW = (80, 24)
BULLETS = ("•", "✅", "❌")


def test_continuation_lines_start_under_the_text() -> None:
    text = Hanging(
        "• [b]First[/b]: a bullet long enough to wrap twice at this narrow width.\n"
        "✅ A wide mark, two cells, then its text.\n"
        "• Nested:\n  a second line of the bullet, long enough to wrap too.\n"
        "Plain text that is long enough to wrap stays flush left."
    )
    assert text.wrapped(24).plain.split("\n") == [
        "• First: a bullet long",
        "  enough to wrap twice",
        "  at this narrow width.",
        "✅ A wide mark, two",
        "   cells, then its text.",
        "• Nested:",
        "  a second line of the",
        "  bullet, long enough to",
        "  wrap too.",
        "Plain text that is long",
        "enough to wrap stays",
        "flush left.",
    ]


def test_server_text_is_not_markup() -> None:
    text = Hanging(Content("• [b]not bold[/b] and a long tail to wrap the line"))
    assert text.wrapped(20).plain.startswith("• [b]not bold[/b]")


def _text_column(row: str) -> int:
    """Where a row's text starts: after its bullet (and the bullet's own spaces), if any."""
    start = len(row) - len(row.lstrip())
    if row[start : start + 1] in BULLETS:
        rest = row[start + 1 :]
        return start + 1 + len(rest) - len(rest.lstrip())
    return start


def _wrapped_bullets(app: PhGuideApp, widget: Static) -> list[tuple[str, str]]:
    """Each bullet row of a widget on screen that wraps, with its next row."""
    region = widget.content_region
    rows = lines(app.export_screenshot(), NARROW)
    shown = [rows[y][region.x : region.right].rstrip() for y in range(region.y, region.bottom)]
    pairs = []
    for row, after in itertools.pairwise(shown):
        lead = row.lstrip()[:1]
        if lead in BULLETS and after.strip() and after.lstrip()[:1] not in BULLETS:
            pairs.append((row, after))
    return pairs


@pytest.mark.parametrize(
    ("step", "selectors"),
    [
        ("troubleshoot", ("#cant-find", "#not-working")),
        ("usage", (".resource",)),
    ],
)
async def test_wrapped_bullets_hang_at_80x24(
    services: Services, step: str, selectors: tuple[str, ...]
) -> None:
    app = PhGuideApp(services, start=step)
    async with app.run_test(size=NARROW) as pilot:
        await wait_for(pilot, lambda: app.current_mode == step, step)
        await settle(pilot)
        wrapped = 0
        for selector in selectors:
            for widget in app.screen.query(selector):
                widget.scroll_visible(animate=False, top=True)
                await settle(pilot)
                assert isinstance(widget, Static)
                found = _wrapped_bullets(app, widget)
                for row, after in found:
                    assert _text_column(after) == _text_column(row), f"{row!r} / {after!r}"
                wrapped += len(found)
        assert wrapped, "no bullet wraps at 80x24: the test tests nothing"


_ROW_START = re.compile(r"^(?:[✔✘!] |\s*[A-Z][\w ]*:\s{2,})")
"""How a line of step 6's verdict starts a row: the verdict's mark, or a label column."""


async def test_wrapped_verdict_rows_hang_at_80x24(
    services: Services, demo_server: DemoServer, eu_server: DemoServer
) -> None:
    """A verdict row that wraps (a revoked key's problem and fix) goes on under its text."""
    app = PhGuideApp(services, start="troubleshoot")
    async with app.run_test(size=NARROW) as pilot:
        await wait_for(pilot, lambda: app.current_mode == "troubleshoot", "step 6")
        key = demo_server.issue_key(DEMO_EMAIL, "Revoked", ["*"])
        with demo_server.data.lock:
            found = demo_server.data.find_key(key)
            assert found is not None
            demo_server.data.delete_key(found)
        field = app.screen.query_one("#key-input", Input)
        field.value = key
        await pilot.press("enter")
        await settle(pilot)
        verdict = app.screen.query_one("#key-verdict", Static)
        assert verdict.display
        verdict.scroll_visible(animate=False, top=True)
        await settle(pilot)
        region = verdict.content_region.intersection(app.screen.region)
        rows = lines(app.export_screenshot(), NARROW)
        shown = [rows[y][region.x : region.right].rstrip() for y in range(region.y, region.bottom)]
        hang: int | None = None
        continued = 0
        for row in shown:
            start = _ROW_START.match(row)
            if start is not None:
                hang = start.end()
            elif row.strip() and hang is not None:
                assert len(row) - len(row.lstrip()) == hang, f"{row!r} not under its text"
                continued += 1
        assert continued, f"no verdict row wraps at 80x24: the test tests nothing: {shown}"
