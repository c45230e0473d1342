"""Hostile mode: every string the demo serves is one an attacker could have typed.

A PostHog organization's names are typed by its members and a self-hosted server can say
anything; phguide must show all of it as text. Each name below carries a terminal escape (OSC 52
clipboard write, OSC 0 window title, a screen clear, with BEL and ESC \\ terminators), a bidi
override, and markup Textual or Rich would read (including forms `rich.markup.escape` misses
and ones that fail to parse). One project key holds shell metacharacters.
"""

from __future__ import annotations

from typing import Final

from phguide.demo.data import DemoData

OSC52: Final = "\x1b]52;c;cHduZWQ=\x07"
"""Writes "pwned" to the clipboard through the terminal (BEL-terminated)."""
OSC0: Final = "\x1b]0;pwned-title\x1b\\"
"""Retitles the window (ESC \\-terminated, which Rich does not strip)."""
CLEAR: Final = "\x1b[2J"
BIDI: Final = "\u202egnp.exe"
MARKUP: Final = (
    "[ @click=app.quit]Quit[/]",
    "[@click=app.screenshot('victim.rc','/tmp')]shot[/]",
    "Acme [EU] Corp",
    "[$accent]accent",
    "[/]",
    "[@click=",
    "[b]bold[/b] [link=https://evil.example]link[/link]",
)
"""Markup forms: Textual-specific, Rich, and ones that cannot be parsed."""
ESCAPES: Final = (OSC52, OSC0, CLEAR, BIDI)
SHELL_TOKEN: Final = "phc_$(touch /tmp/phguide-pwned)`id`;x"
"""A project key value that would run commands if a .env or shell line were not quoted."""


def hostile_text(n: int, what: str) -> str:
    """The n-th hostile string: an ordinary word, an escape and a markup form."""
    return f"{what} {MARKUP[n % len(MARKUP)]} {ESCAPES[n % len(ESCAPES)]}end{n}"


def make_hostile(data: DemoData) -> DemoData:
    """Rewrite every served string of a data set in place (names, labels, user names)."""
    with data.lock:
        for n, org in enumerate(data.orgs.values()):
            org.name = hostile_text(n, "Org")
        for n, project in enumerate(data.projects.values()):
            project.name = hostile_text(n + 1, "Project")
        first = min(data.projects)
        data.projects[first].api_token = SHELL_TOKEN
        for n, user in enumerate(data.users.values()):
            user.first_name = hostile_text(n + 2, "First")
            user.last_name = hostile_text(n + 3, "Last")
        for n, key in enumerate(data.keys.values()):
            key.label = hostile_text(n + 4, "Key")
    return data
