"""What the app knows about the signed-in user: shared by every step, free of Textual."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from phguide.core.hosts import Host
from phguide.core.secret import Secret

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import OrgProjects, Project, User
    from phguide.system.config import HeldKey, ProjectMemo

AuthMethod = Literal["password", "device", "pasted", "environment", "keyring"]

METHOD_WORDS: dict[str, str] = {
    "device": "the personal API key browser approval created",
    "pasted": "the personal API key you pasted",
    "environment": "the personal API key from your environment",
    "keyring": "the personal API key stored in your keyring",
}
"""How each key-based sign-in names its key, for "you are signed in with …" sentences."""


def key_words(method: str, env_variable: str = "POSTHOG_PERSONAL_API_KEY") -> str:
    """How a sign-in by `method` names its key; the environment's by the variable that won."""
    if method == "environment":
        return f"{env_variable} from your environment"
    return METHOD_WORDS.get(method, "the key you signed in with")


@dataclass
class Session:
    """A signed-in PostHog: the client, who, how, and what was fetched."""

    host: Host
    client: PostHogClient
    method: AuthMethod
    """How the user got in; `password` is the only one that can manage personal keys."""
    user: User | None = None
    personal_key: Secret | None = None
    """The personal key in use (device flow, pasted, environment or keyring), if any."""
    personal_key_label: str | None = None
    """The label of that key, when known (the device flow names it)."""
    projects: list[OrgProjects] | None = None
    """Every organization's projects, once listed."""
    selected_project: Project | None = None
    """The project whose key the later steps use."""

    @property
    def can_manage_keys(self) -> bool:
        """Personal keys can be listed and created only with a password session."""
        return self.method == "password"


@dataclass
class FreshKey:
    """A personal key value the server will never show again, until the user has it safe."""

    value: Secret
    label: str
    key_id: str = ""
    """PostHog's id of the key (its keyring entry's id), when known."""
    copied: bool = False
    """Copied to the system clipboard, which clears itself: not safe by itself."""
    saved: bool = False
    """In the keyring, and read back equal."""
    acknowledged: bool = False
    """The user said they stored it somewhere that lasts."""
    written: str = ""
    """The file the user chose that it was written to (mode 0600, read back), if any."""
    personal: bool = True
    """A personal API key; False for a project secret key (`phs_`), which no example may use
    where a personal key goes."""

    @property
    def safe(self) -> bool:
        """True once durable: saved in the keyring or written to a file (read back), or stored
        by the user."""
        return self.saved or bool(self.written) or self.acknowledged


@dataclass(frozen=True)
class ActiveKey:
    """A host's active key (the one the settings file names), as read from the keyring."""

    held: HeldKey
    """The settings' record of it: host, email, key id, label, mask."""
    value: Secret


@dataclass
class Resuming:
    """A returning user's sign-in with the host's active key, while PostHog checks it.

    Step 3 is the first screen then, showing the project key that key's sign-in showed last
    (public, remembered in the settings file) until `/api/users/@me/` answers.
    """

    host: Host
    email: str
    """Whose key it is."""
    project: ProjectMemo
    """The project key remembered from the last sign-in with the key."""
    failed: tuple[str, str] | None = None
    """What went wrong and what to do, once the key did not sign in (else None)."""

    def replaced_by(self, session: Session) -> bool:
        """True when the same account on the same host now has another current project key."""
        user = session.user
        team = user.team if user is not None else None
        if team is None or user is None or (session.host, user.email) != (self.host, self.email):
            return False
        return team.api_token != self.project.api_token


