"""A listing that hangs (a slow or rate-limited server) can be stopped with Escape, then retried."""

from __future__ import annotations

from textual.widgets import Static

from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
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
        assert app.screen.query_one("#project-key-loading").display
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query_one("#project-key-loading").display
        error = str(app.screen.query_one("#project-key-error", Static).render())
        assert "Stopped listing your projects" in error
        demo_server.faults.clear()
        await pilot.press("r")
        await settle(pilot)
        rows = app.state.session.projects if app.state.session else None
        assert rows is not None and {org.organization.name for org in rows} == {
            "Hedgehog Labs",
            "Acme Corp",
        }


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
        error = str(app.screen.query_one("#personal-keys-error", Static).render())
        assert "Stopped listing your keys" in error
        demo_server.faults.clear()
        await pilot.press("f5")
        await settle(pilot)
        assert app.screen.query_one("#keys-table").display
