"""Step 5: the guide's "Using your API keys" examples, filled in with the user's key and host."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from phguide.core.frameworks import FRAMEWORKS, PLAIN, Framework
from phguide.core.secret import Secret
from phguide.core.snippets import (
    PERSONAL_KEY_VARIABLE,
    Snippet,
    SnippetContext,
    SnippetId,
    build_snippets,
    env_values,
)
from phguide.core.state import ActiveKey, Session
from phguide.ui.hanging import Hanging
from phguide.ui.safe import escape
from phguide.ui.screens.base import StepScreen

if TYPE_CHECKING:
    from phguide.core.accounts import Accounts

INTRO = (
    "The guide's examples, filled in with [b]your[/b] project API key (the [b]project token[/b]) "
    "and your region's hosts. Move with [b]↑ ↓[/b] and press [b]c[/b] to copy one, or its "
    "letter from anywhere; [b]f[/b] picks your framework's variable names."
)

RESOURCES: tuple[tuple[str, str], ...] = (
    ("PostHog API overview: personal API keys and endpoints", "https://posthog.com/docs/api"),
    ("JavaScript web SDK (posthog-js)", "https://posthog.com/docs/libraries/js"),
    ("Python SDK (posthog)", "https://posthog.com/docs/libraries/python"),
    ("Node.js SDK (posthog-node)", "https://posthog.com/docs/libraries/node"),
    (
        "Local evaluation of feature flags (secret keys)",
        "https://posthog.com/docs/feature-flags/local-evaluation",
    ),
)
"""The guide's "Additional resources": PostHog's own docs."""

CLOSING_NOTE = (
    "Note: the interface may vary slightly depending on your PostHog version and whether you "
    "are using PostHog Cloud or a self-hosted instance."
)

NOT_SIGNED_IN = (
    "[b]Not signed in: these examples show placeholders.[/b] Log in ([b]l[/b]) and pick a "
    "project in step 3, and phguide fills them in. Or replace [b]{placeholders}[/b] by hand "
    "with the keys from PostHog's Project settings and Account settings."
)

COPY_KEYS: dict[SnippetId, str] = {
    "javascript": "j",
    "python": "p",
    "node": "n",
    "server": "s",
    "curl": "t",
    "local-python": "v",
    "local-node": "x",
    "shell": "e",
    "dotenv": "d",
}
"""One key per example: copy it without moving there first."""

COPY_TITLES: dict[SnippetId, str] = {
    "javascript": "JavaScript",
    "python": "Python",
    "node": "Node.js",
    "server": "server-side API",
    "curl": "curl",
    "local-python": "Python local evaluation",
    "local-node": "Node.js local evaluation",
    "shell": "shell export",
    "dotenv": ".env",
}

_COPY_GROUP = Binding.Group("Copy one", compact=False)


class SnippetPanel(Vertical, can_focus=True):
    """One example in a box: its code and a line on where it goes. The screen copies it."""

    def __init__(self, snippet_id: SnippetId, key: str) -> None:
        super().__init__(id=f"snippet-{snippet_id}", classes="snippet")
        self.snippet_id: SnippetId = snippet_id
        """Which example this panel shows."""
        self._key = key

    def compose(self) -> ComposeResult:
        yield Static("", classes="snippet-code", markup=False)
        yield Static("", classes="snippet-note", markup=False)

    def show(self, snippet: Snippet, *, reveal: bool) -> None:
        """Display a snippet (a personal key in it masked unless `reveal`)."""
        self.border_title = f"{self._key}  {snippet.title}"
        hidden = snippet.secret and not reveal
        self.border_subtitle = (
            "secret: r reveals" if hidden else ("secret" if snippet.secret else "")
        )
        self.set_class(snippet.secret, "-secret")
        self.query_one(".snippet-code", Static).update(snippet.shown(reveal=reveal))
        self.query_one(".snippet-note", Static).update(snippet.note)


class ResourceLink(Static, can_focus=True):
    """One of PostHog's docs pages: `o` opens it."""

    def __init__(self, title: str, url: str) -> None:
        super().__init__(Hanging(Content(f"• {title}: {url}")), classes="resource")
        self.url = url
        """The page `o` opens."""


