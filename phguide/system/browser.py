"""Open a web page only where a browser can show it (not over SSH, not without a display)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping


def can_open_browser(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True when opening a browser would show the page to the person at the keyboard.

    Over SSH the browser would open on the remote machine (or fail), so we don't try; on
    Linux and the BSDs a browser needs a display.
    """
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return False
    if plat.startswith(("win", "darwin", "cygwin")):
        return True
    if env.get("WSL_DISTRO_NAME"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def open_in_browser(url: str) -> bool:
    """Open a URL in the user's browser when there is one.

    Returns:
        True if a browser was asked to open the page. Only http(s) pages are opened: a
        `file:`, `javascript:` or app-specific URL is never handed to the launcher.
    """
    if not url.lower().startswith(("https://", "http://")) or not url.isprintable():
        return False
    if not can_open_browser():
        return False
    import webbrowser

    try:
        return webbrowser.open(url, new=2)
    except Exception:  # any browser launcher failure just means "show the URL instead"
        return False
