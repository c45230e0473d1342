"""A returning user whose key showed a project key last time: that key in the first frame.

The project key is public, so phguide remembers the one a held key's sign-in showed (in the
settings file, beside the key's record) and a returning user's first screen is step 3 with it,
while `/api/users/@me/` checks the saved personal key. These run the real app against the demo
server; what a frame showed is read where Textual paints it (`post_display_hook`).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.css.query import NoMatches

from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL, TOTP_EMAIL, DemoProject
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import RecordingClipboard
from phguide.system.config import ProjectMemo
from phguide.ui import messages
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.screens.project_key import ProjectKeyScreen
from phguide.ui.widgets.problem import ProblemBox
from phguide.ui.widgets.secret_field import KeyBox
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import key_session, sign_in
from tests.ui.test_palette import run_palette
from tests.ui.test_personal_keys import _create, _open_keys

OLD_TOKEN = "phc_" + "o" * 43
"""A project key the demo server never issued: last time's, since reset."""


def _hold_key(services: Services, value: str) -> None:
    assert services.host is not None
    assert services.save_personal_key(services.host, DEMO_EMAIL, Secret(value)).ok


def _remember(services: Services, memo: ProjectMemo) -> None:
    assert services.host is not None
    held = services.accounts.active(services.host)
    assert held is not None
    services.accounts.remember_project(held, memo)


def _returning(
    services: Services, demo_server: DemoServer, token: str | None = None
) -> DemoProject:
    """A working key held, and its project remembered (with `token`, else its real key)."""
    _hold_key(services, demo_server.issue_key(DEMO_EMAIL, "Laptop", ("*",)))
    project = demo_server.data.projects[1001]
    _remember(services, ProjectMemo(project.id, project.name, token or project.api_token))
    return project


def _memo(services: Services) -> ProjectMemo | None:
    assert services.host is not None
    held = services.accounts.active(services.host)
    return held.project if held is not None else None


def _box(app: PhGuideApp) -> str:
    return app.screen.query_one("#project-key-box", KeyBox).shown_text


def _copies(services: Services) -> list[str]:
    system = services.clipboard.system
    assert isinstance(system, RecordingClipboard)
    return system.copies


async def test_a_sign_in_with_the_held_key_remembers_its_project_key(
    services: Services, demo_server: DemoServer
) -> None:
    _hold_key(services, demo_server.issue_key(DEMO_EMAIL, "Laptop", ("*",)))
    project = demo_server.data.projects[1001]
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_mode == "key-types"  # nothing remembered yet: step 1 first
        await wait_for(pilot, lambda: _memo(services) is not None, "the project key remembered")
    assert _memo(services) == ProjectMemo(project.id, project.name, project.api_token)


async def test_a_sign_in_that_shows_no_project_forgets_the_remembered_key(
    services: Services, demo_server: DemoServer
) -> None:
    project = _returning(services, demo_server)
    user = demo_server.data.user(DEMO_EMAIL)
    assert user is not None
    with demo_server.data.lock:
        user.current_team_id = None  # `@me` now says "team": null
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        assert _box(app) == project.api_token  # last time's, while PostHog checks the key
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        await wait_for(pilot, lambda: _memo(services) is None, "the memo forgotten")
    # The next start does not show a project key this account no longer has as its own.
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE):
        assert app.current_mode == "key-types"  # as for a key never remembered: step 1 first


async def test_a_sign_in_or_out_heard_as_the_app_quits_opens_no_step(
    services: Services, demo_server: DemoServer
) -> None:
    """Under `run_test`, Textual closes the screens while the app's loop still runs: a
    returning user's check that answered then opened step 3 and broke the close (1 run in
    3 of the memo tests here). Handed to the closed app, neither message does anything."""
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        late = await key_session(services, demo_server.issue_key(DEMO_EMAIL, "Late"))
        left_on = app.current_mode
    assert not app.is_running
    app._signed_in(messages.SignedIn(late))  # as the loop would hand it over
    assert app.state.session is None and app.current_mode == left_on
    app._signed_out(messages.SignedOut("Logged out."))
    assert app.current_mode == left_on and app.status != "Logged out."
    await late.client.aclose()


async def test_a_key_saved_in_a_session_gives_the_next_start_its_project_key(
    services: Services, demo_server: DemoServer
) -> None:
    """Made at step 4 and saved (the host's first key: active), then quit: the next start
    shows the project key at once, not only the start after a returning sign-in."""
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "For the laptop")
        await pilot.press("s")
        await settle(pilot)
        assert _memo(services) is None  # written as the app quits
        session = app.state.session
        assert session is not None and session.user is not None
        team = session.user.team
        assert team is not None
    assert _memo(services) == ProjectMemo(team.id, team.name, team.api_token)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_mode == "project-key"
        assert _box(app) == team.api_token
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")


