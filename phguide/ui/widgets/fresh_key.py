"""The panel that shows a just-created personal key once, until the user has it safe."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from phguide.core.hosts import Host
from phguide.core.state import FreshKey
from phguide.system.clipboard import CopyResult
from phguide.system.credentials import StoreResult
from phguide.ui.safe import escape, plain
from phguide.ui.widgets.secret_field import KeyBox

WARNING = "Copy the key immediately - you won't be able to see it again!"
"""The guide's own words."""

KEYS_GROUP = Binding.Group("New key", compact=True)
"""The footer shows the panel's keys as one entry ("csvi New key"): the panel names each,
and the palette lists each by its own description."""


class FreshKeyPanel(Vertical):
    """A new key's value, masked until revealed, with what has been done to keep it.

    The owning screen binds the keys (copy, save, reveal, "I have it") and calls `show` and
    `note` as they happen.
    """

    DEFAULT_CSS = """
    FreshKeyPanel {
        height: auto;
        border: thick $warning;
        padding: 0 1;
        margin-bottom: 1;
    }
    FreshKeyPanel.-safe { border: thick $success; }
    FreshKeyPanel #fresh-key-warning { text-style: bold; color: $text-warning; }
    FreshKeyPanel.-safe #fresh-key-warning { color: $text-success; }
    """

    def __init__(self) -> None:
        super().__init__(id="fresh-key-panel")
        self.fresh: FreshKey | None = None
        """The key shown, if any."""
        self._note = ""

    def compose(self) -> ComposeResult:
        yield Static(WARNING, id="fresh-key-warning", markup=False)
        yield KeyBox("New personal API key", secret=True, id="fresh-key-box")
        yield Static("", id="fresh-key-state")

    @property
    def box(self) -> KeyBox:
        """The box holding the value."""
        return self.query_one("#fresh-key-box", KeyBox)

    def show(self, fresh: FreshKey, how: str) -> None:
        """Show a new key.

        Args:
            fresh: The key and what has been done with it.
            how: "created" or "rolled", for the box title.
        """
        self.fresh = fresh
        self._note = ""
        box = self.box
        box.value = fresh.value
        box.border_title = plain(f"New personal API key “{fresh.label}” ({how})")
        self.display = True
        self.refresh_state()

    def note(self, text: str) -> None:
        """Say what just happened to the key (saved, copied, could not save and why)."""
        self._note = text
        self.refresh_state()

    def show_copy_result(self, result: CopyResult | None) -> None:
        """Say how a copy went; when nothing took the key, reveal it for a copy by hand."""
        if result is None or result.method == "none":
            self.box.revealed = True
            self.note("Could not copy: select the key above and copy it by hand, then press i.")
        elif result.method == "osc52":
            self.note(
                "Sent to your terminal's clipboard, which phguide cannot check: paste it "
                "somewhere safe, then press i."
            )
        else:
            self.note(result.message + ".")

    class Changed(Message):
        """The key was copied, saved or acknowledged: the owning screen refreshes its keys."""

    @work(group="fresh-copy", exit_on_error=False, description="copy key")
    async def copy_key(self) -> None:
        """Copy the key (a secret: cleared from the clipboard after a while) and say how."""
        from phguide.ui.app import PhGuideApp

        fresh, app = self.fresh, self.app
        if fresh is None or not isinstance(app, PhGuideApp):
            return
        self.show_copy_result(await app.copy_fresh_key(fresh))
        self.post_message(self.Changed())

    @work(group="fresh-save", exit_on_error=False, thread=True, description="save key")
    def save_key(self, host: Host, email: str) -> None:
        """Save the key in the OS keyring (a thread: keyring calls can block) and say how."""
        from phguide.ui.app import PhGuideApp

        fresh, app = self.fresh, self.app
        if fresh is None or not isinstance(app, PhGuideApp):
            return
        app.call_from_thread(self.note, "Saving in your keyring…")
        try:
            result = app.services.save_personal_key(
                host, email, fresh.value, label=fresh.label, source="created"
            )
        except Exception:  # stores do not raise, but a key must never vanish if one does
            result = StoreResult("error", "The keyring failed.", "Copy the key now.")
        app.call_from_thread(self._saved, fresh, result)

    def _saved(self, fresh: FreshKey, result: StoreResult) -> None:
        from phguide.ui.app import PhGuideApp

        app = self.app
        assert isinstance(app, PhGuideApp)
        if result.ok:
            fresh.saved = True
            app.status = f"Saved “{fresh.label}” in your keyring ({app.services.store.name})."
            self.note(result.message)
        else:
            app.status = f"Could not save “{fresh.label}”: {result.message}"
            self.note(
                f"Not saved: {result.message} {result.fix} "
                "The key stays here until you copy it or say you have it."
            )
        self.post_message(self.Changed())

    def ask_acknowledged(self, then: Callable[[], object]) -> None:
        """Ask whether the user has the key elsewhere; on yes, mark it so and call `then`."""
        fresh = self.fresh
        if fresh is None:
            return
        from phguide.ui.dialogs.confirm import ConfirmDialog

        dialog = ConfirmDialog(
            "Do you have the key?",
            f"PostHog will never show “{fresh.label}” again. Say yes only if it is stored "
            "somewhere safe (a password manager, your server's environment).",
            yes="I have it",
            no="Go back",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                fresh.acknowledged = True
                self.refresh_state()
                then()

        self.app.push_screen(dialog, answered)

    def clear(self) -> None:
        """Hide the panel (only once the key is safe)."""
        self.fresh = None
        self.box.value = None
        self.display = False

    def refresh_state(self) -> None:
        """Show what has been done to keep the key, and what is left to do."""
        fresh = self.fresh
        if fresh is None:
            return
        done = []
        if fresh.copied:
            done.append("copied")
        if fresh.saved:
            done.append("saved in your keyring")
        if fresh.acknowledged and not done:
            done.append("you said you have it")
        self.set_class(fresh.safe, "-safe")
        if fresh.safe:
            state = f"[b]✓ {escape(', '.join(done)).capitalize()}.[/b]"
            keys = "[b]c[/b] copy again  [b]s[/b] save  [b]v[/b] reveal  [b]x[/b] done"
        else:
            state = "[b]Not copied or saved yet.[/b] PostHog stores only a hash of it."
            keys = "[b]c[/b] copy  [b]s[/b] save to keyring  [b]v[/b] reveal  [b]i[/b] I have it"
        text = f"{state}  {keys}"
        if self._note:
            text += f"\n{escape(self._note)}"
        self.query_one("#fresh-key-state", Static).update(text)
