"""The walkthrough's steps, in the guide's order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One step of the walkthrough: a mode of the app and a tab of the step bar."""

    id: str
    """The app mode name, also used in widget ids."""
    title: str
    """What the step bar shows."""
    module: str
    """The module that holds the step's screen (imported only when first shown)."""
    screen: str
    """The screen class in that module."""
    short: str = ""
    """A shorter title for the step bar of a narrow terminal (the title when empty)."""


STEPS: tuple[Step, ...] = (
    Step("key-types", "Key types", "phguide.ui.screens.key_types", "KeyTypesScreen"),
    Step("log-in", "Log in", "phguide.ui.screens.login", "LoginScreen"),
    Step(
        "project-key",
        "Project API key",
        "phguide.ui.screens.project_key",
        "ProjectKeyScreen",
        "Project key",
    ),
    Step(
        "personal-keys",
        "Personal API keys",
        "phguide.ui.screens.personal_keys",
        "PersonalKeysScreen",
        "Personal keys",
    ),
    Step("usage", "Using your keys", "phguide.ui.screens.usage", "UsageScreen", "Usage"),
    Step(
        "troubleshoot",
        "Troubleshooting",
        "phguide.ui.screens.troubleshoot",
        "TroubleshootScreen",
        "Troubleshoot",
    ),
)


def step_by_id(step_id: str) -> Step:
    """The step with this id.

    Raises:
        KeyError: No such step.
    """
    for step in STEPS:
        if step.id == step_id:
            return step
    raise KeyError(step_id)
