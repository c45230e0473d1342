"""A key saved in the app is the key `phguide status`, `phguide keys` and the next run use."""

from __future__ import annotations

import asyncio
import io
import json

from textual.widgets import Static

from phguide.cli.main import run_subcommand
from phguide.cli.parser import build_parser
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.widgets.fresh_key import FreshKeyPanel
from tests.helpers import SIZE, settle
from tests.ui.sessions import password_session, sign_in


async def test_key_created_and_saved_in_the_app_is_found_by_the_subcommands(
    services: Services,
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, PersonalKeysScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Laptop", "enter")
        await settle(pilot)
        fresh = app.screen.query_one(FreshKeyPanel).fresh
        assert fresh is not None
        await pilot.press("s")
        await settle(pilot)
        assert fresh.saved

    assert services.host is not None
    out = io.StringIO()
    args = build_parser().parse_args(["status", "--json", "--host", services.host.app_url])
    # The subcommands run their own event loop, as from a shell: give them a thread.
    status = await asyncio.to_thread(
        run_subcommand, args, store=services.store, clouds=services.clouds, stdout=out
    )
    assert status == 0, out.getvalue()
    report = json.loads(out.getvalue())
    assert report["key"]["source"] == "keyring"
    assert report["key"]["user"] == DEMO_EMAIL
    assert report["key"]["mask"] == fresh.value.masked
    assert report["works"] is True
    assert fresh.value.reveal() not in out.getvalue()

    out = io.StringIO()
    args = build_parser().parse_args(["keys", "--json"])  # the last host used: the app's
    status = await asyncio.to_thread(
        run_subcommand, args, store=services.store, clouds=services.clouds, stdout=out
    )
    assert status == 0, out.getvalue()
    rows = json.loads(out.getvalue())
    assert {row["project"] for row in rows} >= {"Web app", "Mobile app", "Staging"}


async def test_next_run_signs_in_with_the_key_saved_last_time(
    services: Services, demo_server: DemoServer
) -> None:
    assert services.host is not None
    value = demo_server.issue_key(DEMO_EMAIL, "Saved last time", ["*"])
    assert services.save_personal_key(services.host, DEMO_EMAIL, Secret(value)).ok

    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#saved-key-box")
        assert box.display
        note = str(app.screen.query_one("#saved-key-note", Static).render())
        assert DEMO_EMAIL in note and Secret(value).masked in note
        assert value not in note
        await pilot.press("k")
        await settle(pilot)
        session = app.state.session
        assert session is not None and session.method == "keyring"
        assert session.user is not None and session.user.email == DEMO_EMAIL
        assert app.current_mode == "project-key"


async def test_no_saved_key_box_when_nothing_was_saved(services: Services) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#saved-key-box").display
        await pilot.press("k")
        await settle(pilot)
        assert app.state.session is None
