"""Textual's footer, rebuilt only when what it shows has changed."""

from __future__ import annotations

import inspect
from collections.abc import Hashable

from textual.app import ComposeResult
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Footer

Shown = tuple[tuple[Hashable, ...], Hashable, bool, bool, bool]
"""What a footer's keys are built from: each key shown (its binding, state, tooltip and key
display), the command palette's, and the footer's compact, palette and grouping options."""


class StepFooter(Footer):
    """A `Footer` that skips a rebuild showing the same keys as the one on screen.

    Textual's footer removes and mounts all its keys again for every change of bindings it
    hears of, and it hears of several for one change: a step's first frame queued three
    rebuilds of the same keys (the screen shown, a focus, Textual's check after the focus),
    each a new layout and frame while a returning user's key was on its way, and the same
    again ahead of the first key pressed. What the footer shows is compared, not guessed:
    the keys it would list, their state, its own options.
    """

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(compact=compact, show_command_palette=show_command_palette)
        self._composed: Shown | None = None
        """What the keys on screen were built from (None: none built from bindings yet)."""

    def _shows(self) -> Shown:
        """What `compose` would build from: the keys, their state and display, the options."""
        app = self.app
        active = self.screen.active_bindings
        keys = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for _node, binding, enabled, tooltip in active.values()
            if binding.show
        )
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        palette_key = None if palette is None else palette[1:]
        return (keys, palette_key, self.compact, self.show_command_palette, self.combine_groups)

    def compose(self) -> ComposeResult:
        shows = self._shows()
        built = False
        # Passed on one by one, as built: Textual nests what a `with` block in the footer's
        # compose yields as it is yielded.
        for widget in super().compose():
            built = True
            _compact_before_mount(widget, self.compact)
            yield widget
        # Textual builds nothing until the screen's bindings are ready: that is not a footer
        # showing these keys.
        keys, palette_key = shows[0], shows[1]
        self._composed = shows if built or not (keys or palette_key) else None

    async def recompose(self) -> None:
        if self.is_attached and self._composed is not None and self._shows() == self._composed:
            return
        await super().recompose()


def _compact_before_mount(widget: Widget, compact: bool) -> None:
    """Give a new footer key the `compact` it will have (and its class) before it mounts.

    A key's `compact` starts True, and its watcher sets the `-compact` class as it mounts; then
    the footer's own value arrives by data binding and the watcher takes the class off again.
    Each change restyled the key: two restyles per key per rebuild, a few per cent of the CPU
    of a test that signs in. Set here, with the class, neither change happens. The command
    palette's key is not bound to the footer's value: it stays compact, as Textual builds it.
    """
    reactive = inspect.getattr_static(type(widget), "compact", None)
    if isinstance(reactive, Reactive):
        compact = compact or widget.has_class("-command-palette")
        widget.set_reactive(reactive, compact)
        widget.set_class(compact, "-compact", update=False)
