"""The palette's Screenshot: an SVG of the screen, saved where it can be, with no secret in it."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from phguide.core.secret import Secret

_SECRET_SHAPE = re.compile(r"\bph[xsar]_[A-Za-z0-9_-]{8,}")
"""Anything on screen shaped like a secret key (personal, project secret, OAuth tokens)."""


def screenshot_folder(candidates: Iterable[Path] | None = None) -> Path:
    """The first folder of Downloads, home and the temporary folder that exists and is writable."""
    import os

    if candidates is None:
        candidates = (Path.home() / "Downloads", Path.home(), Path(tempfile.gettempdir()))
    for folder in candidates:
        if folder.is_dir() and os.access(folder, os.W_OK):
            return folder
    return Path(tempfile.gettempdir())


def mask_secrets(svg: str, secrets: Sequence[Secret]) -> str | None:
    """The SVG with every secret masked, or None when one may still be in it.

    Known secrets are replaced wherever they appear whole; anything else shaped like a secret
    key is masked too. A secret drawn in pieces (a cursor inside it) cannot be found whole, so
    when any 8-character piece of a known one remains the screenshot is refused.
    """
    for secret in secrets:
        svg = svg.replace(secret.reveal(), secret.masked)
    svg = _SECRET_SHAPE.sub(lambda m: m.group()[:4] + "…" + m.group()[-4:], svg)
    for secret in secrets:
        value = secret.reveal()
        if any(value[i : i + 8] in svg for i in range(4, max(5, len(value) - 7))):
            return None
    return svg


def save_masked(svg: str, secrets: Sequence[Secret]) -> str:
    """Save a screenshot with every secret masked, where a folder is writable.

    Returns:
        What happened, for the status line (saved where, or why not).
    """
    from datetime import datetime

    masked = mask_secrets(svg, secrets)
    if masked is None:
        return "No screenshot: a key is on screen. Hide it (v), then try again."
    path = screenshot_folder() / f"phguide-{datetime.now():%Y-%m-%d-%H%M%S}.svg"
    try:
        path.write_text(masked, encoding="utf-8")
    except OSError as error:
        return f"Could not save the screenshot in {path.parent}: {error.strerror}."
    return f"Saved a screenshot (secrets masked) to {path}."
