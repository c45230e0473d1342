"""The create-key form: PostHog's presets by job, each saying exactly what it grants."""

from __future__ import annotations

from functools import partial

from textual.app import App, ComposeResult
from textual.widgets import Input, Select, Static

from phguide.core.scopes import PERSONAL_PRESETS, WITHHELD, preset
from phguide.ui.dialogs.create_key import (
    CUSTOM,
    PRESET_TITLES,
    CreateKeyDialog,
    KeySpec,
    parse_scopes,
)
from tests.helpers import in_view, wait_for
from tests.ui.rendered import lines

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
            dialog.query_one("#scope-preset", Select).value = job.value
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
        dialog.query_one("#scope-preset", Select).value = "custom"
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


async def test_every_preset_can_be_chosen_by_keys_and_the_chosen_one_is_shown() -> None:
    """At 80×24, as a person picks one: each preset is in sight as it is reached, then shown."""
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        titles = list(PRESET_TITLES.values())
        choices = dialog.query_one("#scope-preset", Select)
        assert PRESET_TITLES[dialog.preset] in _shown(app)
        for title in titles:  # from the default preset, to each one in turn
            choices.focus()
            await pilot.press("enter")  # the list opens
            steps = titles.index(title) - titles.index(PRESET_TITLES[dialog.preset])
            await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
            # The highlighted one is in sight as the list scrolls (a frame or two later).
            await wait_for(pilot, partial(_on_screen, app, title), f"{title} highlighted", 3)
            await pilot.press("enter")
            assert PRESET_TITLES[dialog.preset] == title
            await wait_for(pilot, partial(_on_screen, app, title), title, 3)
            assert in_view(choices)
        assert dialog.preset == CUSTOM
        assert dialog.query_one("#key-scopes", Input).has_focus  # custom: type them next


def _on_screen(app: App[KeySpec | None], text: str) -> bool:
    return text in _shown(app)


def _shown(app: App[KeySpec | None]) -> str:
    """The characters on screen now, lines joined."""
    return "\n".join(lines(app.export_screenshot(), (80, 24)))


def test_withheld_scopes_are_refused_by_the_form() -> None:
    for scope in WITHHELD:
        _, problem = parse_scopes(scope)
        assert problem is not None
