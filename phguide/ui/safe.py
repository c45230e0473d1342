"""Server text in phguide's own markup, shown literally whatever it holds.

Textual 8's markup parser reads more than Rich's: `[ @click=…]` (leading space), upper-case
tags (`[EU]` vanishes), variables (`[$accent]`), and a backslash escapes the next `[` (so a
name ending in `\\` would eat phguide's own closing tag). `rich.markup.escape` and
`textual.markup.escape` miss some of these. `content` builds a `Content` from phguide's
template with the server text as `$variables`, which Textual inserts as plain text; `plain`
wraps text that is shown alone.
"""

from __future__ import annotations

from textual.content import Content

__all__ = ["content", "escape", "plain"]


def content(template: str, /, **values: object) -> Content:
    """phguide's markup `template` with each `$name` replaced by the literal text of `values`.

    Args:
        template: phguide's own markup (never server text).
        **values: The text to insert, shown exactly as given.

    Returns:
        The content to show.
    """
    return Content.from_markup(template, **{name: str(v) for name, v in values.items()})


def plain(text: object) -> Content:
    """Text shown as it is: no markup read in it at all."""
    return Content(str(text))


def escape(text: str) -> str:
    """Text to put inside phguide's markup so that Textual shows it literally.

    Every `[` is escaped. A trailing backslash (which would escape the `[` of phguide's next
    tag, and which Textual's markup cannot escape) is followed by a zero-width space; prefer
    `content` where the text may end in one.
    """
    escaped = text.replace("[", "\\[")
    return escaped + "\u200b" if escaped.endswith("\\") else escaped
