"""Step 3, Project API key: organizations and projects listed, filtered, copied and opened."""

from __future__ import annotations

import time

from textual.widgets import Input, Static

from phguide.demo.data import DEMO_EMAIL, scale_data
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import RecordingClipboard
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.project_key import ProjectKeyScreen
from phguide.ui.widgets.problem import ProblemBox
from phguide.ui.widgets.project_list import ProjectIndex, ProjectList
from phguide.ui.widgets.secret_field import KeyBox
from tests.helpers import SIZE, settle
from tests.ui.rendered import lines
from tests.ui.sessions import key_session, password_session, sign_in


def _recording(services: Services) -> RecordingClipboard:
    system = services.clipboard.system
    assert isinstance(system, RecordingClipboard)
    return system


def _listed(app: PhGuideApp) -> list[str]:
    return [row.text.strip() for row in app.screen.query_one(ProjectList).rows]


def _static(app: PhGuideApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_signed_out_explains_and_offers_log_in(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, ProjectKeyScreen)
        assert "Log in first" in _static(app, "#project-key-signed-out")
        assert not app.screen.query_one("#project-key-main").display
        await pilot.press("l")
        await pilot.pause()
        assert app.current_mode == "log-in"


async def test_password_session_lists_every_org_and_copies_the_current_project_key(
    services: Services, demo_server: DemoServer, opened_urls: list[str]
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        session = await password_session(services)
        sign_in(app, session)
        await settle(pilot)
        assert app.current_mode == "project-key"
        rows = _listed(app)
        assert any(row.startswith("Hedgehog Labs") for row in rows)
        assert any(row.startswith("Acme Corp") for row in rows)
        assert {"Web app", "Mobile app", "Staging", "Acme Storefront"} <= {
            row.split("  #")[0] for row in rows
        }
        # The user's current project is chosen by default, and its key is the server's.
        web = demo_server.data.projects[1001]
        assert session.selected_project is not None
        assert session.selected_project.id == 1001
        box = app.screen.query_one("#project-key-box", KeyBox)
        assert box.shown_text == web.api_token
        # PostHog's docs call it the project token: the box's title, as drawn, says both.
        assert any(
            "Project API key (project token)" in row for row in lines(app.export_screenshot(), SIZE)
        )
        facts = _static(app, "#project-key-facts")
        assert services.host is not None
        assert services.host.ingest_url in facts
        assert "Hedgehog Labs" in facts
        assert session.projects is not None

        await pilot.press("c")
        await settle(pilot)
        assert _recording(services).copies[-1] == web.api_token
        assert web.api_token.startswith("phc_")
        assert "project API key" in app.status

        await pilot.press("o")
        await settle(pilot)
        assert opened_urls == [services.host.project_settings_url(1001)]
        assert opened_urls[0].endswith("/project/1001/settings/project#variables")


async def test_filter_as_you_type_and_copy_another_project(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        session = await password_session(services)
        sign_in(app, session)
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#project-filter", Input)
        await pilot.press(*"storefront")
        await pilot.pause()
        assert _listed(app) == ["Acme Corp  ·  2 projects", "Acme Storefront  #2001"]
        assert session.selected_project is not None
        assert session.selected_project.id == 2001
        await pilot.press("enter")
        assert isinstance(app.focused, ProjectList)
        await pilot.press("c")
        await settle(pilot)
        assert _recording(services).copies[-1] == demo_server.data.projects[2001].api_token

        # Nothing matches: the list says so and the chosen key stays.
        await pilot.press("slash", "x", "y", "z")
        await pilot.pause()
        assert _listed(app) == []
        assert "No project matches" in _static(app, "#project-list-note")
        box = app.screen.query_one("#project-key-box", KeyBox)
        assert box.shown_text == demo_server.data.projects[2001].api_token


async def test_forbidden_org_shows_its_error_and_the_others_still_list(
    services: Services, demo_server: DemoServer
) -> None:
    # A member's key on Acme Corp, which does not allow members' personal keys.
    value = demo_server.issue_key(DEMO_EMAIL, "Everything", ("*",))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await key_session(services, value, method="pasted"))
        await settle(pilot)
        rows = _listed(app)
        assert "Acme Corp  ·  cannot list its projects" in rows
        assert "Web app  #1001  (current)" in rows
        assert not any("Acme Storefront" in row for row in rows)
        note = _static(app, "#project-list-note")
        assert "Acme Corp" in note and "does not allow using personal API keys" in note
        assert not app.screen.query_one("#project-key-scoped").display


async def test_project_scoped_key_shows_its_project_and_explains_why(
    services: Services, demo_server: DemoServer
) -> None:
    value = demo_server.issue_key(
        DEMO_EMAIL,
        "CLI - Mobile app - 2025-06-01",
        ("user:read", "project:read"),
        scoped_teams=(1002,),
    )
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        session = await key_session(
            services, value, method="device", label="CLI - Mobile app - 2025-06-01"
        )
        sign_in(app, session)
        await settle(pilot)
        rows = _listed(app)
        assert rows[0] == "Hedgehog Labs  ·  1 project"
        assert len(rows) == 2 and rows[1].startswith("Mobile app  #1002")
        scoped = app.screen.query_one("#project-key-scoped", Static)
        assert scoped.display
        text = str(scoped.render())
        assert "browser approval" in text and "CLI - Mobile app" in text
        assert "log in with your email and password" in text
        assert session.selected_project is not None
        assert session.selected_project.id == 1002
        await pilot.press("c")
        await settle(pilot)
        assert _recording(services).copies[-1] == demo_server.data.projects[1002].api_token
        # `l` is offered: a password log-in lists every project.
        await pilot.press("l")
        await pilot.pause()
        assert app.current_mode == "log-in"


async def test_listing_failure_shows_message_fix_and_retries(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        session = await password_session(services)
        demo_server.faults.add("status", path="/projects", status=503, times=None)
        sign_in(app, session)
        await settle(pilot)
        error = app.screen.query_one("#project-key-error", ProblemBox).text
        assert "503" in error and "try again" in error.lower()
        assert "<html" not in error
        demo_server.faults.clear()
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one("#project-key-main").display
        assert "Web app  #1001  (current)" in _listed(app)


async def test_ten_thousand_projects_filter_while_typing(services: Services) -> None:
    server = DemoServer(scale_data(100, 100)).start()
    try:
        from phguide.core.hosts import parse_host

        services.host = parse_host(server.url)
        app = PhGuideApp(services)
        async with app.run_test(size=SIZE) as pilot:
            sign_in(app, await password_session(services))
            await settle(pilot)
            project_list = app.screen.query_one(ProjectList)
            assert sum(1 for row in project_list.rows if row.kind == "project") == 10_000
            await pilot.press("slash", *"042-07")
            await pilot.pause()
            assert [row.text.split("  #")[0].strip() for row in project_list.rows[1:]] == [
                "Project 042-070",
                "Project 042-071",
                "Project 042-072",
                "Project 042-073",
                "Project 042-074",
                "Project 042-075",
                "Project 042-076",
                "Project 042-077",
                "Project 042-078",
                "Project 042-079",
            ]
    finally:
        server.stop()


def test_filtering_the_index_is_one_pass_over_precomputed_text() -> None:
    from phguide.api.models import Organization, OrgProjects, Project

    orgs = [
        OrgProjects(
            Organization(f"org-{o}", f"Org {o:03d}"),
            tuple(
                Project(o * 100 + p, f"Project {o:03d}-{p:03d}", f"phc_{o}_{p}", f"org-{o}")
                for p in range(100)
            ),
        )
        for o in range(100)
    ]
    index = ProjectIndex(orgs)
    start = time.perf_counter()
    for query in ("p", "pr", "pro", "proj", "proje", "projec", "project 0", "project 09"):
        index.rows(query)
    # Eight keystrokes over 10,000 projects: generous enough for a busy CI machine.
    assert time.perf_counter() - start < 1.0
    assert len(index.rows("project 099-099")) == 2


async def test_through_the_log_in_screen_to_both_keys(
    services: Services, demo_server: DemoServer
) -> None:
    from phguide.demo.data import DEMO_PASSWORD
    from tests.ui.test_login import submit_password

    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, DEMO_EMAIL, DEMO_PASSWORD)
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ProjectKeyScreen)
        box = app.screen.query_one("#project-key-box", KeyBox)
        assert box.shown_text == demo_server.data.projects[1001].api_token
        await pilot.press("4")
        await settle(pilot)
        assert app.screen.query_one("#personal-keys-main").display
        assert "3 of 10 keys" in _static(app, "#personal-keys-count")


async def test_without_a_browser_the_page_to_open_is_shown(services: Services) -> None:
    services.open_url = lambda url: False
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert services.host is not None
        assert app.status == f"Open this page: {services.host.project_settings_url(1001)}"


async def test_the_listing_note_comes_back_when_the_filter_is_cleared(
    services: Services, demo_server: DemoServer
) -> None:
    # "No project matches" belongs to the filter typed: cleared, the listing's note is back.
    value = demo_server.issue_key(DEMO_EMAIL, "Everything", ("*",))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await key_session(services, value, method="pasted"))
        await settle(pilot)
        listing_note = _static(app, "#project-list-note")
        assert listing_note.startswith("⚠ Acme Corp")
        await pilot.press("slash", "x", "y", "z")
        await pilot.pause()
        assert "No project matches" in _static(app, "#project-list-note")
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        note = app.screen.query_one("#project-list-note", Static)
        assert note.display and str(note.render()) == listing_note
