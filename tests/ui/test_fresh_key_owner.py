"""The fresh-key panel's owner: keys bound on the screen, a file as a safe place, keys put away."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Static

from phguide.demo.data import DEMO_EMAIL, MEMBER
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.path import PathDialog
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import password_session, sign_in
from tests.ui.test_login import WEB_APP, start_device_flow
from tests.ui.test_palette import run_palette
from tests.ui.test_personal_keys import _create, _fresh, _open_keys

NIA = "nia@hedgehoglabs.example"
"""A second demo user (`_add_nia`)."""


def _state(app: PhGuideApp) -> str:
    return str(app.screen.query_one("#fresh-key-state", Static).render())


async def test_the_panel_keys_work_wherever_the_focus_is_on_the_step(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Focus elsewhere")
        fresh = _fresh(app)
        # The user clicks the table (or tabs away): the panel no longer has the focus.
        await pilot.click("#keys-table")
        await pilot.pause()
        assert isinstance(app.focused, DataTable)
        await pilot.press("s")
        await settle(pilot)
        assert fresh.saved, "s saves the key with the focus on the table"
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one(FreshKeyPanel).fresh is None
        # The footer offers them only while a key is shown: `c` is nobody's key now.
        assert "copy-fresh-key" not in {
            active.binding.id for active in app.screen.active_bindings.values()
        }


async def test_v_is_offered_as_reveal_or_hide_whichever_applies(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Shown or not")
        panel = app.screen.query_one(FreshKeyPanel)

        def offered(name: str) -> bool:
            return bool(app.screen.check_action("fresh_key", (name,)))

        assert offered("reveal") and not offered("hide") and not panel.box.revealed
        await pilot.press("v")
        await pilot.pause()
        assert panel.box.revealed
        assert offered("hide") and not offered("reveal"), "Reveal offered for a shown key"
        await pilot.press("v")
        await pilot.pause()
        assert not panel.box.revealed and offered("reveal")


async def test_written_to_a_file_the_user_chose_is_safe(
    services: Services, demo_server: DemoServer, tmp_path: Path
) -> None:
    target = tmp_path / "new-folder" / "ci.key"
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Written key")
        fresh = _fresh(app)
        assert "w write to a file" in _state(app)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog), "the path dialog")
        field = app.screen.query_one("#key-file-path", Input)
        # Suggested in the user's home, named after the key.
        assert field.value == "~/.config/posthog/written-key.key"
        field.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(fresh.written), "the write")
        assert target.read_text() == fresh.value.reveal() + "\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
        assert fresh.safe and not fresh.saved
        assert f"Written to {target} (0600)" in _state(app)
        assert "w write" not in _state(app)
        assert fresh.value.reveal() not in app.status
        # Safe: quitting asks nothing.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def _write_to(pilot: Pilot[None], app: PhGuideApp, path: Path) -> None:
    await pilot.press("w")
    await wait_for(pilot, lambda: isinstance(app.screen, PathDialog), "the path dialog")
    app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")


@pytest.mark.parametrize("place", ["link", "existing", "work tree"])
async def test_a_key_file_never_goes_through_a_link_nor_over_a_file_or_into_git_unasked(
    services: Services, demo_server: DemoServer, tmp_path: Path, place: str
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours to replace\n")
    if place == "link":
        path = tmp_path / "link.key"
        path.symlink_to(elsewhere)
    elif place == "existing":
        path = elsewhere
    else:
        (tmp_path / "repo" / ".git").mkdir(parents=True)
        path = tmp_path / "repo" / "config" / "posthog.key"
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Careful")
        fresh = _fresh(app)
        await _write_to(pilot, app, path)
        if place == "link":
            await wait_for(pilot, lambda: "symbolic link" in _state(app), "the refusal")
            assert not isinstance(app.screen, ConfirmDialog)
        else:
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            title = str(app.screen.query_one("#dialog-title", Label).render())
            body = str(app.screen.query_one("#dialog-body", Static).render())
            if place == "existing":
                assert title == "Replace elsewhere.txt?"
            else:
                assert "git work tree" in title and str(tmp_path / "repo") in body
                assert "Git does not ignore it" in body or "could not ask git" in body
            # Enter gives the safe answer: nothing is written.
            await pilot.press("enter")
            await wait_for(pilot, lambda: "is as it was" in _state(app), "nothing written")
        assert not fresh.safe and not fresh.written
        assert elsewhere.read_text() == "not yours to replace\n"
        assert place != "work tree" or not path.exists()
        if place != "link":
            # Said yes: written, 0600, read back.
            await _write_to(pilot, app, path)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            await pilot.press("y")
            await wait_for(pilot, lambda: bool(fresh.written), "the write")
            assert path.read_text() == fresh.value.reveal() + "\n"
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_a_key_file_path_the_system_cannot_look_at_is_refused_with_why(
    services: Services, demo_server: DemoServer, tmp_path: Path
) -> None:
    """A folder name over the system's 255 bytes: said in words (the path cut short so the
    reason shows), where the worker used to end on an OSError nobody saw."""
    path = tmp_path / ("x" * 300) / "posthog.key"
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Long way")
        fresh = _fresh(app)
        await _write_to(pilot, app, path)
        await wait_for(pilot, lambda: "Not written" in _state(app), "the refusal")
        state = _state(app)
        assert "File name too long" in state and "…" in state and "x" * 200 not in state
        assert not fresh.written and not fresh.safe


async def test_a_safe_key_put_away_leaves_the_guard_and_step_5_keeps_it(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "First")
        first = _fresh(app)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        # Safe and dismissed: no longer held as a fresh key; step 5 still uses it (active).
        assert app.state.fresh_keys == []
        assert app.state.personal_key() == first.value
        await _create(pilot, "Second")
        second = _fresh(app)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "which is active")
        await pilot.press("y")
        await settle(pilot)
        # A newer key replacing a safe one on the panel puts the older one away too.
        await _create(pilot, "Third")
        third = _fresh(app)
        assert app.state.fresh_keys == [third]
        assert second not in app.state.fresh_keys
        assert app.state.made_key is third
        # The guard counts only the unsafe one.
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        body = str(app.screen.query_one("#dialog-body", Static).render())
        assert "“Third”" in body and "“Second”" not in body and "“First”" not in body


async def test_a_log_out_makes_a_key_saved_only_in_the_keyring_unsafe_again(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Kept in the keyring")
        fresh = _fresh(app)
        panel = app.screen.query_one(FreshKeyPanel)
        await pilot.press("s")
        await settle(pilot)
        assert fresh.safe and "Saved in your keyring" in _state(app)

        await run_palette(pilot, "Log out")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.current_mode == "log-in", "back on Log in")
        await settle(pilot)
        assert services.accounts.held() == []
        # The keyring entry that made it safe is gone: it is not safe any more, and says so.
        assert not fresh.saved and not fresh.safe
        assert app.state.unsafe_fresh_keys() == [fresh]
        words = str(panel.query_one("#fresh-key-state", Static).render())
        assert "Saved in your keyring" not in words and "No longer in your keyring" in words
        assert "“Kept in the keyring” was kept only there" in app.status

        # The guards ask again, before quitting and before leaving the step.
        for key, title in (("ctrl+q", "Quit"), ("3", "Leave")):
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the guard")
            assert title in str(app.screen.query_one("#dialog-title", Label).render())
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDialog), "gone")
        assert app.is_running and app.current_mode == "log-in"


async def test_a_key_made_by_one_account_is_not_the_next_accounts_in_step_5(
    services: Services, demo_server: DemoServer
) -> None:
    """Made by Max and left unsaved, a key is step 5's key only while Max is signed in."""
    _add_nia(demo_server)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Max's own")
        made = _fresh(app)
        assert app.state.personal_key() == made.value

        sign_in(app, await password_session(services, NIA))
        await settle(pilot)
        assert app.state.made_key is made  # still guarded on screen until it is safe
        assert app.state.personal_key() is None
        await pilot.press("5")
        # The unsafe key's guard asks before step 4 is left; leaving keeps it guarded.
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the guard")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.current_mode == "usage", "step 5")
        await settle(pilot)
        shown = str(app.screen.query_one("#usage-context", Static).render())
        assert "Max's own" not in shown
        assert made.value.reveal() not in app.export_screenshot()

        # Max again, on the same host: the key is his, and step 5 uses it again.
        sign_in(app, await password_session(services))
        await settle(pilot)
        assert app.state.personal_key() == made.value


async def test_a_key_approved_as_another_account_is_not_step_5s_key_when_signed_in_again(
    services: Services, demo_server: DemoServer
) -> None:
    """Signed in as Max, the browser approves as Nia: Nia's key is hers, not Max's, even
    though Max was the one signed in when it arrived."""
    _add_nia(demo_server)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        panel = await start_device_flow(pilot, app)
        assert panel.code is not None
        demo_server.approve_device(panel.code.user_code, NIA, WEB_APP)
        await wait_for(pilot, lambda: app.state.account() == (demo_server.url, NIA), "Nia in")
        await settle(pilot)
        nias = app.state.personal_key()
        assert nias is not None

        sign_in(app, await password_session(services))
        await settle(pilot)
        assert app.state.account() == (demo_server.url, DEMO_EMAIL)
        assert app.state.personal_key() is None


def _add_nia(demo_server: DemoServer) -> None:
    """A second demo user in Max's organizations, with no second factor."""
    with demo_server.data.lock:
        max_user = demo_server.data.user(DEMO_EMAIL)
        assert max_user is not None
        orgs = dict.fromkeys(max_user.memberships, MEMBER)
        demo_server.data.add_user(NIA, "Nia", "Other", orgs, None)
