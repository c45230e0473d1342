"""The one owner of a fresh key: a value PostHog shows once, kept on screen until it is safe.

Safe means durable: saved in the keyring and read back equal, written to a file the user chose
(0600, read back), or the user said they stored it (after copying: a copy alone never counts,
the clipboard clears itself). The panel owns what gets it there (copy, save, write, reveal,
"I stored it", done) and the one save path; its keys are bound on the screen that shows it
(`FreshKeyHost`), so they work wherever the focus is on that screen.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from phguide.core.state import FreshKey
from phguide.ui import messages
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.mounted import mounted
from phguide.ui.safe import plain
from phguide.ui.widgets.secret_field import KeyBox

if TYPE_CHECKING:
    from textual.screen import Screen

    from phguide.core.accounts import KeySource, SaveResult
    from phguide.core.hosts import Host
    from phguide.services import Services
    from phguide.system.clipboard import CopyResult

WARNING = "Copy the key immediately - you won't be able to see it again!"
"""The guide's own words."""

NO_LONGER_SAVED = (
    "No longer in your keyring: logging out removed it. Save it again (s), write it to a file "
    "(w), or copy it, store it and press i."
)
"""What the panel says of a key the keyring held and lost since."""

KEYS_GROUP = Binding.Group("New key", compact=True)
"""The footer shows the panel's keys as one entry ("cswvi New key"): the panel names each,
and the palette lists each by its own description."""

FRESH_KEY_BINDINGS: list[BindingType] = [
    Binding("c", "fresh_key('copy')", "Copy new key", group=KEYS_GROUP, id="copy-fresh-key"),
    Binding("s", "fresh_key('save')", "Save to keyring", group=KEYS_GROUP, id="save-fresh-key"),
    Binding("w", "fresh_key('write')", "Write to a file", group=KEYS_GROUP, id="write-fresh-key"),
    # One key, two names: the palette and footer offer whichever applies now.
    Binding("v", "fresh_key('reveal')", "Reveal", group=KEYS_GROUP, id="reveal-fresh-key"),
    Binding("v", "fresh_key('hide')", "Hide", group=KEYS_GROUP, id="hide-fresh-key"),
    Binding(
        "i", "fresh_key('stored')", "I stored it", group=KEYS_GROUP, id="acknowledge-fresh-key"
    ),
    Binding("x", "fresh_key('done')", "Done", group=KEYS_GROUP, id="dismiss-fresh-key"),
]
"""The panel's keys, for the BINDINGS of every screen that shows one (see `FreshKeyHost`)."""


@dataclass(frozen=True)
class Owner:
    """Whose key it is and where it works: what saving it in the keyring needs."""

    host: Host
    email: str
    source: KeySource
    """How phguide came to hold it (created, rolled, approved)."""


