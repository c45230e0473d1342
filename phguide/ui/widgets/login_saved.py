"""Log in with a key phguide finds: POSTHOG_PERSONAL_API_KEY, or the key saved for the host."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Button, Select, Static

from phguide.ui.widgets.login_way import LoginWay

if TYPE_CHECKING:
    from phguide.core.accounts import HeldKey
    from phguide.core.hosts import Host
    from phguide.core.secret import Secret


class LoginSaved(LoginWay):
    """The environment's key (when set) and the key an earlier run saved for the chosen host."""

    found: reactive[tuple[Host, str, Secret] | None] = reactive(None, bindings=True)
    """The host, user and key an earlier run saved in the keyring, if any."""
    held: reactive[tuple[HeldKey, ...]] = reactive(())
    """Every key phguide holds for the chosen host (the settings index: no keyring call)."""
    _looked_up: Host | None = None

    def compose(self) -> ComposeResult:
        env_key = self.services.env_key
        if env_key is not None:
            with Vertical(id="env-key-box"):
                yield Static(
                    Text(
                        f"{self.services.env_key_variable} is set in your environment "
                        f"({env_key.masked})."
                    ),
                    id="env-key-note",
                )
                yield Button("Use this key (e)", id="env-key-use", action="screen.use_env_key")
        with Vertical(id="saved-key-box"):
            yield Static("", id="saved-key-note")
            yield Select[str](
                [], prompt="Use another key held for this host", id="saved-key-choice"
            )
            yield Button("Use the saved key (k)", id="saved-key-use", action="screen.use_saved_key")

    def on_mount(self) -> None:
        self.watch_found(self.found)
        self.watch_held(self.held)

    @property
    def _shown(self) -> bool:
        """True while its widgets are there: a look-up answers from a thread, which may be
        before they are mounted (on_mount shows the answer then) or after a sign-in took the
        Log in screen away."""
        return bool(self.query("#saved-key-box"))

    @work(
        exclusive=True, group="saved-key", exit_on_error=False, thread=True, description="look up"
    )
    def look_up(self, host: Host | None) -> None:
        """Find the key an earlier run saved for this host (keyring calls can block: a thread)."""
        found: tuple[Host, str, Secret] | None = None
        accounts = self.services.accounts
        self._looked_up = host
        held = None if host is None else accounts.active(host)
        if host is not None and held is not None:
            key, result = accounts.read(held)
            if key is not None and result.ok:
                found = (host, held.email, key)
        every = () if host is None else tuple(accounts.held(host))
        self.app.call_from_thread(self.answered, found, every)

    def answered(self, found: tuple[Host, str, Secret] | None, held: tuple[HeldKey, ...]) -> None:
        """Show a look-up's answer, unless the Log in screen has gone (a sign-in moved on, or
        the app is quitting) while the keyring answered."""
        if self.is_attached:
            self.found = found
            self.held = held

    def refresh_saved(self) -> None:
        """Look again for the host last looked up (after the active key changed)."""
        self.look_up(self._looked_up)

    def watch_held(self, held: tuple[HeldKey, ...]) -> None:
        if not self._shown:
            return
        choice = self.query_one("#saved-key-choice", Select)
        active = None if self._looked_up is None else self.services.accounts.active(self._looked_up)
        others = [k for k in held if k != active]
        # PostHog's labels and emails as Text: never read as markup.
        options = [(Text(_describe(k)), k.key_id) for k in others]
        with self.prevent(Select.Changed):
            choice.set_options(options)
        choice.display = bool(options)

    @on(Select.Changed, "#saved-key-choice")
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and self._looked_up is not None:
            self._switch(self._looked_up, event.value)

    @work(
        exclusive=True,
        group="saved-key-switch",
        exit_on_error=False,
        thread=True,
        description="switch",
    )
    def _switch(self, host: Host, key_id: str) -> None:
        """Make another held key active (a settings write: a thread), then offer it."""
        try:
            self.services.accounts.set_active(host, key_id)
        except (KeyError, OSError) as error:
            self.app.call_from_thread(self.problem, f"Could not switch keys: {error}")
            return
        self.app.call_from_thread(self.look_up, host)

    def watch_found(self, found: tuple[Host, str, Secret] | None) -> None:
        if not self._shown:
            return
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


def _describe(held: HeldKey) -> str:
    label = f" “{held.label}”" if held.label else ""
    return f"{held.email}{label} {held.mask or ''}".strip()
