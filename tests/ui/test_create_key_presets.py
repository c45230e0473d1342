"""The create-key form: PostHog's presets by job, each saying exactly what it grants."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input, RadioButton, Static

from phguide.core.scopes import PERSONAL_PRESETS, WITHHELD, preset
from phguide.ui.dialogs.create_key import CreateKeyDialog, KeySpec, parse_scopes

APP_URL = "https://eu.posthog.com"


class _Host(App[KeySpec | None]):
    def compose(self) -> ComposeResult:
        yield Static("")

    def on_mount(self) -> None:
        self.push_screen(CreateKeyDialog(app_url=APP_URL), self.exit)


def _text(dialog: CreateKeyDialog, selector: str) -> str:
    return str(dialog.query_one(selector, Static).render())


async def test_every_preset_says_what_it_grants_and_broad_ones_say_so() -> None:
    app = _Host()
    async with app.run_test(size=(110, 60)) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        for job in PERSONAL_PRESETS:
            dialog.query_one(f"#preset-{job.value}", RadioButton).value = True
            await pilot.pause()
            assert dialog.preset == job.value
            summary = _text(dialog, "#scope-summary")
            for scope in job.scopes if job.scopes != ("*",) else ():
                assert scope in summary
            assert not set(job.scopes) & WITHHELD
            broad = dialog.query_one("#scope-broad", Static)
            assert broad.display == bool(job.broad)
            web = _text(dialog, "#scope-web")
            assert f"{APP_URL}/settings/user-api-keys?preset={job.value}" in web
        assert preset("mcp_server").broad and preset("all_access").broad
        dialog.query_one("#preset-custom", RadioButton).value = True
        await pilot.pause()
        assert "feature_flag" in _text(dialog, "#scope-objects")
        dialog.query_one("#key-label", Input).value = "Flags"
        dialog.query_one("#key-scopes", Input).value = "user:write"
        await pilot.pause()
        assert "does not offer user:write" in _text(dialog, "#key-scopes-error")
        dialog.query_one("#key-scopes", Input).value = "feature_flag:read"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.return_value == KeySpec(
        "Flags", ("feature_flag:read",), (), "custom", "feature_flag:read"
    )


def test_withheld_scopes_are_refused_by_the_form() -> None:
    for scope in WITHHELD:
        _, problem = parse_scopes(scope)
        assert problem is not None
