"""What the terminal shows, read back from the app's SVG screenshot: cells, lines, QR codes.

The SVG is what Textual's compositor drew for the whole screen (dialogs over steps, scrolled
views cut off), so a test reading it sees what a user sees, not what a widget meant to draw.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

CHAR_WIDTH = 12.2
"""Rich's SVG export: one cell is 0.61 × the 20 px font wide ..."""
LINE_HEIGHT = 24.4
"""... and 1.22 × it high."""

_RECT = re.compile(r'<rect fill="(#[0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"')
_TEXT = re.compile(
    r'<text class="([\w-]+)" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">(.*?)</text>'
)
_CLASS = re.compile(r"\.([\w-]+) \{([^}]*)\}")
_FILL = re.compile(r"fill: (#[0-9a-f]{6})")

_HALF_BLOCKS = {"▀": (True, False), "▄": (False, True), "█": (True, True)}
"""Which halves of a cell a block character paints in its foreground colour (top, bottom)."""


@dataclass
class Cell:
    """One terminal cell."""

    char: str = " "
    fg: str | None = None
    bg: str | None = None


def cells(svg: str, size: tuple[int, int]) -> list[list[Cell]]:
    """The screen as rows of cells (colours as `#rrggbb`, None where the terminal's own shows)."""
    width, height = size
    grid = [[Cell() for _ in range(width)] for _ in range(height)]
    fills = {name: m.group(1) for name, css in _CLASS.findall(svg) if (m := _FILL.search(css))}
    for fill, x, y, w in _RECT.findall(svg):
        row = round((float(y) - 1.5) / LINE_HEIGHT)
        first = round(float(x) / CHAR_WIDTH)
        for col in range(first, first + round(float(w) / CHAR_WIDTH)):
            if 0 <= row < height and col < width:
                grid[row][col].bg = fill
    for name, x, line, text in _TEXT.findall(svg):
        row, col = int(line), round(float(x) / CHAR_WIDTH)
        for offset, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            if row < height and col + offset < width:
                cell = grid[row][col + offset]
                cell.char, cell.fg = char, fills.get(name)
    return grid


def lines(svg: str, size: tuple[int, int]) -> list[str]:
    """The screen's text, a string a row (trailing spaces kept: every row is `width` long)."""
    return ["".join(cell.char for cell in row) for row in cells(svg, size)]


def _luma(colour: str | None, default: int) -> int:
    if colour is None:
        return default
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return round(0.299 * r + 0.587 * g + 0.114 * b)


def decode_qr(svg: str, size: tuple[int, int], scale: int = 4) -> list[str]:
    """Every QR code on the screen, decoded with zxing-cpp from the half blocks drawn.

    Each cell becomes two pixels, one above the other (its top and bottom halves), painted in
    the cell's colours; text that is not a block character counts as its background.
    """
    import zxingcpp

    width, height = size
    pixel_rows: list[bytes] = []
    for row in cells(svg, size):
        top, bottom = bytearray(), bytearray()
        for cell in row:
            back = _luma(cell.bg, 0)
            front = _luma(cell.fg, 255)
            paint_top, paint_bottom = _HALF_BLOCKS.get(cell.char, (False, False))
            top += bytes([front if paint_top else back]) * scale
            bottom += bytes([front if paint_bottom else back]) * scale
        pixel_rows += [bytes(top)] * scale + [bytes(bottom)] * scale
    image = memoryview(b"".join(pixel_rows)).cast("B", (2 * height * scale, width * scale))
    return [
        found.text
        for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.QRCode))
    ]
