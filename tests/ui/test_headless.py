"""A headless box: no keyring backend, no system clipboard. The app still gets the key out."""

from __future__ import annotations

from keyring.backends.fail import Keyring as FailKeyring
from textual.widgets import Static

from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import KeyringStore
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from tests.helpers import SIZE, settle
from tests.ui.sessions import password_session, sign_in


def _headless(services: Services) -> None:
    # keyring's own "fail" backend is what keyring picks on a box without a Secret Service.
    services.store = KeyringStore(FailKeyring())
    services.clipboard = Clipboard(RecordingClipboard(available=False))


async def test_project_key_copies_through_the_terminal_when_there_is_no_clipboard(
    services: Services,
) -> None:
    _headless(services)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        session = await password_session(services)
        sign_in(app, session)
        await settle(pilot)
        assert app.current_mode == "project-key"
        await pilot.press("c")
        await settle(pilot)
        assert session.user is not None and session.user.team is not None
        assert app.clipboard == session.user.team.api_token
        assert "terminal" in app.status.lower()


async def test_new_key_without_keyring_is_explained_copied_by_osc52_and_never_lost(
    services: Services,
) -> None:
    _headless(services)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, PersonalKeysScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Headless server")
        await pilot.press("enter")
        await settle(pilot)
        panel = app.screen.query_one(FreshKeyPanel)
        fresh = panel.fresh
        assert fresh is not None and panel.display

        # Saving fails the way it does on a headless box, and says what to do.
        await pilot.press("s")
        await settle(pilot)
        state = str(app.screen.query_one("#fresh-key-state", Static).render())
        assert "keyring" in state.lower()
        assert not fresh.saved and not fresh.safe
        assert panel.display, "the key must stay on screen when it could not be saved"

        # Quitting now asks first.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running

        # Copying goes through the terminal (OSC 52): the app's clipboard holds the value, but
        # phguide cannot read a terminal's clipboard back, so the key is not safe yet.
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == fresh.value.reveal()
        state = str(app.screen.query_one("#fresh-key-state", Static).render())
        assert "cannot check" in state
        assert not fresh.safe and panel.display

        # The user pastes it somewhere, then says so.
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert fresh.safe
        assert app.state.unsafe_fresh_keys() == []
        state = str(app.screen.query_one("#fresh-key-state", Static).render())
        assert "You said you stored it" in state
        assert "press i" not in state  # what asked for it is done