class FreshKeyHost(DOMNode):
    """What a screen showing a `FreshKeyPanel` inherits: the panel's keys work on the whole screen,
    not only while the panel has the focus.

    The screen lists `FRESH_KEY_BINDINGS` in its own BINDINGS (Textual takes each key's bindings
    from the most derived class binding it, and a screen may bind `c` itself: both are then
    asked in turn), and its `check_action` ends with ``super().check_action(...)``.
    """

    def fresh_key_panel(self) -> FreshKeyPanel | None:
        """The panel on this screen holding a key, if any."""
        panels = mounted(self, FreshKeyPanel)
        return next((panel for panel in panels if panel.fresh is not None), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "fresh_key":
            return super().check_action(action, parameters)
        panel = self.fresh_key_panel()
        return panel.check_action(str(parameters[0]), ()) if panel and parameters else False

    async def action_fresh_key(self, name: str) -> None:
        """Run one of the panel's actions (the panel checks it applies)."""
        panel = self.fresh_key_panel()
        if panel is not None:
            await panel.run_action(name)


class FreshKeyPanel(Vertical, can_focus=True):
    """A new key's value, masked until revealed, what has been done to keep it, and its keys."""

    DEFAULT_CSS = """
    FreshKeyPanel {
        height: auto;
        border: thick $warning;
        padding: 0 1;
        margin-bottom: 1;
    }
    FreshKeyPanel:focus { border: thick $warning-lighten-1; }
    FreshKeyPanel.-safe { border: thick $success; }
    FreshKeyPanel #fresh-key-warning { text-style: bold; color: $text-warning; }
    FreshKeyPanel.-safe #fresh-key-warning { color: $text-success; }
    """

    class Changed(Message):
        """The key was copied, saved or stored: the owner may offer other keys now."""

    class Done(Message):
        """The user put a safe key away (`x`)."""

        def __init__(self, fresh: FreshKey) -> None:
            super().__init__()
            self.fresh = fresh

    def __init__(self, services: Services) -> None:
        super().__init__(id="fresh-key-panel")
        self.services = services
        self.fresh: FreshKey | None = None
        """The key shown, if any."""
        self.owner: Owner | None = None
        """Whose key it is, when phguide knows (else it cannot be saved in the keyring)."""
        self._note = ""
        self._ticker: Timer | None = None
        self._handed_over = False
        """Copied by any means (a terminal's clipboard too): "I stored it" may follow."""
        self._shown_saved = False
        """The key was last shown as saved in the keyring."""

    def compose(self) -> ComposeResult:
        yield Static(WARNING, id="fresh-key-warning", markup=False)
        yield KeyBox("New personal API key", secret=True, id="fresh-key-box")
        yield Static("", id="fresh-key-state")

    def on_mount(self) -> None:
        self.display = False

    @property
    def box(self) -> KeyBox:
        """The box holding the value."""
        return self.query_one("#fresh-key-box", KeyBox)

    def show(self, fresh: FreshKey, how: str, owner: Owner | None) -> None:
        """Show a new key and put the focus on it (its keys work from there).

        Args:
            fresh: The key and what has been done with it.
            how: "created", "rolled" or "browser approval", for the box title.
            owner: Whose key it is, for saving it in the keyring.
        """
        if self.fresh is not None and self.fresh is not fresh:
            self.post_message(messages.FreshKeyPutAway(self.fresh))
        self.fresh, self.owner, self._note = fresh, owner, ""
        self._handed_over = self._shown_saved = False
        box = self.box
        box.value = fresh.value
        box.border_title = plain(f"New personal API key “{fresh.label}” ({how})")
        self.display = True
        self.refresh_state()
        self.focus(scroll_visible=False)

    def note(self, text: str) -> None:
        """Say what just happened to the key (saved, copied, could not save and why)."""
        self._note = text
        self.refresh_state()

    def clear(self) -> None:
        """Hide the panel (only once the key is safe)."""
        if self.fresh is not None:
            self.post_message(messages.FreshKeyPutAway(self.fresh))
        self.fresh = None
        self.box.value = None
        self.display = False
        self.refresh_bindings()

    # -- which keys apply now ---------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        fresh = self.fresh
        if fresh is None:
            return action not in {"copy", "save", "write", "reveal", "hide", "stored", "done"}
        if action in ("reveal", "hide"):
            return self.box.revealed == (action == "hide")
        if action == "save":
            return not fresh.saved and self.owner is not None
        if action == "write":
            return not fresh.written
        if action == "stored":
            # Only after a copy (or with the value shown for a copy by hand).
            return not fresh.safe and (self._handed_over or self.box.revealed)
        return True

    def _offered(self) -> list[tuple[str, str]]:
        fresh = self.fresh
        if fresh is None:
            return []
        keys = [("c", "copy again" if fresh.copied else "copy")]
        if self.check_action("save", ()):
            keys.append(("s", "save in your keyring"))
        if self.check_action("write", ()):
            keys.append(("w", "write to a file"))
        keys.append(("v", "hide" if self.box.revealed else "reveal"))
        if self.check_action("stored", ()):
            keys.append(("i", "I stored it"))
        if fresh.safe:
            keys.append(("x", "done"))
        return keys

    def refresh_state(self) -> None:
        """Say in words where the key is kept, and offer only the keys that apply now."""
        fresh = self.fresh
        if fresh is None:
            return
        if self._shown_saved and not fresh.saved:
            # The keyring lost it since (a log out removes every entry of the host): what the
            # save said no longer holds.
            self._note = NO_LONGER_SAVED
        self._shown_saved = fresh.saved
        self.set_class(fresh.safe, "-safe")
        state = Text(_state_words(fresh, self._seconds_left()), style="bold")
        state.append("  ")
        for key, words in self._offered():
            state.append(key, style="bold").append(f" {words}  ")
        if self._note:
            state.append(f"\n{self._note}")
        self.query_one("#fresh-key-state", Static).update(state)
        self.refresh_bindings()

    def _seconds_left(self) -> int | None:
        clipboard = self.services.clipboard
        deadline = clipboard.pending_secret_deadline
        if deadline is None or self.fresh is None or not self.fresh.copied:
            return None
        return max(0, math.ceil(deadline - clipboard.clock()))

    def _tick(self) -> None:
        if self._seconds_left() is None and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.refresh_state()

    # -- the actions ------------------------------------------------------------------------
    @work(group="fresh-copy", exit_on_error=False, description="copy key")
    async def action_copy(self) -> None:
        """Copy the key (cleared from the clipboard after a while) and say how."""
        fresh = self.fresh
        if fresh is None:
            return
        try:
            result: CopyResult | None = await asyncio.to_thread(
                self.services.clipboard.copy, fresh.value.reveal(), secret=True
            )
        except Exception:  # the clipboard failed: the key stays on screen
            result = None
        if result is not None:
            self.post_message(messages.Copied(result, f"the key “{fresh.label}”", secret=True))
            self._handed_over = result.method != "none"
        if result is not None and result.method == "system":
            fresh.copied = True
            self._note = ""
            if self._ticker is None:
                self._ticker = self.set_interval(1.0, self._tick, name="fresh-key-countdown")
        self._say_copy_result(result)
        self.post_message(self.Changed())

    def _say_copy_result(self, result: CopyResult | None) -> None:
        if result is None or result.method == "none":
            self.box.revealed = True
            self.note("Could not copy: select the key above and copy it by hand, then press i.")
        elif result.method == "osc52":
            self.note(
                "Sent to your terminal's clipboard, which phguide cannot check: paste it "
                "somewhere safe, then press i."
            )
        else:
            self.refresh_state()

    @work(exclusive=True, group="fresh-save", exit_on_error=False, description="save key")
    async def action_save(self) -> None:
        """Save the key in the keyring (asking whether it becomes the active key)."""
        fresh, owner = self.fresh, self.owner
        if fresh is not None and owner is not None:
            await self.save(fresh, owner)

    async def save(
        self, fresh: FreshKey, owner: Owner, *, replaces: str | None = None
    ) -> SaveResult | None:
        """The one save path of a fresh key: keyring entry of its own, read back equal.

        When another key is the host's active one, the user is asked whether this one
        becomes active. Call from a worker (the question is a dialog waited for).

        Args:
            fresh: The key.
            owner: Whose key it is.
            replaces: The key id of a key this one was made to replace (approved again after
                a key that could not read): when that key is the active one, this one takes
                its place without asking.

        Returns:
            What saving did, or None when the keyring failed outright.
        """
        accounts = self.services.accounts
        active = await asyncio.to_thread(accounts.active, owner.host)
        make_active = True
        if active is not None and active.key_id not in (fresh.key_id, replaces):
            make_active = bool(
                await self.app.push_screen_wait(
                    cast(
                        "Screen[object]",
                        ConfirmDialog(
                            f"Make “{fresh.label}” the active key?",
                            f"Your keyring already holds the active key of {owner.host.label} "
                            f"(“{active.label or active.mask}”), which `phguide token` and the "
                            "walkthrough use. Both are kept either way.",
                            yes="Make it active",
                            no="Keep the current one",
                        ),
                    )
                )
            )
        if self.fresh is fresh:
            self.note("Saving in your keyring…")
        try:
            saved: SaveResult | None = await asyncio.to_thread(
                accounts.save,
                owner.host,
                owner.email,
                fresh.value,
                key_id=fresh.key_id or _local_id(owner.source),
                label=fresh.label,
                source=owner.source,
                make_active=make_active,
            )
        except Exception:  # stores do not raise, but a key must never vanish if one does
            saved = None
        fresh.saved = saved is not None and saved.verified
        if saved is not None and saved.held is not None:
            fresh.key_id = saved.held.key_id
        said = _save_status(fresh, saved, self.services.store.name)
        if saved is not None and saved.verified and self.services.store_note:
            said = f"{said} {self.services.store_note}"
        self.post_message(messages.Status(said))
        if self.fresh is fresh:
            self.note(_save_note(saved))
            self.post_message(self.Changed())
        return saved

    @work(exclusive=True, group="fresh-write", exit_on_error=False, description="write key")
    async def action_write(self) -> None:
        """Write the key to a file the user chooses (0600, read back): then it is safe."""
        from phguide.ui.widgets.fresh_key_file import write_to_file

        fresh = self.fresh
        if fresh is None:
            return
        written = await write_to_file(self, fresh)
        if written is not None and self.fresh is fresh:
            fresh.written = written
            self.note("")
            self.post_message(messages.Status(f"Wrote “{fresh.label}” to {written} (0600)."))
            self.post_message(self.Changed())

    def action_reveal(self) -> None:
        """Show the key's value."""
        self.box.revealed = True
        self.refresh_state()

    def action_hide(self) -> None:
        """Mask the key's value again."""
        self.box.revealed = False
        self.refresh_state()

    def action_stored(self) -> None:
        """Say you stored the key somewhere yourself (after a confirmation)."""
        self.ask_stored()

    def ask_stored(self, then: Callable[[], object] | None = None) -> None:
        """Ask whether the user stored the key; on yes it is safe, and `then` runs."""
        fresh = self.fresh
        if fresh is None:
            return
        dialog = ConfirmDialog(
            "Did you store the key?",
            f"PostHog will never show “{fresh.label}” again, and the clipboard clears itself. "
            "Say yes only if it is stored somewhere that lasts (a password manager, your "
            "server's environment).",
            yes="I stored it",
            no="Go back",
        )

        def answered(yes: bool | None) -> None:
            if yes and self.fresh is fresh:
                fresh.acknowledged = True
                self._note = ""  # "…then press i": done
                self.refresh_state()
                self.post_message(self.Changed())
                if then is not None:
                    then()

        self.app.push_screen(dialog, answered)

    def action_done(self) -> None:
        """Put the key away once it is safe (before that, say what makes it safe)."""
        fresh = self.fresh
        if fresh is None:
            return
        if not fresh.safe:
            self.post_message(
                messages.Status(
                    "The new key stays until it is safe: save it in your keyring (s), write it "
                    "to a file (w), or copy it (c), store it, and press i. PostHog will never "
                    "show it again."
                )
            )
            return
        self.clear()
        self.post_message(self.Done(fresh))


def _local_id(source: KeySource) -> str:
    from phguide.core.accounts import local_key_id

    return local_key_id(source)


def _state_words(fresh: FreshKey, seconds_left: int | None) -> str:
    if fresh.saved:
        return "✓ Saved in your keyring (read back)."
    if fresh.written:
        return f"✓ Written to {fresh.written} (0600)."
    if fresh.acknowledged:
        return "✓ You said you stored it."
    if fresh.copied and seconds_left:
        return f"Copied: clears in {seconds_left} s — paste it somewhere, then press i."
    if fresh.copied:
        return "Copied, and cleared from the clipboard since: copy it again or press i."
    return "Not saved yet. PostHog stores only a hash of it."


def _save_note(saved: SaveResult | None) -> str:
    if saved is None:
        return "Not saved: the keyring failed. Copy the key, store it, then press i."
    if not saved.verified:
        return (
            f"Not saved: {saved.result.message} {saved.result.fix} The key stays here until "
            "it is saved, or you copy it, store it and press i."
        )
    active = " It is the active key." if saved.active else " The active key did not change."
    return f"{saved.result.message}{active} {saved.note}".strip()


def _save_status(fresh: FreshKey, saved: SaveResult | None, store: str) -> str:
    if saved is not None and saved.verified:
        return f"Saved “{fresh.label}” in your keyring ({store})."
    why = saved.result.message if saved is not None else "the keyring failed."
    return f"Could not save “{fresh.label}”: {why}"
