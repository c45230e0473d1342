"""Text fields whose Enter the footer shows with what it does (an Input's own Enter is hidden)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input


class NextField(Input):
    """A field whose Enter moves on to the next one (the email before the password)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Next field", id="field-next")
    ]


class SignInField(Input):
    """A field whose Enter signs in (the password)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Sign in", id="field-sign-in")
    ]


class CheckKeyField(Input):
    """A field whose Enter checks the key in it with PostHog (a pasted key, step 6's key)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Check key", id="field-check-key")
    ]
