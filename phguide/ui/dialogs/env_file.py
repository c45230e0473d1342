"""Ask where to write a `.env` file: `EnvFileDialog` dismisses with the path, or None."""

from __future__ import annotations

from phguide.ui.dialogs.path import PathDialog
from phguide.ui.safe import escape


class EnvFileDialog(PathDialog):
    """The path of the `.env` file to update; Escape cancels.

    Args:
        variables: Name to what the screen shows of its value (a secret's mask).
        default: The path the input starts with.
    """

    def __init__(self, variables: dict[str, str], *, default: str = "./.env") -> None:
        lines = "\n".join(
            f"  [b]{escape(name)}[/b]={escape(shown)}" for name, shown in variables.items()
        )
        super().__init__(
            "Write a .env file",
            "phguide sets these variables in the file, replacing them where they are and "
            f"keeping every other line:\n{lines}",
            default=default,
            placeholder="./.env",
            input_id="env-file-path",
        )
