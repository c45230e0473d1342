"""The one boundary where text from a server (or a paste) becomes text phguide may show.

Names, labels and emails are typed by other people: an organization called
``ESC ] 52 ; c ; … BEL`` would write to the user's clipboard, a bidi override would make a
name read backwards, a line break would forge a line of output. `clean` turns every such
character into a visible escape and bounds the length; the result is still plain text and must
be rendered as content, never as markup (see `phguide.ui.safe`).
"""

from __future__ import annotations

import functools
import os
import re

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    from typing import Final

__all__ = ["MAX_TEXT", "clean", "has_unsafe", "visible"]

MAX_TEXT: Final = 300
"""Characters kept of one server string: far above any real name, label or email."""

_BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidi marks, embeddings, overrides and isolates: they reorder what is shown around them."""
_INVISIBLE: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff\u2028\u2029\u180e")
"""Zero-width characters and the Unicode line separators."""


@functools.cache
def _unsafe() -> re.Pattern[str]:
    """Every character `clean` escapes, compiled on first need: most text has none (see
    `clean`), and compiling it would cost every subcommand's output about a millisecond."""
    return re.compile(
        "[\x00-\x1f\x7f-\x9f" + "".join(sorted(_BIDI | _INVISIBLE)) + "\ud800-\udfff]"
    )


def visible(char: str) -> str:
    """The visible escape for one unsafe character: ``\\x1b`` for controls, ``⟨U+202E⟩`` else."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"⟨U+{code:04X}⟩"


def has_unsafe(text: str) -> bool:
    """True when the text holds a control, bidi or invisible character."""
    return not text.isprintable() and _unsafe().search(text) is not None


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """Text safe to print or draw: unsafe characters escaped, the length bounded.

    Args:
        text: Text from a server or a paste.
        limit: The most characters kept before escaping; longer text ends in ``…``.

    Returns:
        The text with every C0/C1 control, DEL, bidi control and zero-width character shown
        as a visible escape (``\\x1b``, ``⟨U+202E⟩``), at most about `limit` characters long.
    """
    if len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():  # no unsafe character is printable: nothing to escape
        return text
    return _unsafe().sub(lambda match: visible(match.group(0)), text)


MAX_PATH_SHOWN: Final = 120
"""A longer path is cut in the middle in messages (the status line is two lines at most)."""


def short_path(path: str | os.PathLike[str]) -> str:
    """A path as a message shows it: unsafe characters escaped, and a very long one cut in
    the middle, so that the reason after it is still read and the file's name is kept."""
    text = os.fspath(path)
    if len(text) > MAX_PATH_SHOWN:
        text = f"{text[: MAX_PATH_SHOWN // 3]}…{text[-MAX_PATH_SHOWN // 2 :]}"
    return clean(text)
