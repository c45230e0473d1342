"""Step 5 fills its examples with the personal key in use, masked, whatever way it came in."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.screens.usage import SnippetPanel
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import password_session, sign_in
from tests.ui.test_login import WEB_APP, login, open_way, start_device_flow
from tests.ui.test_personal_keys import _create, _fresh, _open_keys


async def _step5_shows(
    pilot: Pilot[None], app: PhGuideApp, key: Secret, *, not_: Secret | None = None
) -> str:
    """Step 5 holds `key`, masked, in its examples and never in the clear (nor `not_`).

    Returns:
        What step 5 says of the key it uses.
    """
    await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
    await settle(pilot)
    await pilot.press("5")
    await wait_for(pilot, lambda: app.current_mode == "usage", "step 5")
    await settle(pilot)
    context = str(app.screen.query_one("#usage-context", Static).render())
    assert "No personal API key" not in context
    codes = " ".join(
        str(panel.query_one(".snippet-code", Static).render())
        for panel in app.screen.query(SnippetPanel)
    )
    assert key.masked in codes and f"({key.masked})" in context
    assert key.reveal() not in codes
    if not_ is not None:
        assert not_.masked not in codes + context
    return context


def _hold(services: Services, server: DemoServer, label: str) -> Secret:
    """A key an earlier run saved in the keyring: the host's active key."""
    value = Secret(server.issue_key(DEMO_EMAIL, label, ["*"]))
    assert services.host is not None
    saved = services.accounts.save(
        services.host,
        DEMO_EMAIL,
        value,
        key_id=f"earlier-{label.lower()}",
        label=label,
        source="pasted",
        make_active=True,
    )
    assert saved.verified and saved.active
    return value


def _active(services: Services) -> str:
    assert services.host is not None
    active = services.accounts.active(services.host)
    assert active is not None
    return active.key_id


async def test_created_in_step_4(services: Services, demo_server: DemoServer) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "For step 5")
        fresh = _fresh(app)
        await pilot.press("s")
        await settle(pilot)
        assert fresh.saved and _active(services) == fresh.key_id
        said = await _step5_shows(pilot, app, fresh.value)
        assert "“For step 5”, the active key for US Cloud in your keyring" in said


async def test_keeping_the_current_key_active_keeps_it_in_the_examples(
    services: Services, demo_server: DemoServer
) -> None:
    earlier = _hold(services, demo_server, "Earlier")
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Newer")
        newer = _fresh(app)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "which is active")
        await pilot.press("n")  # Keep the current one
        await settle(pilot)
        assert newer.saved and _active(services) == "earlier-earlier"
        said = await _step5_shows(pilot, app, earlier, not_=newer.value)
        assert "“Earlier”, the active key" in said
        # Made active since (Switch account, `phguide login` elsewhere): step 5 reads it again.
        assert services.host is not None
        services.accounts.set_active(services.host, newer.key_id)
        await pilot.press("4")
        await wait_for(pilot, lambda: app.current_mode == "personal-keys", "step 4")
        await _step5_shows(pilot, app, newer.value, not_=earlier)


async def test_approved_in_the_browser(services: Services, demo_server: DemoServer) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        panel = await start_device_flow(pilot, app)
        assert panel.code is not None
        demo_server.approve_device(panel.code.user_code, DEMO_EMAIL, WEB_APP)
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        session = app.state.session
        assert session is not None and session.personal_key is not None
        await _step5_shows(pilot, app, session.personal_key)


async def test_approved_while_another_key_stays_active(
    services: Services, demo_server: DemoServer
) -> None:
    earlier = _hold(services, demo_server, "Earlier")
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        panel = await start_device_flow(pilot, app)
        assert panel.code is not None
        demo_server.approve_device(panel.code.user_code, DEMO_EMAIL, WEB_APP)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "which is active")
        await pilot.press("n")  # Keep the current one
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        session = app.state.session
        assert session is not None and session.personal_key is not None
        # Signed in with the approved key; the examples use the key that stayed active.
        await _step5_shows(pilot, app, earlier, not_=session.personal_key)


async def test_pasted(services: Services, demo_server: DemoServer) -> None:
    value = demo_server.issue_key(DEMO_EMAIL, "Pasted for step 5", ["*"])
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await open_way(pilot, app, "way-key")
        field = login(app).query_one("#pasted-key", Input)
        field.focus()
        field.value = value
        await pilot.press("enter")
        await wait_for(pilot, lambda: login(app).query_one("#key-result").display, "the check")
        login(app).query_one("#key-continue", Button).press()
        await _step5_shows(pilot, app, Secret(value))


async def test_saved_by_an_earlier_run(services: Services, demo_server: DemoServer) -> None:
    value = Secret(demo_server.issue_key(DEMO_EMAIL, "Saved for step 5", ["*"]))
    assert services.host is not None
    saved = services.accounts.save(
        services.host, DEMO_EMAIL, value, key_id="earlier-1", source="pasted", make_active=True
    )
    assert saved.verified
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: login(app).query_one("#saved-key-box").display, "the box")
        await pilot.press("k")
        await _step5_shows(pilot, app, value)


async def test_saved_key_at_launch(services: Services, demo_server: DemoServer) -> None:
    value = _hold(services, demo_server, "At launch")
    # A returning user: the app signs in with the host's active key by itself.
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        said = await _step5_shows(pilot, app, value)
        assert app.state.session is not None and app.state.session.method == "keyring"
        assert "“At launch”, the active key" in said


@pytest.mark.parametrize("variable", ["POSTHOG_PERSONAL_API_KEY", "POSTHOG_CLI_API_KEY"])
async def test_from_the_environment(
    services: Services, demo_server: DemoServer, variable: str
) -> None:
    value = Secret(demo_server.issue_key(DEMO_EMAIL, "Env for step 5", ["*"]))
    services.env_key = value
    services.env_key_variable = variable
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        said = await _step5_shows(pilot, app, value)
        assert f"{variable} from your environment" in said


async def test_password_session_without_a_new_key_says_so(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await wait_for(pilot, lambda: app.state.session is not None, "the sign-in")
        await pilot.press("5")
        await wait_for(pilot, lambda: app.current_mode == "usage", "step 5")
        await settle(pilot)
        assert "No personal API key" in str(app.screen.query_one("#usage-context").render())
