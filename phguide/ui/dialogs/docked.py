"""Dialogs whose buttons dock over the bottom of their scrolling box."""

from __future__ import annotations

from textual import events


class FocusInSight:
    """Bring each newly focused field fully into sight, above the docked buttons.

    Textual scrolls a focused widget into view only when it thinks the widget is cut off, and
    that check ignores widgets docked in the same box: a field under the buttons counted as
    seen, and Tab reached it out of sight (the secret-key scopes at 100×30). Scrolling to a
    widget does allow for docked ones, so each focus asks for it, once the layout is done.
    """

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        event.widget.call_after_refresh(event.widget.scroll_visible, animate=False)
