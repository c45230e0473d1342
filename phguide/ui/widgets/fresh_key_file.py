"""`w` on a fresh key: ask for a file, say what is there (a link, a file, a git work tree), write.

The writing itself is `core.key_file.write_key` (the one atomic writer, 0600, read back);
this module asks the questions, in dialogs, and says on the panel why a write did not happen.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from phguide.core.key_file import KeyFileError, look_at, shown, suggested_path, write_key
from phguide.core.text import short_path
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.path import PathDialog
from phguide.ui.safe import escape

if TYPE_CHECKING:
    from textual.screen import Screen

    from phguide.core.key_file import Target
    from phguide.core.state import FreshKey
    from phguide.ui.widgets.fresh_key import FreshKeyPanel


async def write_to_file(panel: FreshKeyPanel, fresh: FreshKey) -> str | None:
    """Ask where, check the place, write the key; call from a worker (dialogs are waited for).

    Returns:
        The file written, as the user reads it (``~/…``), or None (cancelled, refused, failed:
        the panel says why).
    """
    app = panel.app
    typed = await app.push_screen_wait(
        PathDialog(
            "Write the key to a file",
            f"phguide writes “{escape(fresh.label)}” to this file, readable by you only (mode "
            "600). Your home's [b]~/.config/posthog[/b] is outside every project, so git "
            "never sees it. Point your server or tool at the file.",
            default=shown(suggested_path(fresh.label)),
            placeholder="~/.config/posthog/personal-api-key.key",
            input_id="key-file-path",
        )
    )
    if not typed:
        return None
    try:
        target = await asyncio.to_thread(look_at, typed)
    except KeyFileError as error:
        panel.note(f"Not written: {error.message} {error.fix}")
        return None
    if target.link is not None:
        panel.note(
            f"Not written: {short_path(target.path)} is a symbolic link to "
            f"{short_path(target.link)}. phguide never "
            "writes a key through a link: choose the file itself (w)."
        )
        return None
    if target.folder:
        panel.note(f"Not written: {short_path(target.path)} is a folder. Add a file name (w).")
        return None
    for title, body, yes in _questions(target):
        if not await _ask(panel, title, body, yes):
            panel.note(f"Not written: {short_path(target.path)} is as it was.")
            return None
    try:
        await asyncio.to_thread(write_key, target.path, fresh.value)
    except KeyFileError as error:
        panel.note(f"Not written: {error.message} {error.fix}")
        return None
    return shown(target.path)


def _questions(target: Target) -> list[tuple[str, str, str]]:
    """What to ask before writing there: replacing a file, and writing inside a git work tree."""
    asks = []
    if target.exists:
        asks.append(
            (
                f"Replace {target.path.name}?",
                f"{target.path} exists. Writing replaces all of it with the key.",
                "Replace it",
            )
        )
    if target.work_tree is not None:
        git = {
            True: "Git ignores the file now, but a change to .gitignore can undo that.",
            False: "Git does not ignore it: the next `git add .` would commit your key.",
            None: "phguide could not ask git whether it ignores the file.",
        }[target.ignored]
        asks.append(
            (
                "Write into a git work tree?",
                f"{target.path} is inside the git work tree {target.work_tree}. {git} A key "
                "pushed anywhere must be rolled. Your home's ~/.config/posthog is safer.",
                "Write it there",
            )
        )
    return asks


async def _ask(panel: FreshKeyPanel, title: str, body: str, yes: str) -> bool:
    dialog = ConfirmDialog(title, body, yes=yes, no="Go back", danger=True)
    return bool(await panel.app.push_screen_wait(cast("Screen[object]", dialog)))
