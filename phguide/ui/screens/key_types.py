"""Step 1: the two kinds of PostHog key, side by side, with the guide's security notes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from phguide.ui.hanging import Hanging
from phguide.ui.screens.base import StepScreen

PROJECT_KEY_TEXT = """\
[b]Project API key[/b]  [dim]project token · public · phc_…[/dim]

For client-side integrations (JavaScript, mobile apps).
Safe to expose in frontend code.
Sends events and identifies users.
Cannot read or modify your data.

[green]✅[/] Safe to use in client-side code
[green]✅[/] Can be committed to version control
[green]✅[/] Visible in browser developer tools
[red]❌[/] Cannot perform administrative actions"""

PERSONAL_KEY_TEXT = """\
[b]Personal API key[/b]  [dim]secret · phx_…[/dim]

For server-side integrations and API access.
Must be kept secret.
Full read/write access within its scopes.
Used for administrative tasks and data retrieval.
Shown once when created: copy it then.

[red]❌[/] Never expose in client-side code
[red]❌[/] Never commit to version control
[green]✅[/] Use environment variables to store
[green]✅[/] Full access to read/write data"""

INTRO = (
    "PostHog uses different keys for different jobs. phguide signs you in, finds your "
    "[b]Project API key[/b] (PostHog's docs now call it the [b]project token[/b]) and manages "
    "your [b]Personal API keys[/b], then puts the one you need on your clipboard or in your "
    "keyring. A third kind, the [b]project secret API key[/b] (phs_…), is secret too: it is "
    "for flags evaluated on your server (step 5 shows how)."
)


class KeyTypesScreen(StepScreen):
    """The guide's "Understanding PostHog API Keys" and "Important Security Notes"."""

    STEP_ID = "key-types"
    BINDINGS = [Binding("enter", "app.go('log-in')", "Log in", id="start-log-in")]
    AUTO_FOCUS = ""
    """The text gets focus (for scrolling) after the first frame: focusing restyles it."""

    def on_mount(self) -> None:
        self.call_after_refresh(self.query_one("#body").focus)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="body"):
            yield Static(INTRO, id="key-types-intro")
            with Horizontal(id="key-types-panels"):
                yield Static(
                    Hanging(PROJECT_KEY_TEXT), classes="key-panel -public", id="project-key-panel"
                )
                yield Static(
                    Hanging(PERSONAL_KEY_TEXT), classes="key-panel -secret", id="personal-key-panel"
                )
            yield Static(
                "Press [b]Enter[/b] to log in, or a number key to jump to any step.",
                id="key-types-next",
            )
