"""A key in a box: the value, masked until revealed when it is a secret."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from phguide.core.secret import Secret


class KeyBox(Widget):
    """Shows one key value in a bordered box.

    A public key (`secret=False`) is always shown whole; a secret one shows its mask until
    `revealed` is set. The owning screen binds the keys that copy or reveal it.

    Args:
        title: The box's border title ("Project API key").
        secret: Mask the value until revealed.
        placeholder: What the box says when there is no value.
        id: The widget id.
        classes: CSS classes.
    """

    DEFAULT_CSS = """
    KeyBox {
        height: auto;
        padding: 0 1;
        border: round $primary;
        border-title-style: bold;
    }
    KeyBox.-secret { border: round $warning; }
    KeyBox.-empty { color: $text-muted; }
    """

    revealed: reactive[bool] = reactive(False)
    """Show a secret value whole instead of its mask."""

    def __init__(
        self,
        title: str,
        *,
        secret: bool,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = title
        self.secret = secret
        """Whether the value is masked until revealed."""
        self._placeholder = placeholder
        self._value: Secret | None = None
        self.set_class(secret, "-secret")
        self.set_class(True, "-empty")

    @property
    def value(self) -> Secret | None:
        """The key shown, if any."""
        return self._value

    @value.setter
    def value(self, value: Secret | None) -> None:
        self._value = value
        self.revealed = False
        self.set_class(value is None, "-empty")
        self.refresh(layout=True)

    @property
    def shown_text(self) -> str:
        """Exactly what the box shows now (the mask of a hidden secret)."""
        if self._value is None:
            return self._placeholder
        if self.secret and not self.revealed:
            return self._value.masked
        return self._value.reveal()

    def watch_revealed(self) -> None:
        hint = "shown" if self.revealed else "hidden"
        self.border_subtitle = hint if self.secret and self._value is not None else ""
        self.refresh(layout=True)

    def render(self) -> Text:
        return Text(self.shown_text, no_wrap=False, overflow="fold")
