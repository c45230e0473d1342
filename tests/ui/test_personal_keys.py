"""Step 4, Personal API keys: listed, created once, copied, saved, rolled, deleted, kept safe."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select, SelectionList, Static

from phguide.api.client import PostHogClient
from phguide.api.errors import NotAuthenticated
from phguide.core.secret import Secret
from phguide.core.state import FreshKey
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.faults import FaultKind
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore, StoreResult
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.create_key import CreateKeyDialog
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.widgets.fresh_key import WARNING, FreshKeyPanel
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import key_session, password_session, sign_in


def _recording(services: Services) -> RecordingClipboard:
    system = services.clipboard.system
    assert isinstance(system, RecordingClipboard)
    return system


def _text(app: PhGuideApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def _problem(app: PhGuideApp) -> str:
    """What the problem box says (empty while hidden)."""
    return app.screen.query_one("#personal-keys-error", ProblemBox).text


def _screen(app: PhGuideApp) -> PersonalKeysScreen:
    screen = app.screen
    assert isinstance(screen, PersonalKeysScreen)
    return screen


def _labels(app: PhGuideApp) -> list[str]:
    table = app.screen.query_one("#keys-table", DataTable)
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


def _server_labels(server: DemoServer) -> list[str]:
    return [key.label for key in server.data.user_keys(DEMO_EMAIL)]


async def _works(services: Services, value: str) -> bool:
    """Whether the server accepts the value as a Bearer key."""
    assert services.host is not None
    client = PostHogClient(services.host, personal_key=Secret(value))
    try:
        await client.me()
    except NotAuthenticated:
        return False
    finally:
        await client.aclose()
    return True


async def _open_keys(pilot: Pilot[None], app: PhGuideApp, services: Services) -> None:
    sign_in(app, await password_session(services))
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    assert isinstance(app.screen, PersonalKeysScreen)


async def _create(pilot: Pilot[None], label: str, *, custom: str | None = None) -> None:
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CreateKeyDialog)
    await pilot.press(*label)
    if custom is not None:
        pilot.app.screen.query_one("#scope-preset", Select).value = "custom"
        await pilot.pause()
        pilot.app.screen.query_one("#key-scopes", Input).value = custom
        await pilot.pause()
    await pilot.press("ctrl+s")
    await settle(pilot)


def _fresh(app: PhGuideApp) -> FreshKey:
    fresh = app.screen.query_one(FreshKeyPanel).fresh
    assert fresh is not None
    return fresh


def _select(app: PhGuideApp, label: str) -> None:
    table = app.screen.query_one("#keys-table", DataTable)
    table.move_cursor(row=_labels(app).index(label))


async def test_a_bug_in_a_key_change_is_said_on_screen(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        session = app.state.session
        assert session is not None

        async def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr(session.client, "create_key", broken)
        await _create(pilot, "Never made")
        await wait_for(pilot, lambda: "Something unexpected" in _problem(app), "the error")
        assert "a bug" not in _problem(app)
        assert not app.screen.query_one("#personal-keys-busy").display
        assert app.screen.check_action("refresh_keys", ()) is True


async def test_signed_out_explains_and_offers_log_in(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await pilot.pause()
        assert "Log in first" in _text(app, "#personal-keys-signed-out")
        await pilot.press("l")
        await pilot.pause()
        assert app.current_mode == "log-in"


async def test_key_session_explains_why_the_list_is_unavailable(
    services: Services, demo_server: DemoServer, opened_urls: list[str]
) -> None:
    value = demo_server.issue_key(
        DEMO_EMAIL, "CLI - Web app", ("user:read", "project:read"), scoped_teams=(1001,)
    )
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        session = await key_session(services, value, method="device", label="CLI - Web app")
        sign_in(app, session)
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        text = _text(app, "#personal-keys-signed-out")
        assert "cannot be listed" in text
        assert "browser approval" in text and "CLI - Web app" in text
        assert "does not support Personal API Key access" in text
        assert value not in text and Secret(value).masked in text
        assert not app.screen.query_one("#personal-keys-main").display
        await pilot.press("o")
        await settle(pilot)
        assert services.host is not None
        assert opened_urls == [services.host.personal_keys_url()]
        await pilot.press("l")
        await pilot.pause()
        assert app.current_mode == "log-in"


async def test_lists_keys_with_count_and_org_warning(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        assert _labels(app) == _server_labels(demo_server)
        assert set(_labels(app)) == {"Local development", "CI feature flags", "Analytics export"}
        table = app.screen.query_one("#keys-table", DataTable)
        ci = table.get_row_at(_labels(app).index("CI feature flags"))
        assert str(ci[3]) == "Web app"  # project names, not ids
        assert str(ci[1]).startswith("phx_...")
        assert "3 of 10 keys" in _text(app, "#personal-keys-count")
        orgs = _text(app, "#personal-keys-orgs")
        assert "Acme Corp does not allow members to use personal API keys" in orgs


async def test_create_shows_once_copies_and_saves(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Server integration")
        assert isinstance(app.screen, PersonalKeysScreen)
        fresh = _fresh(app)
        value = fresh.value.reveal()
        assert value.startswith("phx_")
        assert app.state.fresh_keys == [fresh]
        assert app.state.unsafe_fresh_keys() == [fresh]
        # Shown once, masked until revealed, with the guide's warning.
        panel = app.screen.query_one(FreshKeyPanel)
        assert _text(app, "#fresh-key-warning") == WARNING
        assert panel.box.shown_text == fresh.value.masked
        await pilot.press("v")
        assert panel.box.shown_text == value
        # The value on screen is the one the server accepts.
        assert await _works(services, value)
        server_key = next(
            k for k in demo_server.data.user_keys(DEMO_EMAIL) if k.label == "Server integration"
        )
        assert "query:read" in server_key.scopes and "*" not in server_key.scopes
        assert "Server integration" in _labels(app)
        assert "4 of 10 keys" in _text(app, "#personal-keys-count")

        await pilot.press("c")
        await settle(pilot)
        assert _recording(services).copies[-1] == value
        # A copy alone never makes the key safe: the clipboard clears itself.
        assert fresh.copied and not fresh.safe
        assert "Copied: clears in" in _text(app, "#fresh-key-state")

        await pilot.press("s")
        await settle(pilot)
        store = services.store
        assert isinstance(store, MemoryStore)
        assert services.host is not None
        held = services.accounts.active(services.host)
        assert held is not None and held.source == "created" and held.email == DEMO_EMAIL
        stored, _ = services.accounts.read(held)
        assert stored == fresh.value
        assert fresh.saved
        assert "Saved" in app.status

        # Revealed (v above), then another step and back: masked again.
        assert panel.box.shown_text == value
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert app.screen.query_one(FreshKeyPanel) is panel
        assert panel.box.shown_text == fresh.value.masked

        await pilot.press("x")
        await pilot.pause()
        assert not panel.display


async def test_no_keyring_keeps_the_key_on_screen_and_says_what_to_do(
    services: Services, demo_server: DemoServer
) -> None:
    services.store = MemoryStore(
        failure=StoreResult(
            "no-backend",
            "No keyring is available on this machine.",
            "Install and unlock a Secret Service, or copy the key now.",
        )
    )
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Headless box")
        fresh = _fresh(app)
        await pilot.press("s")
        await settle(pilot)
        state = _text(app, "#fresh-key-state")
        assert "Not saved: No keyring is available" in state
        assert "Secret Service" in state
        assert not fresh.safe
        assert app.screen.query_one(FreshKeyPanel).display
        # `x` and `n` are offered, and say why they cannot act yet.
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.query_one(FreshKeyPanel).display
        assert "stays until it is safe" in app.status
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PersonalKeysScreen)
        assert "Headless box" in app.status and "never show it again" in app.status
        # "I stored it", after a copy and a confirmation.
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert fresh.acknowledged and fresh.safe
        assert app.state.unsafe_fresh_keys() == []


async def test_roll_warns_and_the_old_value_stops_working(
    services: Services, demo_server: DemoServer
) -> None:
    old = demo_server.issue_key(DEMO_EMAIL, "Nightly export", ("query:read", "user:read"))
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        assert await _works(services, old)
        _select(app, "Nightly export")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "stops working at once" in str(app.screen.query_one("#dialog-body", Static).render())
        await pilot.press("y")
        await settle(pilot)
        fresh = _fresh(app)
        assert fresh.label == "Nightly export"
        assert not await _works(services, old)
        assert await _works(services, fresh.value.reveal())
        assert "rolled" in str(app.screen.query_one(FreshKeyPanel).box.border_title)


async def test_delete_asks_then_removes_the_key_on_the_server(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        _select(app, "Analytics export")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert "Analytics export" in _server_labels(demo_server)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "Analytics export" not in _server_labels(demo_server)
        assert "Analytics export" not in _labels(app)
        assert "2 of 10 keys" in _text(app, "#personal-keys-count")


async def test_ten_key_limit_shown_before_and_when_it_bites(
    services: Services, demo_server: DemoServer
) -> None:
    for n in range(6):
        demo_server.issue_key(DEMO_EMAIL, f"Extra {n}")
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        assert "9 of 10 keys" in _text(app, "#personal-keys-count")
        # Someone creates one in the web app meanwhile: the server's own message is shown.
        demo_server.issue_key(DEMO_EMAIL, "From the browser")
        await _create(pilot, "One too many")
        error = _problem(app)
        assert "You can only have 10 personal API keys" in error
        assert app.state.fresh_keys == []
        await pilot.press("f5")
        await settle(pilot)
        count = _text(app, "#personal-keys-count")
        assert "10 of 10 keys" in count and "before creating another" in count
        assert "roll one" not in count  # rolling frees no slot
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PersonalKeysScreen)
        assert "10 of 10 personal API keys" in app.status and "delete one" in app.status
        assert "roll" not in app.status


async def test_sign_in_older_than_two_hours_asks_to_log_in_again(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        demo_server.clock.advance(7201)
        await _create(pilot, "Too late")
        error = _problem(app)
        assert "less than 2 hours old" in error and "log in again" in error
        assert "Too late" not in _server_labels(demo_server)
        await pilot.press("l")
        await pilot.pause()
        assert app.current_mode == "log-in"
        assert app.state.session is None
        assert "log in again" in app.status


@pytest.mark.parametrize(("kind", "after"), [("status", True), ("drop", True), ("status", False)])
async def test_create_interrupted_by_a_fault_lists_again_and_says_what_happened(
    services: Services, demo_server: DemoServer, kind: FaultKind, after: bool
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        demo_server.faults.add(
            kind, path=r"^/api/personal_api_keys/?$", method="POST", status=502, after=after
        )
        await _create(pilot, "Lost in transit")
        error = _problem(app)
        assert app.state.fresh_keys == []
        if after:
            assert "Lost in transit" in _server_labels(demo_server)
            assert "was created, but its value was lost in transit" in error
            assert "roll it" in error and "delete it" in error
            assert _screen(app).selected_key is not None
            assert _screen(app).selected_key.label == "Lost in transit"  # type: ignore[union-attr]
            assert "Lost in transit" in _labels(app)
        else:
            assert "Lost in transit" not in _server_labels(demo_server)
            assert "was not created" in error
        assert "<html" not in error


async def test_server_rejected_scope_is_shown_next_to_the_field(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Custom", custom="insight:read, hedgehog:read")
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        assert "Invalid scope: hedgehog:read" in str(
            dialog.query_one("#key-scopes-error", Static).render()
        )
        assert dialog.query_one("#key-label", Input).value == "Custom"
        dialog.query_one("#key-scopes", Input).value = "insight:read"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _fresh(app).label == "Custom"
        key = next(k for k in demo_server.data.user_keys(DEMO_EMAIL) if k.label == "Custom")
        assert key.scopes == ["insight:read"]


async def test_leaving_with_an_unsafe_fresh_key_asks_first(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Do not lose me")
        fresh = _fresh(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and not fresh.safe
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "personal-keys"
        assert not fresh.safe
        await pilot.click("#step-project-key")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await pilot.pause()
        assert app.current_mode == "project-key"
        assert fresh.acknowledged
        # Once the key is safe, moving around asks nothing.
        await pilot.press("4")
        await pilot.pause()
        assert app.current_mode == "personal-keys"


async def test_project_scoping_warns_about_an_org_that_forbids_personal_keys(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CreateKeyDialog)
        assert "Acme Corp does not allow" in str(
            dialog.query_one("#create-key-org-warning", Static).render()
        )
        await pilot.press(*"Storefront flags")
        dialog.query_one("#scope-preset", Select).value = "custom"
        await pilot.pause()
        dialog.query_one(
            "#key-scopes", Input
        ).value = "feature_flag:read, feature_flag:write, project:read, user:read"
        dialog.query_one("#key-projects", SelectionList).select(2001)
        await pilot.pause()
        warning = dialog.query_one("#key-projects-warning", Static)
        assert warning.display and "Acme Storefront" in str(warning.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        key = next(
            k for k in demo_server.data.user_keys(DEMO_EMAIL) if k.label == "Storefront flags"
        )
        assert key.scoped_teams == [2001]
        assert key.scopes == [
            "feature_flag:read",
            "feature_flag:write",
            "project:read",
            "user:read",
        ]
        table = app.screen.query_one("#keys-table", DataTable)
        row = table.get_row_at(_labels(app).index("Storefront flags"))
        assert str(row[3]) == "Acme Storefront"


async def test_a_key_with_no_scopes_is_listed_as_no_access(
    services: Services, demo_server: DemoServer
) -> None:
    demo_server.issue_key(DEMO_EMAIL, "Empty", [])
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        table = app.screen.query_one("#keys-table", DataTable)
        row = table.get_row_at(_labels(app).index("Empty"))
        assert str(row[2]) == "no access"


async def test_a_copy_that_cleared_still_asks_before_quitting(
    services: Services, demo_server: DemoServer
) -> None:
    # The app's clock, moved on by the test: the whole 45 s run without waiting for them.
    now = [1000.0]
    services.clipboard = Clipboard(RecordingClipboard(), clear_after=45.0, clock=lambda: now[0])
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Copied once")
        fresh = _fresh(app)
        await pilot.press("c")
        await settle(pilot)
        assert fresh.copied and not fresh.safe
        assert "clears in 45 s" in _text(app, "#fresh-key-state")
        now[0] += 30
        await wait_for(
            pilot, lambda: "clears in 15 s" in _text(app, "#fresh-key-state"), "the countdown"
        )
        assert _recording(services).paste() == _fresh(app).value.reveal()
        now[0] += 15
        await wait_for(pilot, lambda: "Cleared the secret" in app.status, "the clipboard clear")
        assert _recording(services).paste() == ""
        await wait_for(
            pilot,
            lambda: "cleared from the clipboard" in _text(app, "#fresh-key-state"),
            "the panel saying so",
        )
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Quit" in str(app.screen.query_one("#dialog-title", Label).render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert fresh.acknowledged and fresh.safe
        assert "You said you stored it" in _text(app, "#fresh-key-state")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