@dataclass
class AppState:
    """Everything the steps share; data flows down from here by attributes."""

    session: Session | None = None
    resuming: Resuming | None = None
    """A returning user's sign-in while it is checked (or after it failed), else None."""
    fresh_keys: list[FreshKey] = field(default_factory=list)
    """The fresh keys on screen: each until it is safe and put away."""
    made_key: FreshKey | None = None
    """The newest personal key made in this app (created or rolled)."""
    made_for: tuple[str, str] | None = None
    """Whose `made_key` is, as its issuer said (`account()` of the session that made it);
    None when it did not say, as a browser approval, whose key is only known once it signs in
    (and is then the session's own key)."""
    active_key: ActiveKey | None = None
    """The active key of the session's host, as step 5 last read it from the keyring."""

    def secrets(self) -> list[Secret]:
        """Every secret the state holds: fresh keys, the newest made, the active key and the
        session's own (what a screenshot must mask)."""
        held = [key.value for key in self.fresh_keys]
        if self.made_key is not None:
            held.append(self.made_key.value)
        if self.active_key is not None:
            held.append(self.active_key.value)
        if self.session is not None and self.session.personal_key is not None:
            held.append(self.session.personal_key)
        return held

    def unsafe_fresh_keys(self) -> list[FreshKey]:
        """Fresh keys not saved in the keyring or a file, nor stored by the user, yet."""
        return [key for key in self.fresh_keys if not key.safe]

    def issued(self, fresh: FreshKey, account: tuple[str, str] | None = None) -> None:
        """A server handed over a key: on screen until safe; the newest personal one is used.

        Args:
            fresh: The key.
            account: Whose key it is (`account()` of the session that made it), if known.
        """
        self.fresh_keys.append(fresh)
        if fresh.personal:
            self.made_key = fresh
            self.made_for = account

    def account(self) -> tuple[str, str] | None:
        """The signed-in account: its host (as the settings name it) and its email; None
        while no one is signed in or `@me` has not answered."""
        from phguide.system.config import host_id

        session = self.session
        if session is None or session.user is None:
            return None
        return host_id(session.host.app_url), session.user.email

    def put_away(self, fresh: FreshKey) -> None:
        """A safe key left the screen: nothing need guard it any more."""
        if fresh.safe:
            self.fresh_keys = [key for key in self.fresh_keys if key is not fresh]

    def personal_key(self) -> Secret | None:
        """The personal key the examples use (see `examples_key`)."""
        found = self.examples_key()
        return found[0] if found is not None else None

    def examples_key(
        self, env_variable: str = "POSTHOG_PERSONAL_API_KEY"
    ) -> tuple[Secret, str] | None:
        """The personal key step 5's examples use, and where it comes from in words.

        `env_variable` names the variable the environment's key came from (the one that won
        when several are set), so the words say which.

        The host's *active* key, whatever brought it, in this order:
        POSTHOG_PERSONAL_API_KEY when the session signed in with it (the environment comes
        before the keyring, as for the subcommands); else the host's active key in the keyring
        (`active_key`) when it is the signed-in user's; else the key the session signed in with
        and did not save (pasted, say); else the newest personal key made here and not saved
        (no key is active: it is the one the user is about to use), if it was made by the
        account signed in now: after a switch to another account or host it is not theirs.
        """
        session = self.session
        if session is None:
            return None
        own = session.personal_key
        if session.method == "environment" and own is not None:
            return own, key_words("environment", env_variable)
        active = self.active_key
        if active is not None and self.signed_in_as(active.held):
            label = f"“{active.held.label}”, " if active.held.label else ""
            return active.value, f"{label}the active key for {session.host.label} in your keyring"
        if own is not None:
            return own, key_words(session.method)
        made = self.made_key
        if made is None or self.made_for is None or self.made_for != self.account():
            return None
        return made.value, f"“{made.label}”, the new key made in this session"

    def signed_in_as(self, held: HeldKey) -> bool:
        """True when a held key belongs to the signed-in user on the session's host."""
        return self.account() == (held.host, held.email)

    def keyring_forgot(self, still_held: Collection[str]) -> list[FreshKey]:
        """The keyring lost entries (a log out): keys saved only there are no longer safe.

        Args:
            still_held: The key ids the keyring still holds (every host's).

        Returns:
            The fresh keys on screen that were saved and are not any more.
        """
        lost = [key for key in self.fresh_keys if key.saved and key.key_id not in still_held]
        for key in lost:
            key.saved = False
        made = self.made_key
        if made is not None and made.saved and made.key_id not in still_held:
            made.saved = False
        return lost

    def forget_fresh_key(self, key_id: str) -> None:
        """A key was deleted: its value is of no use, and no guard need keep it."""
        self.fresh_keys = [key for key in self.fresh_keys if key.key_id != key_id]
        if self.made_key is not None and self.made_key.key_id == key_id:
            self.made_key = None