class UsageScreen(StepScreen):
    """Using your keys: client-side, server-side, shell and `.env` examples, each copyable."""

    CSS_PATH = "usage.tcss"

    STEP_ID = "usage"
    AUTO_FOCUS = ""
    """Nothing focused at first, so the intro shows; ↓ or a copy key moves to an example."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_focused", "Copy this", id="copy-snippet"),
        Binding("r", "reveal", "Reveal key", id="reveal-snippet-key"),
        Binding("r", "hide", "Hide key", id="hide-snippet-key"),
        Binding("w", "write_env", "Write .env", id="write-env"),
        # Out of the footer too (the step says "f picks another"): at 80 columns it cut Quit.
        Binding("f", "next_framework", "Framework", show=False, id="usage-framework"),
        # Out of the footer (the resources say "o opens one"): the copy keys need its room.
        Binding("o", "open_resource", "Open docs", show=False, id="usage-open-docs"),
        # Offered only while signed out: Enter goes to Log in then (the footer shows ⏎).
        Binding("enter,l", "log_in", "Log in", id="usage-log-in"),
        # Priority: the scroller around the examples would take the arrows to scroll instead.
        Binding("down", "focus_next_snippet", "Next", show=False, priority=True, id="next-snippet"),
        Binding(
            "up",
            "focus_previous_snippet",
            "Previous",
            show=False,
            priority=True,
            id="previous-snippet",
        ),
        *(
            # One footer entry for all ("j p n … Copy one"), one palette command each.
            Binding(
                key,
                f"copy('{snippet_id}')",
                f"Copy the {COPY_TITLES[snippet_id]} example",
                group=_COPY_GROUP,
                id=f"copy-{snippet_id}",
            )
            for snippet_id, key in COPY_KEYS.items()
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._filled = SnippetContext()
        self._snippets: dict[SnippetId, Snippet] = {}
        self._revealed = False
        self._framework: Framework = PLAIN
        self._key: tuple[Secret, str] | None = None
        """The personal key the examples use, and where it comes from in words."""

    def compose_body(self) -> ComposeResult:
        # The examples take the focus (and scroll into view); the scroller itself need not.
        with VerticalScroll(id="body", can_focus=False):
            yield Static(INTRO, id="usage-intro")
            yield Static("", id="usage-context")
            for snippet_id, key in COPY_KEYS.items():
                yield SnippetPanel(snippet_id, key)
            yield Static("[b]Additional resources[/b]  (o opens one)", id="usage-resources")
            for title, url in RESOURCES:
                yield ResourceLink(title, url)
            yield Static(CLOSING_NOTE, id="usage-note", markup=False)

    def on_mount(self) -> None:
        self.refresh_from_state()

    # -- state ------------------------------------------------------------------------------
    def refresh_from_state(self) -> None:
        self._show_state()
        session = self.state.session
        if session is not None:
            # The active key may have changed since (a save, a switch, `phguide login`).
            self._read_active_key(session, self.services.accounts, self.state.active_key)

    @work(
        exclusive=True, group="active-key", exit_on_error=False, thread=True, description="active"
    )
    def _read_active_key(
        self, session: Session, accounts: Accounts, known: ActiveKey | None
    ) -> None:
        """Read the host's active key from the keyring (a thread: keyring calls can block)."""
        held = accounts.active(session.host)
        found: ActiveKey | None = None
        if held is not None and known is not None and known.held == held:
            found = known  # read already: one keyring read per change of the active key
        elif held is not None:
            value, result = accounts.read(held)
            found = ActiveKey(held, value) if value is not None and result.ok else None
        self.app.call_from_thread(self._active_key_read, session, found)

    def _active_key_read(self, session: Session, found: ActiveKey | None) -> None:
        if self.state.session is not session or self.state.active_key == found:
            return
        self.state.active_key = found
        self.show_once_mounted(self._show_state)

    def _read_context(self) -> SnippetContext:
        session = self.state.session
        if session is None:
            return SnippetContext(
                host=self.services.host or self.services.clouds.us, framework=self._framework
            )
        project = session.selected_project
        if project is None and session.user is not None:
            project = session.user.team
        return SnippetContext(
            host=session.host,
            project_token=project.api_token if project else None,
            project_id=project.id if project else None,
            project_name=project.name if project else None,
            personal_key=self._key[0] if self._key is not None else None,
            framework=self._framework,
        )

    def _show_state(self) -> None:
        self._key = self.state.examples_key(self.services.env_key_variable)
        context = self._read_context()
        if context.personal_key != self._filled.personal_key:
            # A different key must never inherit an earlier reveal.
            self._revealed = False
        self._filled = context
        self._snippets = {snippet.id: snippet for snippet in build_snippets(context)}
        self._show_context()
        self._show_snippets()
        self.refresh_bindings()

    def _show_context(self) -> None:
        context = self._filled
        session = self.state.session
        host = context.chosen_host
        if session is None:
            text = NOT_SIGNED_IN.format(placeholders=escape(", ".join(context.placeholders)))
            text += f"\nHosts shown: {escape(host.label)}."
        else:
            who = f" as {escape(session.user.email)}" if session.user else ""
            if context.project_name is not None:
                project = f"[b]{escape(context.project_name)}[/b] (id {context.project_id})"
            else:
                project = "no project yet (pick one in step 3)"
            text = f"Filled in for {project} on [b]{escape(host.label)}[/b]{who}."
            if self._key is not None:
                text += f"\nPersonal API key: {escape(self._key[1])} ({self._key[0].masked})."
            else:
                text += (
                    f"\nNo personal API key in this session: {PERSONAL_KEY_VARIABLE} shows a "
                    "placeholder. Create one in step 4 to fill it in."
                )
        framework = context.framework
        text += (
            f"\nFramework: [b]{escape(framework.name)}[/b] ({escape(framework.key_variable)}, "
            f"{escape(framework.env_file)}); [b]f[/b] picks another."
        )
        self.query_one("#usage-context", Static).update(text)

    def _show_snippets(self) -> None:
        for panel in self.query(SnippetPanel):
            panel.show(self._snippets[panel.snippet_id], reveal=self._revealed)

    # -- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reveal", "hide"):
            # One key, two words: the footer says what `r` does now.
            shown = action == "hide"
            return self._filled.personal_key is not None and self._revealed == shown
        if action == "write_env":
            return bool(env_values(self._filled))
        if action == "log_in":
            return self.state.session is None
        return True

    def action_next_framework(self) -> None:
        """Use the next framework's variable names in the browser and `.env` examples."""
        index = FRAMEWORKS.index(self._framework)
        self._framework = FRAMEWORKS[(index + 1) % len(FRAMEWORKS)]
        self._show_state()
        self.guide.status = f"Examples use {self._framework.name}'s variable names."

    def action_open_resource(self) -> None:
        """Open the focused docs page (the first when none is focused) in the browser."""
        focused = self.focused
        links = list(self.query(ResourceLink))
        link = focused if isinstance(focused, ResourceLink) else links[0]
        self.guide.open_page(link.url)

    def _focused_panel(self) -> SnippetPanel | None:
        focused = self.focused
        return focused if isinstance(focused, SnippetPanel) else None

    def action_log_in(self) -> None:
        """Go to the Log in step."""
        self.guide.action_go("log-in")

    def action_copy_focused(self) -> None:
        """Copy the example (or docs link) that has the focus (the first example when none has)."""
        focused = self.focused
        if isinstance(focused, ResourceLink):
            self.guide.copy_text(focused.url, secret=False, what="the link")
            return
        panel = self._focused_panel()
        self.action_copy(panel.snippet_id if panel else "javascript")

    def action_copy(self, snippet_id: SnippetId) -> None:
        """Copy one example; one holding a personal key is cleared from the clipboard later."""
        snippet = self._snippets[snippet_id]
        self.query_one(f"#snippet-{snippet_id}", SnippetPanel).focus()
        self.guide.copy_text(
            snippet.copy_value(), secret=snippet.secret, what=f"the {snippet.title} example"
        )

    def action_reveal(self) -> None:
        """Show or hide the personal API key in the examples."""
        self._revealed = not self._revealed
        self._show_snippets()
        self.refresh_bindings()

    def action_hide(self) -> None:
        """Mask the personal API key in the examples again."""
        self.action_reveal()

    def _move(self, step: int) -> None:
        panels: list[Widget] = [*self.query(SnippetPanel), *self.query(ResourceLink)]
        current = self.focused
        index = panels.index(current) + step if current in panels else 0
        panels[max(0, min(index, len(panels) - 1))].focus()

    def action_focus_next_snippet(self) -> None:
        """Focus the next example."""
        self._move(1)

    def action_focus_previous_snippet(self) -> None:
        """Focus the previous example."""
        self._move(-1)

    def action_write_env(self) -> None:
        """Ask for a `.env` path and set the variables in it."""
        values = env_values(self._filled)
        if values:
            self._write_env(values, self._filled)

    # -- writing the .env file ----------------------------------------------------------------
    async def _ask(
        self, title: str, body: str, yes: str, *, danger: bool = False, default_yes: bool = False
    ) -> bool:
        from phguide.ui.dialogs.confirm import ConfirmDialog

        answer = await self.app.push_screen_wait(
            ConfirmDialog(title, body, yes=yes, no="No", danger=danger, default_yes=default_yes)
        )
        return bool(answer)

    @work(exclusive=True, group="dotenv", exit_on_error=False, description="write env")
    async def _write_env(self, values: dict[str, str], context: SnippetContext) -> None:
        """Write the `.env` file; the worker boundary: no traceback reaches the screen."""
        try:
            await self._write_env_steps(values, context)
        except Exception:
            self.guide.status = "Could not write the .env file: something unexpected went wrong."

    async def _write_env_steps(self, values: dict[str, str], context: SnippetContext) -> None:
        """Ask where, confirm replacing what differs, write, then check git ignores the file."""
        from phguide.core.dotenv import (
            DotenvError,
            DotenvSymlink,
            add_to_gitignore,
            git_ignores,
            read_values,
            update_dotenv,
        )
        from phguide.ui.dialogs.env_file import EnvFileDialog

        key = context.personal_key
        shown = {
            name: key.masked if name == PERSONAL_KEY_VARIABLE and key is not None else value
            for name, value in values.items()
        }
        default = f"./{context.framework.env_file}"
        answer = await self.app.push_screen_wait(EnvFileDialog(shown, default=default))
        if not answer:
            return
        path = Path(answer).expanduser()
        try:
            existing = await asyncio.to_thread(read_values, path, list(values))
            different = [name for name, value in existing.items() if value != values[name]]
            plural = "s" if len(different) > 1 else ""
            if different and not await self._ask(
                f"Replace {len(different)} variable{plural} in {path.name}?",
                f"{path} already sets {', '.join(different)} to another value. phguide "
                "replaces that value where it stands and keeps every other line.",
                "Replace",
                danger=PERSONAL_KEY_VARIABLE in different,
            ):
                self.guide.status = f"Left {path} as it was."
                return
            try:
                change = await asyncio.to_thread(update_dotenv, path, values)
            except DotenvSymlink as link:
                if not await self._ask(
                    f"{path.name} is a link",
                    f"{path} is a symbolic link to {link.target}. Write the keys there?",
                    "Write through the link",
                    danger=PERSONAL_KEY_VARIABLE in values,
                ):
                    self.guide.status = f"Left {path} and {link.target} as they were."
                    return
                change = await asyncio.to_thread(update_dotenv, path, values, follow_symlink=True)
        except DotenvError as error:
            self.guide.status = f"Could not write {path}: {error.message}"
            self._failed(error.message, error.fix)
            return
        parts = []
        if change.updated:
            parts.append(f"updated {', '.join(change.updated)}")
        if change.added:
            parts.append(f"added {', '.join(change.added)}")
        if change.unchanged and not parts:
            parts.append("it already had these values")
        status = f"{'Created' if change.created else 'Wrote'} {change.path}: {'; '.join(parts)}."
        secret = PERSONAL_KEY_VARIABLE in values
        if change.tightened_from is not None:
            status += (
                f" Made it private (mode 600; it was {change.tightened_from:o}): it may hold a key."
            )
        if secret and change.readable_by_others:
            status += f" It is readable by other users (mode {change.mode:o}): chmod 600 it."
        self.guide.status = status
        if get_current_worker().is_cancelled:
            return
        ignored = await asyncio.to_thread(git_ignores, change.path)
        if ignored is not False:
            return
        name = change.path.name
        if not secret:
            self.guide.status = f"{status} Git would track {name}: fine for the public project key."
            return
        if not await self._ask(
            f"Git does not ignore {name}",
            f"{change.path} holds your personal API key, and git would commit it: anyone with "
            "the repository would have your key. Add it to the .gitignore beside it?",
            "Add to .gitignore",
            default_yes=True,  # the safe answer: Enter keeps the key out of git
        ):
            self.guide.status = f"{status} Warning: git does not ignore {name}."
            return
        try:
            gitignore = await asyncio.to_thread(add_to_gitignore, change.path)
        except DotenvError as error:
            self._failed(error.message, error.fix)
            return
        again = await asyncio.to_thread(git_ignores, change.path)
        if again is False:
            self.guide.status = (
                f"Added /{name} to {gitignore}, but git already tracks {name}: run "
                f"git rm --cached {name}, and roll the key if it was ever pushed."
            )
        else:
            self.guide.status = f"{status} Added /{name} to {gitignore}."

    def _failed(self, message: str, fix: str) -> None:
        # On the status line, not in a toast: a toast would cover the examples.
        self.guide.status = f"Not written: {message} {fix}"
