"""Step 3's secret API keys: list, create with a preset, roll and delete (confirmed), a new value
kept on screen until it is safe, and the limits said before they bite."""

from __future__ import annotations

from textual.widgets import Button, Input, OptionList, Static

from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.secret_keys import SecretKeysDialog
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from tests.helpers import SIZE, settle
from tests.ui.sessions import key_session, open_secret_keys, password_session, sign_in

WEB_APP = 1001
ACME_STOREFRONT = 2001


def _text(app: PhGuideApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_create_roll_delete_with_a_password_session(
    services: Services, demo_server: DemoServer, opened_urls: list[str]
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        assert app.current_mode == "project-key"
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SecretKeysDialog)
        assert dialog.project.id == WEB_APP
        assert "at most 50" in _text(app, "#secret-keys-about")
        assert "deprecated" in _text(app, "#secret-keys-about")
        assert "0 of 50 keys" in _text(app, "#secret-keys-count")

        dialog.query_one("#secret-label", Input).value = "Flag server"
        dialog.query_one("#secret-create", Button).press()
        await settle(pilot)
        assert [key.label for key in dialog.keys] == ["Flag server"]
        assert dialog.keys[0].scopes == ("feature_flag:read",)
        panel = dialog.query_one(FreshKeyPanel)
        fresh = panel.fresh
        assert fresh is not None and fresh.value.reveal().startswith("phs_")
        assert not fresh.safe
        # The value is masked on screen, and the app knows an unsafe key exists.
        assert fresh.value.reveal() not in str(panel.box.render())
        assert fresh in app.state.unsafe_fresh_keys()
        first = fresh.value.reveal()
        # A project's secret key is no personal key: step 5 never puts it where one goes.
        assert app.state.personal_key() is None

        # Closing with a key not yet safe asks first.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        back: object = app.screen  # not narrowed by the isinstance above
        assert back is dialog

        dialog.query_one("#secret-fresh-copy", Button).press()
        await settle(pilot)
        assert fresh.copied

        dialog.query_one("#secret-keys-list", OptionList).highlighted = 0
        dialog.query_one("#secret-roll", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        rolled = panel.fresh
        assert rolled is not None and rolled.value.reveal() != first
        # The old value is dead: only the new one is guarded.
        assert app.state.unsafe_fresh_keys() == [rolled]

        dialog.query_one("#secret-open", Button).press()
        await settle(pilot)
        assert opened_urls[-1].endswith(f"/project/{WEB_APP}/settings/environment-secret-api-keys")

        dialog.query_one("#secret-keys-list", OptionList).highlighted = 0
        dialog.query_one("#secret-delete", Button).press()
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert dialog.keys == []
        assert demo_server.data.secret_keys.of_project(WEB_APP) == []
        # A deleted key's value is of no use: off the screen, and nothing guards it.
        assert panel.fresh is None and not panel.display
        assert app.state.unsafe_fresh_keys() == []
        assert "Deleted the project secret key “Flag server”" in app.status


async def test_admin_only_and_password_only_writes_are_said_before_they_bite(
    services: Services, demo_server: DemoServer
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "reader", ["*"])
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await key_session(services, key, project_id=WEB_APP))
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SecretKeysDialog)
        assert "needs a password sign-in" in _text(app, "#secret-keys-rights")
        assert dialog.query_one("#secret-create", Button).disabled


async def test_enter_in_the_label_creates_the_key(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_secret_keys(pilot, app, services)
        dialog.query_one("#secret-label", Input).focus()
        await pilot.press(*"Flags", "enter")
        await settle(pilot)
        assert [key.label for key in dialog.keys] == ["Flags"]
        fresh = dialog.query_one(FreshKeyPanel).fresh
        assert fresh is not None and fresh.value.reveal().startswith("phs_")
