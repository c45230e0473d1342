"""A key from the environment is named by the variable it came from, PostHog's CLI ones too."""

from __future__ import annotations

from textual.widgets import Static

from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from tests.helpers import SIZE, settle, wait_for
from tests.ui.test_palette import run_palette

WINNER = "POSTHOG_CLI_API_KEY and POSTHOG_CLI_TOKEN are all set: using POSTHOG_CLI_API_KEY."


async def test_a_posthog_cli_variable_is_named_as_itself_and_said_to_win(
    services: Services, demo_server: DemoServer
) -> None:
    key = Secret(demo_server.issue_key(DEMO_EMAIL, "From PostHog's CLI", ("*",)))
    services.env_key = key
    services.env_key_variable = "POSTHOG_CLI_API_KEY"
    services.env_key_note = WINNER
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.current_mode == "project-key", "step 3")
        await settle(pilot)
        assert f"POSTHOG_CLI_API_KEY from your environment ({key.masked})" in app.status
        assert WINNER in app.status
        assert "POSTHOG_PERSONAL_API_KEY" not in app.status
        await pilot.press("2")
        await settle(pilot)
        note = str(app.screen.query_one("#env-key-note", Static).render())
        assert note.startswith("POSTHOG_CLI_API_KEY is set in your environment")
        await run_palette(pilot, "Log out")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: "still set" in app.status, "the log out said")
        assert "POSTHOG_CLI_API_KEY is still set" in app.status