async def test_the_remembered_key_is_in_the_first_frame_before_posthog_answers(
    services: Services, demo_server: DemoServer
) -> None:
    project = _returning(services, demo_server)
    held = demo_server.faults.add("slow", path=r"^/api/users/@me/?$", delay=60)
    app = PhGuideApp(services)
    frames: list[tuple[str, bool, str]] = []
    """Each frame: the step, whether a session was there, and step 3's key box."""

    def painted() -> None:
        try:
            shown = _box(app)
        except NoMatches:
            shown = ""
        frames.append((app.current_mode, app.state.session is not None, shown))

    app.post_display_hook = painted  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(frames), "the first frame")
        assert frames[0] == ("project-key", False, project.api_token)
        screen = app.screen
        assert isinstance(screen, ProjectKeyScreen)
        facts = str(screen.query_one("#project-key-facts").render())
        assert f"last visit as {DEMO_EMAIL}: PostHog is checking your saved key." in facts
        assert "Checking your saved key" in str(screen.query_one("#project-list-busy").render())
        # While PostHog checks the key, c copies the remembered one and says what it is.
        await pilot.press("c")
        await wait_for(pilot, lambda: bool(_copies(services)), "the copy")
        assert _copies(services) == [project.api_token]
        assert "remembered from your last visit (not confirmed now)" in app.status
        held.release()  # PostHog answers the check only now
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        await settle(pilot)
        assert held.fired == 1
        assert _box(app) == project.api_token
        assert app.state.resuming is None
        assert app.status.startswith(f"Signed in to {services.host.label} as {DEMO_EMAIL}")  # type: ignore[union-attr]
        assert "not the one phguide remembered" not in app.status
        assert "Remembered" not in str(screen.query_one("#project-key-facts").render())
        # The list came: the step is the signed-in step 3, with every project.
        assert screen.phase == "ready"
    assert all(mode == "project-key" for mode, _, _ in frames)
    assert not any(box == "" for _, _, box in frames)  # the key never left the screen


async def test_a_project_key_changed_since_last_time_is_replaced_and_said(
    services: Services, demo_server: DemoServer
) -> None:
    project = _returning(services, demo_server, OLD_TOKEN)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        await settle(pilot)
        assert _box(app) == project.api_token
        assert "PostHog's project key is not the one phguide remembered" in app.status
        await pilot.press("c")
        await wait_for(pilot, lambda: bool(_copies(services)), "the copy")
        assert _copies(services) == [project.api_token]
    # And the memo follows PostHog.
    assert _memo(services) == ProjectMemo(project.id, project.name, project.api_token)


async def test_a_key_that_no_longer_signs_in_says_why_and_keeps_the_remembered_key(
    services: Services, demo_server: DemoServer
) -> None:
    _hold_key(services, "phx_" + "r" * 43)  # revoked: the server does not know it
    _remember(services, ProjectMemo(1001, "Web app", OLD_TOKEN))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.state.resuming.failed is not None, "the failure")  # type: ignore[union-attr]
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProjectKeyScreen)
        problem = screen.query_one(ProblemBox)
        assert problem.display
        assert problem.text  # what PostHog said, and what to do
        assert _box(app) == OLD_TOKEN
        assert not screen.query_one("#project-key-projects").display
        facts = str(screen.query_one("#project-key-facts").render())
        assert f"last visit as {DEMO_EMAIL}: not confirmed now." in facts
        assert f"Your saved key for {DEMO_EMAIL} did not sign you in." in str(problem.text)
        await pilot.press("c")
        await wait_for(pilot, lambda: bool(_copies(services)), "the copy")
        assert _copies(services) == [OLD_TOKEN]
        assert "not confirmed now" in app.status
        await pilot.press("l")
        await wait_for(pilot, lambda: app.current_mode == "log-in", "Log in")
    assert app.state.session is None
    assert _memo(services) == ProjectMemo(1001, "Web app", OLD_TOKEN)  # not a sign-in: kept


