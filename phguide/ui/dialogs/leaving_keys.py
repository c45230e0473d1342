"""The question before a new key that is not safe yet is left behind (a step left, a quit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from phguide.ui.dialogs.confirm import ConfirmDialog

if TYPE_CHECKING:
    from textual.app import App

    from phguide.core.state import AppState

LEAVING_KEYS: Final = "leaving-keys"
"""The class of the dialog that asks (one at a time)."""


def confirm_leaving_keys(
    app: App[Any],
    state: AppState,
    title: str,
    advice: str,
    yes: str,
    then: Callable[[], object],
) -> None:
    """Ask before leaving unsafe fresh keys behind; on yes, mark them acknowledged.

    Asked once: while the question is up, the keys that ask it again (Ctrl+Q, a step's number)
    leave it to be answered instead of stacking another copy on it.
    """
    if app.screen.has_class(LEAVING_KEYS):
        return
    labels = ", ".join(f"“{key.label}”" for key in state.unsafe_fresh_keys())
    dialog = ConfirmDialog(
        title,
        f"The personal API key {labels} is not saved in your keyring, and you have not said "
        f"you stored it (a copy does not last: the clipboard clears itself). PostHog will "
        f"never show it again. {advice}",
        yes=yes,
        no="Go back",
        danger=True,
    )
    dialog.add_class(LEAVING_KEYS)

    def answered(confirmed: bool | None) -> None:
        if confirmed:
            for key in state.unsafe_fresh_keys():
                key.acknowledged = True
            then()

    app.push_screen(dialog, answered)
