"""Hostile mode: every string the demo serves is one an attacker could have typed.

A PostHog organization's names are typed by its members and a self-hosted server can say
anything; phguide must show all of it as text. Each name below carries a terminal escape (OSC 52
clipboard write, OSC 0 window title, a screen clear, with BEL and ESC \\ terminators), a bidi
override, and markup Textual or Rich would read (including forms `rich.markup.escape` misses
and ones that fail to parse). One project key holds shell metacharacters; one project's name
is tens of thousands of characters long.
"""

from __future__ import annotations

from typing import Final

from phguide.demo.data import DemoData

OSC52: Final = "\x1b]52;c;cHduZWQ=\x07"
"""Writes "pwned" to the clipboard through the terminal (BEL-terminated)."""
OSC0: Final = "\x1b]0;pwned-title\x1b\\"
"""Retitles the window (ESC \\-terminated, which Rich does not strip)."""
CLEAR: Final = "\x1b[2J"
C1: Final = "\x9b2J\x9d0;c1-title\x9c"
"""The same clear and retitle with 8-bit C1 controls (CSI, OSC, ST), which some terminals obey."""
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
ESCAPES: Final = (OSC52, OSC0, CLEAR, C1, BIDI)
SHELL_TOKEN: Final = "phc_$(touch /tmp/phguide-pwned)`id`;x"
"""A project key value that would run commands if a .env or shell line were not quoted."""
LONG: Final = " " + "界" * 3000 + "W" * 20000
"""Added to one project's name: far wider than any terminal, in wide and narrow characters."""
APPROVAL_QUERY: Final = "&from=[@click=app.quit]Quit[/][$accent][EU]"
"""Markup in the browser-approval URL (on the chosen host, so phguide shows and opens it)."""
SECRET_KEY_LABELS: Final = 3
"""Project secret keys (phs_) with hostile labels, on the first project."""


def hostile_text(n: int, what: str) -> str:
    """The n-th hostile string: an ordinary word, an escape and a markup form."""
    return f"{what} {MARKUP[n % len(MARKUP)]} {ESCAPES[n % len(ESCAPES)]}end{n}"


def hostile_email(n: int, email: str) -> str:
    """The email a hostile server gives for a user: markup and an escape in its local part."""
    local, _, domain = email.partition("@")
    return f"{local}+{MARKUP[n % len(MARKUP)]}{ESCAPES[n % len(ESCAPES)]}@{domain}"


def make_hostile(data: DemoData) -> DemoData:
    """Rewrite every served string of a data set in place.

    Organization and project names (one far too long), personal and project secret key
    labels, users' names and the emails the server gives for them (signing in still takes
    the real ones), and the browser-approval URL's query.
    """
    with data.lock:
        for n, org in enumerate(data.orgs.values()):
            org.name = hostile_text(n, "Org")
        for n, project in enumerate(data.projects.values()):
            project.name = hostile_text(n + 1, "Project")
        first = min(data.projects)
        data.projects[first].api_token = SHELL_TOKEN
        same_org = data.org_project_ids(data.projects[first].org_id)
        data.projects[max(same_org)].name += LONG
        for n, user in enumerate(data.users.values()):
            user.first_name = hostile_text(n + 2, "First")
            user.last_name = hostile_text(n + 3, "Last")
            user.shown_email = hostile_email(n, user.email)
        for n, key in enumerate(data.keys.values()):
            key.label = hostile_text(n + 4, "Key")
        creator = next(iter(data.users.values()), None)
        for n in range(SECRET_KEY_LABELS):
            data.secret_keys.create(
                first,
                hostile_text(n + 5, "Secret"),
                ["feature_flag:read"],
                created_at=data.seeded_at - 3600 * (n + 1),
                created_by=creator.served_email if creator else None,
            )
        data.approval_query = APPROVAL_QUERY
    return data
