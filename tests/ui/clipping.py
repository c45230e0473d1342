"""Finds text the terminal cut: a word ending in an ellipsis phguide never wrote, a button whose
label does not fit, a known long name cut mid-word, footer entries run together or past its end."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from textual.app import App
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, DataTable, Footer

from tests.ui.rendered import lines

_ELLIPSIS = re.compile(r"(\S*)…")
_SOURCE = Path(__file__).resolve().parents[2] / "phguide"
_RUN_TOGETHER = re.compile(r"[\w.)](\^[a-z]|⏎|esc\b)")
"""In the footer: a description running straight into the next key (`New key^q Quit`)."""


@cache
def written_ellipses() -> frozenset[str]:
    """The words phguide's own text ends with an ellipsis ("Opening your browser…", "phx_…")."""
    found: set[str] = set()
    for path in _SOURCE.rglob("*.py"):
        for word in _ELLIPSIS.findall(path.read_text(encoding="utf-8")):
            found.add(word.lstrip("\"'([“"))
    return frozenset(found)


def _cut_words(row: str) -> list[str]:
    allowed = written_ellipses()
    cut = []
    for word in _ELLIPSIS.findall(row):
        word = word.lstrip("\"'([“")
        if word and not any(word.endswith(ok) and ok for ok in allowed):
            cut.append(word + "…")
    return cut


def _scrolled_out(widget: Widget) -> bool:
    """Whether part of `widget` is out of sight only because a container it is in scrolls."""
    geometry = widget.screen.find_widget(widget)
    if geometry.visible_region == geometry.region:
        return False
    return any(
        isinstance(ancestor, Widget) and ancestor.allow_vertical_scroll
        for ancestor in widget.ancestors
    )


def _row_with(word: str, rows: list[str]) -> int | None:
    """The first row showing `word` whole, or None."""
    whole = re.compile(rf"(?<![\w'-]){re.escape(word)}(?![\w'-])")
    return next((y for y, row in enumerate(rows) if whole.search(row)), None)


def _wrapped_and_scrolled(words: list[str], rows: list[str]) -> bool:
    """Whether a name is only partly shown because it wrapped and its view scrolled: the words
    shown are its first or its last ones, over more than one row (a cut leaves one row)."""
    at = [_row_with(word, rows) for word in words]
    shown = [y is not None for y in at]
    if shown != sorted(shown) and shown != sorted(shown, reverse=True):
        return False  # a gap in the middle: cut, not scrolled
    seen = [y for y in at if y is not None]
    return len(set(seen)) > 1


def clipped(
    app: App[None], svg: str, size: tuple[int, int], known: tuple[str, ...] = ()
) -> list[str]:
    """Everything on screen that was cut, as readable findings (empty when nothing was).

    Args:
        app: The running app (its current screen, dialogs included, is read).
        svg: Its screenshot (`App.export_screenshot`), taken with the app still.
        size: The terminal size it runs at.
        known: Long strings (names, labels) that, where any of their words is shown, must be
            shown whole: each word complete somewhere on screen.
    """
    rows = full = lines(svg, size)
    width, height = size
    found: list[str] = []
    footer = rows[-1]
    screen = app.screen
    if isinstance(screen, ModalScreen) and screen.children:
        # A dialog: only what it shows counts (the step behind it is covered, not cut).
        box = screen.children[0].region.intersection(Region(0, 0, width, height))
        rows = [
            row[box.x : box.right] if box.y <= y < box.bottom else " " * box.width
            for y, row in enumerate(rows)
        ]
    for y, row in enumerate(rows):
        for word in _cut_words(row):
            found.append(f"line {y} cuts {word!r}: {row.strip()!r}")
    for run in _RUN_TOGETHER.finditer(footer):
        found.append(f"footer runs entries together at {run.start()}: {footer.strip()!r}")
    for bar in screen.query(Footer):
        if bar.display and bar.virtual_size.width > bar.size.width:
            found.append(
                f"footer is cut at the right ({bar.virtual_size.width} > {bar.size.width}): "
                f"{footer.strip()!r}"
            )
    for table in screen.query(DataTable):
        room = table.scrollable_content_region.width
        if table.region.area and table.virtual_size.width > room:
            found.append(
                f"table #{table.id} is wider than its room: columns are cut "
                f"({table.virtual_size.width} > {room})"
            )
    for button in screen.query(Button):
        region = button.region
        label = str(button.label)
        if not button.display or not label or region.area == 0:
            continue
        if _scrolled_out(button):
            continue
        inside = region.x >= 0 and region.y >= 0 and region.right <= width
        inside = inside and region.bottom <= height
        if not inside:
            found.append(f"button {label!r} is off screen at {region}")
            continue
        shown = "".join(full[y][region.x : region.right] for y in range(region.y, region.bottom))
        if label not in shown:
            found.append(f"button {label!r} is cut: {shown.strip()!r} at {region}")
    text = "\n".join(rows)
    words_on_screen = set(re.findall(r"[\w'-]+", text))
    for name in known:
        words = re.findall(r"[\w'-]+", name)
        if any(word in words_on_screen for word in words if len(word) > 6):
            missing = [word for word in words if word not in words_on_screen]
            if missing and not _wrapped_and_scrolled(words, rows):
                found.append(f"{name[:30]!r}… is cut: {missing} not shown whole")
            stubs = {
                token
                for token in words_on_screen
                for word in words
                if len(token) >= 4 and token != word and word.startswith(token)
            } - set(words)
            if stubs:
                found.append(f"{name[:30]!r}… is cut mid-word: {sorted(stubs)}")
    return found
