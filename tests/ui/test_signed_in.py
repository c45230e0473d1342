"""Steps 3 and 4 share one frame: a pane a phase, the footer following the phase by itself,
and one problem box that can speak over a ready list."""

from __future__ import annotations

from textual.widgets import DataTable

from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.screens.project_key import ProjectKeyScreen
from phguide.ui.screens.signed_in import SignedInStep
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, settle, wait_for
from tests.ui.rendered import lines
from tests.ui.sessions import password_session, sign_in


def _footer(app: PhGuideApp) -> str:
    """The bottom line of the terminal: the footer's keys as drawn."""
    return lines(app.export_screenshot(), SIZE)[-1]


async def test_the_phase_alone_changes_the_footer(services: Services) -> None:
    # No step calls refresh_bindings: setting the phase must redraw the footer's keys.
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        for step in ("3", "4"):
            await pilot.press(step)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, SignedInStep)
            assert screen.phase == "ready"
            assert "Stop" not in _footer(app)
            # Nothing focused, so that no focus change (which refreshes the footer itself)
            # hides whether the phase does.
            screen.set_focus(None)
            await pilot.pause()
            published: list[object] = []
            screen.bindings_updated_signal.subscribe(screen, published.append, immediate=True)
            screen.phase = "loading"
            assert published, "the footer was not told"
            await wait_for(pilot, lambda: "Stop" in _footer(app), "Stop in the footer")
            assert screen.query_one(f"#{screen.STEP_ID}-main").display == (step == "3")
            screen.phase = "error"
            await wait_for(pilot, lambda: "Stop" not in _footer(app), "Stop gone")
            assert not screen.query_one(f"#{screen.STEP_ID}-main").display
            assert not screen.query_one(f"#{screen.STEP_ID}-loading").display
            screen.bindings_updated_signal.unsubscribe(screen)


async def test_a_failed_delete_says_why_while_the_table_stays(
    services: Services, demo_server: DemoServer
) -> None:
    demo_server.issue_key(DEMO_EMAIL, "Doomed")
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonalKeysScreen)
        table = screen.query_one("#keys-table", DataTable)
        labels = [str(table.get_row_at(row)[0]) for row in range(table.row_count)]
        table.move_cursor(row=labels.index("Doomed"))
        demo_server.faults.add(
            "status", path=r"^/api/personal_api_keys/[^/]+/?$", method="DELETE", status=502
        )
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        box = screen.query_one(ProblemBox)
        assert "was not deleted" in box.text, box.text
        assert not box.has_class("-notice")
        assert screen.phase == "ready"
        assert screen.query_one("#personal-keys-main").display and table.display
        assert "Doomed" in [str(table.get_row_at(row)[0]) for row in range(table.row_count)]
        drawn = "\n".join(lines(app.export_screenshot(), SIZE))
        assert "was not deleted" in drawn and "Doomed" in drawn
        # The next change starts afresh: the problem goes.
        await pilot.press("f5")
        await settle(pilot)
        assert box.text == ""


async def test_step_3_shows_the_key_while_its_list_loads(
    services: Services, demo_server: DemoServer
) -> None:
    demo_server.faults.add("slow", path=r"/api/organizations/.*/projects", times=None, delay=5.0)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await wait_for(pilot, lambda: isinstance(app.screen, ProjectKeyScreen), "step 3")
        screen = app.screen
        assert isinstance(screen, ProjectKeyScreen)
        await wait_for(pilot, lambda: screen.phase == "loading", "the listing")
        await wait_for(
            pilot, lambda: screen.query_one("#project-list-loading").display, "the list loading"
        )
        token = demo_server.data.projects[1001].api_token

        def drawn() -> str:
            return "\n".join(lines(app.export_screenshot(), SIZE))

        await wait_for(pilot, lambda: token in drawn(), "the key, drawn")
        assert "Listing your projects…" in drawn()
        assert screen.phase == "loading"
        assert screen.check_action("copy_key", ()) is True
        assert screen.check_action("focus_filter", ()) is False
        demo_server.faults.clear()
        await pilot.press("escape")
        await pilot.pause()


async def test_what_step_4_offers_follows_its_state_by_itself(services: Services) -> None:
    # A change running, PostHog asking for a new sign-in, the table's cursor and the new key's
    # safety each decide a key of the footer: setting them tells the footer, nothing else.
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonalKeysScreen)
        screen.set_focus(None)
        await pilot.pause()
        assert "Reload" in _footer(app)
        published: list[object] = []
        screen.bindings_updated_signal.subscribe(screen, published.append, immediate=True)
        for name, value in (("busy", True), ("reauth", True), ("cursor", 2), ("fresh_safe", False)):
            published.clear()
            setattr(screen, name, value)
            assert published, f"{name}: the footer was not told"
        await wait_for(pilot, lambda: "Reload" not in _footer(app), "Reload gone while busy")
        screen.busy = False
        await wait_for(pilot, lambda: "Reload" in _footer(app), "Reload back")
        screen.bindings_updated_signal.unsubscribe(screen)
