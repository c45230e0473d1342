"""Step 3's secret keys under faults: a create, roll or delete whose answer is lost is settled
by listing again and said, never a phs_ key on the server the user does not know about."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Static

from phguide.demo import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.secret_keys import SecretKeysDialog
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, settle, wait_for
from tests.reliability.test_ui_faults import _plan, _recover, _said
from tests.ui.sessions import open_secret_keys

from .conftest import Injector

WEB_APP = 1001
KEYS = r"^/api/projects/1001/project_secret_api_keys/"


def _server_keys(server: DemoServer) -> dict[str, str]:
    """Label -> mask of the project's secret keys, as the server holds them."""
    with server.data.lock:
        return {key.label: key.mask_value for key in server.data.secret_keys.of_project(WEB_APP)}


def _problem(dialog: SecretKeysDialog) -> str:
    return _said(dialog.query_one(ProblemBox).text)


async def _press(pilot: Pilot[None], dialog: SecretKeysDialog, button: str, label: str) -> None:
    """Highlight the key labelled `label`, press Roll or Delete, and confirm."""
    index = [key.label for key in dialog.keys].index(label)
    dialog.query_one("#secret-keys-list", OptionList).highlighted = index
    dialog.query_one(button, Button).press()
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), "the question")
    await pilot.press("y")
    await settle(pilot)


@pytest.mark.parametrize("fault", ["502 html", "502 after the work", "dropped after the work"])
async def test_create_roll_and_delete_with_the_answer_lost(
    services: Services, demo_server: DemoServer, inject: Injector, fault: str
) -> None:
    after = "after" in fault
    with demo_server.data.lock:
        for label in ("Existing", "Doomed"):
            demo_server.data.secret_keys.create(WEB_APP, label, ["feature_flag:read"], created_at=0)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_secret_keys(pilot, app, services)
        panel = dialog.query_one(FreshKeyPanel)

        # Create: made on the server or not, the list and the words say which.
        _plan(inject, demo_server, "secret key creation", fault, KEYS + "?$", "POST")
        dialog.query_one("#secret-label", Input).value = "Under fire"
        dialog.query_one("#secret-create", Button).press()
        await settle(pilot)
        _recover(demo_server, fault)
        text = _problem(dialog)
        assert ("Under fire" in _server_keys(demo_server)) is after
        assert ("Under fire" in [key.label for key in dialog.keys]) is after
        assert panel.fresh is None and app.state.fresh_keys == []
        if after:
            assert "was created, but its value was lost" in text and "roll it" in text, text
            highlighted = dialog.query_one("#secret-keys-list", OptionList).highlighted
            assert highlighted is not None and dialog.keys[highlighted].label == "Under fire"
        else:
            assert "was not created" in text and "Nothing changed" in text, text

        # Roll: the mask tells whether the server rolled it.
        before = _server_keys(demo_server)["Existing"]
        _plan(inject, demo_server, "secret key roll", fault, KEYS + r"[^/]+/roll/?$", "POST")
        await _press(pilot, dialog, "#secret-roll", "Existing")
        _recover(demo_server, fault)
        text = _problem(dialog)
        assert (_server_keys(demo_server)["Existing"] != before) is after
        assert panel.fresh is None and app.state.fresh_keys == []
        if after:
            assert "was rolled, but its value was lost" in text, text
        else:
            assert "was not rolled" in text, text

        # Delete: whether it is still listed says whether it happened.
        _plan(inject, demo_server, "secret key delete", fault, KEYS + r"[^/]+/?$", "DELETE")
        await _press(pilot, dialog, "#secret-delete", "Doomed")
        _recover(demo_server, fault)
        gone = "Doomed" not in _server_keys(demo_server)
        assert gone is after
        assert ("Doomed" in [key.label for key in dialog.keys]) is not gone
        settled = str(dialog.query_one("#secret-keys-settled", Static).render())
        if not gone:
            assert "was not deleted" in _problem(dialog)
        else:
            assert "Deleted the project secret key “Doomed”" in app.status
            assert not dialog.query_one(ProblemBox).text
        if fault == "502 after the work":
            # A 204 cut short after its headers is whole; a 502 after the work is a lost answer.
            assert "was deleted" in _said(settled) and "answer was lost" in settled, settled

        # With the fault gone, the same change works, and its value is a fresh secret.
        dialog.query_one("#secret-label", Input).value = "Second try"
        dialog.query_one("#secret-create", Button).press()
        await settle(pilot)
        assert panel.fresh is not None and panel.fresh.label == "Second try"
        assert [fresh.label for fresh in app.state.unsafe_fresh_keys()] == ["Second try"]
        assert not dialog.query_one(ProblemBox).text
        assert inject.total() == 3  # each fault hit its request