async def test_leaving_step_3_while_the_key_is_checked_stops_the_resume(
    services: Services, demo_server: DemoServer
) -> None:
    _returning(services, demo_server)
    held = demo_server.faults.add("slow", path=r"^/api/users/@me/?$", delay=60)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await wait_for(pilot, lambda: app.current_mode == "log-in", "Log in")
        held.release()  # PostHog answers the check only once step 3 is left
        await wait_for(pilot, lambda: bool(demo_server.requests_timeline), "the check answered")
        await settle(pilot)
        assert app.current_mode == "log-in"  # not pulled back to step 3
        assert app.state.session is None
        assert app.state.resuming is None
        await pilot.press("3")
        await wait_for(pilot, lambda: app.current_mode == "project-key", "step 3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProjectKeyScreen)
        assert screen.phase == "signed-out"
        assert screen.remembered is None


async def test_the_environments_key_shows_nothing_remembered(
    services: Services, demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment's key wins over the keyring's: what the keyring's key showed is not it.
    _hold_key(services, demo_server.issue_key(DEMO_EMAIL, "Laptop", ("*",)))
    _remember(services, ProjectMemo(1001, "Web app", OLD_TOKEN))
    services.env_key = Secret(demo_server.issue_key(DEMO_EMAIL, "CI", ("*",)))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_mode == "key-types"
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        await settle(pilot)
        assert _box(app) == demo_server.data.projects[1001].api_token


@pytest.mark.parametrize(
    "project",
    [
        {"id": 1001, "name": "Web app", "api_token": "phc_\x1b]52;c;AAAA\x07"},
        {"id": 1001, "name": "Web app", "api_token": "phc_" + "a" * 500},
        {"id": True, "name": "Web app", "api_token": OLD_TOKEN},
        {"id": -1, "name": "Web app", "api_token": OLD_TOKEN},
        {"id": 1001, "name": ["Web app"], "api_token": OLD_TOKEN},
        {"id": 1001, "name": "Web app", "api_token": " phc_x"},
        {"id": 1001, "name": "Web app", "api_token": "phx_" + "s" * 43},  # a secret: never
        "phc_x",
    ],
)
def test_a_memo_that_makes_no_sense_is_dropped(project: Any) -> None:
    assert ProjectMemo.from_dict(project) is None


def test_a_memos_name_is_cleaned_and_bounded() -> None:
    memo = ProjectMemo.from_dict(
        {"id": 7, "name": "A\u202eB\x1b" + "n" * 400, "api_token": "phc_t"}
    )
    assert memo is not None
    assert "\u202e" not in memo.name and "\x1b" not in memo.name
    assert len(memo.name) < 350


async def test_a_log_out_takes_last_times_key_off_step_3(
    services: Services, demo_server: DemoServer
) -> None:
    _hold_key(services, "phx_" + "r" * 43)  # revoked: step 3 keeps last time's key
    _remember(services, ProjectMemo(1001, "Web app", OLD_TOKEN))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.state.resuming.failed is not None, "the failure")  # type: ignore[union-attr]
        await settle(pilot)
        await run_palette(pilot, "Log out")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.state.resuming is None, "last time's key gone")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProjectKeyScreen)
        assert screen.phase == "signed-out"
        assert screen.remembered is None
        assert not screen.query_one(ProblemBox).display
    assert services.accounts.held() == []


async def test_a_log_out_while_the_key_is_checked_does_not_sign_in_with_it(
    services: Services, demo_server: DemoServer
) -> None:
    _returning(services, demo_server)
    held = demo_server.faults.add("slow", path=r"^/api/users/@me/?$", delay=60)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(demo_server.requests_log), "the check sent")
        await run_palette(pilot, "Log out")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        assert app.state.session is None  # still checking
        await pilot.press("y")
        await wait_for(pilot, lambda: app.state.resuming is None, "the log out")
        held.release()  # PostHog answers the check only now
        await wait_for(pilot, lambda: bool(demo_server.requests_timeline), "the check answered")
        await settle(pilot)
        assert app.state.session is None
        assert "Signed in" not in app.status
        screen = app.screen
        assert isinstance(screen, ProjectKeyScreen)
        assert screen.phase == "signed-out"
    assert services.accounts.held() == []
    assert held.fired == 1


async def test_another_accounts_sign_in_is_not_compared_with_last_times_key(
    services: Services, demo_server: DemoServer
) -> None:
    # Last time's key was Max's; Tess signs in by hand on Log in (same project, its real key).
    _hold_key(services, "phx_" + "r" * 43)
    _remember(services, ProjectMemo(1001, "Web app", OLD_TOKEN))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.state.resuming.failed is not None, "the failure")  # type: ignore[union-attr]
        tess = demo_server.issue_key(TOTP_EMAIL, "Tess's", ("*",))
        sign_in(app, await key_session(services, tess))
        await wait_for(pilot, lambda: app.state.session is not None, "Tess signed in")
        await settle(pilot)
        assert _box(app) == demo_server.data.projects[1001].api_token
        assert "not the one phguide remembered" not in app.status
        assert app.state.resuming is None
