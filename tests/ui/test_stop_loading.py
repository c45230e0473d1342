"""A listing that hangs (a slow or rate-limited server) can be stopped with Escape, then retried."""

from __future__ import annotations

from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.signed_in import SignedInStep
from phguide.ui.widgets.problem import ProblemBox
from phguide.ui.widgets.project_list import ProjectList
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import password_session, sign_in


def _asked(server: DemoServer, part: str) -> bool:
    """Whether the server has received a GET whose path contains `part` (and may be stalling it)."""
    return any(method == "GET" and part in path for method, path in server.requests_log)


async def test_escape_stops_a_slow_project_listing_and_r_lists_again(
    services: Services, demo_server: DemoServer
) -> None:
    demo_server.faults.add("slow", path=r"/api/organizations/.*/projects", times=None, delay=5.0)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await wait_for(pilot, lambda: _asked(demo_server, "/projects/"), "the project listing")
        assert app.current_mode == "project-key"
        screen = app.screen
        assert isinstance(screen, SignedInStep)
        # The current project's key is known already: the list is what loads.
        await wait_for(pilot, lambda: screen.phase == "loading", "the loading phase")
        assert screen.query_one("#project-key-main").display
        await wait_for(
            pilot, lambda: screen.query_one("#project-list-loading").display, "the list loading"
        )
        assert not screen.query_one("#project-list").display
        await pilot.press("escape")
        await pilot.pause()
        assert screen.phase == "error"
        assert not screen.query_one("#project-key-main").display
        error = screen.query_one("#project-key-error", ProblemBox).text
        assert "You stopped listing your projects" in error
        demo_server.faults.clear()
        await pilot.press("r")
        await settle(pilot)
        rows = app.state.session.projects if app.state.session else None
        assert rows is not None and {org.organization.name for org in rows} == {
            "Hedgehog Labs",
            "Acme Corp",
        }


async def test_escape_while_listing_again_keeps_the_list_from_before(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SignedInStep) and screen.phase == "ready"
        rows = len(screen.query_one(ProjectList).rows)
        demo_server.faults.add(
            "slow", path=r"/api/organizations/.*/projects", times=None, delay=5.0
        )
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.phase == "loading", "listing again")
        await pilot.press("escape")
        await pilot.pause()
        assert screen.phase == "ready"
        assert screen.query_one(ProjectList).display
        assert len(screen.query_one(ProjectList).rows) == rows > 0
        assert not screen.query_one("#project-key-error", ProblemBox).display
        assert "list from before" in app.status


async def test_escape_stops_a_slow_key_listing(services: Services, demo_server: DemoServer) -> None:
    demo_server.faults.add("slow", path=r"/api/personal_api_keys", times=None, delay=5.0)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("4")
        await wait_for(pilot, lambda: _asked(demo_server, "/api/personal_api_keys"), "the listing")
        await pilot.press("escape")
        await pilot.pause()
        error = app.screen.query_one("#personal-keys-error", ProblemBox).text
        assert "Stopped listing your keys" in error
        demo_server.faults.clear()
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.query_one("#keys-table").display
