"""Bulleted text with hanging indents: a wrapped bullet's next lines start under its text."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from rich.cells import cell_len
from textual.content import Content
from textual.visual import Visual

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions

_MARK: Final = re.compile(r"^(\s*(?:(?:[•✅❌✓✗✔✘⚠!-]\ufe0f?)?\s+|[A-Z][\w ]{0,20}:\s{2,}))\S")
"""A line's lead, up to the first letter of its text: its indent and bullet (or mark), or a
label column ("Problem:    ", two spaces or more after the colon, as step 6's verdict aligns)."""


class Hanging(Visual):
    """Text whose bulleted lines wrap under their own text, not under the bullet.

    A line led by a bullet or mark ("• ", "✅ ", "- "), by a label column ("Problem:    ")
    or by spaces (a bullet's own second line) keeps its continuation lines that far in; other
    lines wrap as usual.

    Args:
        text: Markup (parsed by Textual, never by Rich), or Content for server text.
    """

    def __init__(self, text: str | Content) -> None:
        self.content = Content.from_markup(text) if isinstance(text, str) else text
        """The text as written, before wrapping."""
        self._wrapped: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return self.content.plain

    def wrapped(self, width: int) -> Content:
        """The text wrapped to `width`, continuation lines indented under their bullet's text."""
        if self._wrapped is not None and self._wrapped[0] == width:
            return self._wrapped[1]
        lines: list[Content] = []
        for line in self.content.split("\n", allow_blank=True):
            lead = _MARK.match(line.plain)
            indent = cell_len(lead.group(1)) if lead else 0
            if lead is None or indent >= width // 2 or line.cell_length <= width:
                lines.extend(line.wrap(width) if line.plain else [line])
                continue
            cut = len(lead.group(1))
            head, body = line[:cut], line[cut:]
            for n, part in enumerate(body.wrap(width - indent)):
                lines.append(head + part if n == 0 else part.pad_left(indent))
        result = Content("\n").join(lines)
        self._wrapped = (width, result)
        return result

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.wrapped(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.wrapped(width).get_height(rules, width)
