"""Log in with a key phguide finds: POSTHOG_PERSONAL_API_KEY, or the key saved for the host."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Button, Static

from phguide.ui.widgets.login_way import LoginWay

if TYPE_CHECKING:
    from phguide.core.hosts import Host
    from phguide.core.secret import Secret


class LoginSaved(LoginWay):
    """The environment's key (when set) and the key an earlier run saved for the chosen host."""

    found: reactive[tuple[Host, str, Secret] | None] = reactive(None, bindings=True)
    """The host, user and key an earlier run saved in the keyring, if any."""

    def compose(self) -> ComposeResult:
        env_key = self.services.env_key
        if env_key is not None:
            with Vertical(id="env-key-box"):
                yield Static(
                    Text(
                        f"POSTHOG_PERSONAL_API_KEY is set in your environment ({env_key.masked})."
                    ),
                    id="env-key-note",
                )
                yield Button("Use this key (e)", id="env-key-use", action="screen.use_env_key")
        with Vertical(id="saved-key-box"):
            yield Static("", id="saved-key-note")
            yield Button("Use the saved key (k)", id="saved-key-use", action="screen.use_saved_key")

    def on_mount(self) -> None:
        self.query_one("#saved-key-box").display = False

    @work(exclusive=True, group="saved-key", exit_on_error=False, thread=True)
    def look_up(self, host: Host | None) -> None:
        """Find the key an earlier run saved for this host (keyring calls can block: a thread)."""
        found: tuple[Host, str, Secret] | None = None
        held = None if host is None else self.services.accounts.active(host)
        if host is not None and held is not None:
            key, result = self.services.accounts.read(held)
            if key is not None and result.ok:
                found = (host, held.email, key)
        self.app.call_from_thread(setattr, self, "found", found)

    def watch_found(self, found: tuple[Host, str, Secret] | None) -> None:
        self.query_one("#saved-key-box").display = found is not None
        if found is not None:
            host, user, key = found
            self.query_one("#saved-key-note", Static).update(
                Text(
                    f"Saved in your keyring: a personal API key of {user} for {host.label} "
                ).append(f"({key.masked}).")
            )

    def use_saved(self) -> None:
        """Sign in with the saved key."""
        if self.found is not None:
            host, _, key = self.found
            self.check_key(host, key, "keyring")

    def use_env(self) -> None:
        """Sign in with POSTHOG_PERSONAL_API_KEY."""
        key = self.services.env_key
        if key is not None:
            host = self.host()
            if host is not None:
                self.check_key(host, key, "environment")
