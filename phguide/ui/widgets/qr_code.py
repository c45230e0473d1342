"""A QR code drawn with half-block characters, two modules a cell, black on white in any theme."""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

DARK = "#000000"
"""A dark module: fixed, not a theme colour, so the code reads the same in dark and light themes."""
LIGHT = "#ffffff"
"""A light module and the quiet zone around the code."""

_STYLES = {
    (top, bottom): Style(color=DARK if top else LIGHT, bgcolor=DARK if bottom else LIGHT)
    for top in (False, True)
    for bottom in (False, True)
}
"""The upper half block's colour draws the top module, the cell's background the bottom one."""


@lru_cache(maxsize=8)
def qr_modules(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules for `data`, without a quiet zone (True is dark).

    The lowest error-correction level that segno can raise without a bigger symbol: the
    code stays as small as the data allows, so it fits a terminal.
    """
    import segno

    code = segno.make(data, error="l", micro=False, boost_error=True)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix)


def qr_size(data: str, quiet: int) -> tuple[int, int]:
    """The (columns, lines) the code for `data` takes with a quiet zone of `quiet` modules."""
    side = len(qr_modules(data)) + 2 * quiet
    return side, (side + 1) // 2


def qr_strips(data: str, quiet: int) -> list[Strip]:
    """The code as lines of half blocks, each cell one module wide and two high."""
    modules = qr_modules(data)
    side = len(modules) + 2 * quiet
    blank = (False,) * side
    rows = [blank] * quiet + [(False,) * quiet + row + (False,) * quiet for row in modules]
    rows += [blank] * (quiet + side % 2)
    strips = []
    for y in range(0, len(rows), 2):
        top, bottom = rows[y], rows[y + 1]
        segments = [Segment("▀", _STYLES[pair]) for pair in zip(top, bottom, strict=True)]
        strips.append(Strip(Segment.simplify(segments), side))
    return strips


class QRCode(Widget):
    """Draws one QR code at its natural size (set `quiet` for the width of the light border).

    Args:
        data: What the code holds (a URL).
        quiet: The quiet zone around it, in modules (QR asks for 4; 2 reads on phones).
    """

    DEFAULT_CSS = """
    QRCode {
        width: auto;
        height: auto;
    }
    """

    def __init__(self, data: str = "", *, quiet: int = 2, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data = data
        self._quiet = quiet
        self._strips: list[Strip] = []
        self.set_data(data)

    @property
    def data(self) -> str:
        """What the code holds."""
        return self._data

    def set_data(self, data: str) -> None:
        """Draw the code for new data."""
        self._data = data
        self._strips = qr_strips(data, self._quiet) if data else []
        self.refresh(layout=True)

    @property
    def natural_size(self) -> tuple[int, int]:
        """The (columns, lines) the code needs."""
        return qr_size(self._data, self._quiet) if self._data else (0, 0)

    def get_content_width(self, container: object, viewport: object) -> int:
        return self.natural_size[0]

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return self.natural_size[1]

    def render_line(self, y: int) -> Strip:
        return self._strips[y] if 0 <= y < len(self._strips) else Strip.blank(self.size.width)
