"""Step 6, Troubleshooting: the live checklist, and every diagnosis path of a pasted key."""

from __future__ import annotations

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from phguide.core.diagnose import Diagnosis
from phguide.demo.data import DEMO_EMAIL, EU_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.troubleshoot import TroubleshootScreen
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import key_session, sign_in


def _screen(app: PhGuideApp) -> TroubleshootScreen:
    screen = app.screen
    assert isinstance(screen, TroubleshootScreen)
    return screen


def _text(app: PhGuideApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _open(pilot: Pilot[None]) -> None:
    await pilot.press("6")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TroubleshootScreen)


async def _check(pilot: Pilot[None], app: PhGuideApp, value: str) -> Diagnosis:
    """Paste a key into the field the way a user does (k, then the text), press Enter, wait."""
    await pilot.press("k")
    field = app.screen.query_one("#key-input", Input)
    assert app.focused is field
    field.value = value
    await pilot.press("enter")
    await settle(pilot)
    diagnosis = _screen(app).diagnosis
    assert diagnosis is not None
    verdict = _text(app, "#key-verdict")
    assert diagnosis.verdict in verdict
    # The key is never on screen: only its mask (the field itself shows bullets).
    assert value.strip() not in verdict + app.status
    return diagnosis


async def test_signed_out_checklist_and_where_checks_go(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        assert "Can't find your project API key (project token)?" in str(
            app.screen.query_one("#cant-find-panel").query(Static).first().render()
        )
        assert "log in" in _text(app, "#cant-find")
        assert services.clouds.us.ingest_url in _text(app, "#not-working")
        assert "Checks go to US Cloud, then to EU Cloud" in _text(app, "#troubleshoot-host")
        # The field has the cursor: a key typed in goes there, not to shortcuts.
        field = app.screen.query_one("#key-input", Input)
        assert app.focused is field
        await pilot.press(*"phx_t5lk")
        assert field.value == "phx_t5lk"
        assert app.current_mode == "troubleshoot"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is None  # the number keys and shortcuts work again
        await pilot.press("l")
        await pilot.pause()
        assert app.current_mode == "log-in"


async def test_signed_in_checklist_is_live(services: Services, demo_server: DemoServer) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        key = demo_server.issue_key(DEMO_EMAIL, "Mine", ["*"])
        sign_in(app, await key_session(services, key, project_id=1003))
        await settle(pilot)
        await _open(pilot)
        cant_find = _text(app, "#cant-find")
        assert "Hedgehog Labs (owner)" in cant_find
        assert "Acme Corp (member)" in cant_find
        assert "Acme Corp: members may not use personal API keys" in cant_find
        assert "Staging (id 1003)" in cant_find
        assert f"{key[:4]}...{key[-4:]}" in _text(app, "#not-working")
        assert key not in _text(app, "#not-working")


async def test_a_personal_key_of_the_other_region_is_found_there(
    services: Services, eu_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        key = eu_server.issue_key(EU_EMAIL, "EU reporting", ["query:read", "user:read"])
        diagnosis = await _check(pilot, app, key)
        assert diagnosis.host == services.clouds.eu
        verdict = _text(app, "#key-verdict")
        assert "Works, but on EU Cloud, not on US Cloud." in verdict
        assert EU_EMAIL in verdict
        assert "query:read, user:read" in verdict
        assert "belongs to EU Cloud, not US Cloud" in verdict
        assert "--host eu" in verdict
        assert app.status == f"{key[:4]}...{key[-4:]}: {diagnosis.verdict}"


async def test_a_revoked_key_is_refused_with_the_fix(
    services: Services, demo_server: DemoServer, eu_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        key = demo_server.issue_key(DEMO_EMAIL, "Revoked", ["*"])
        with demo_server.data.lock:
            found = demo_server.data.find_key(key)
            assert found is not None
            demo_server.data.delete_key(found)
        diagnosis = await _check(pilot, app, f"  {key}\n")
        assert diagnosis.valid is False
        verdict = _text(app, "#key-verdict")
        assert "Refused by US Cloud and EU Cloud." in verdict
        assert "does not accept this personal API key" in verdict
        assert "deleted or rolled" in verdict
        assert ("GET", "/api/users/@me/") in eu_server.requests_log


async def test_a_project_key_is_checked_through_flags_and_the_job_matters(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        token = demo_server.data.projects[1001].api_token
        diagnosis = await _check(pilot, app, token)
        assert diagnosis.kind == "project" and diagnosis.valid is True
        assert ("POST", "/flags") in demo_server.requests_log
        assert "Works on US Cloud." in _text(app, "#key-verdict")
        app.screen.query_one("#key-purpose", Select).value = "api"
        await pilot.pause()
        diagnosis = await _check(pilot, app, token)
        assert diagnosis.wrong_job
        assert "cannot call PostHog's private API" in _text(app, "#key-verdict")


async def test_phs_keys_good_bad_and_with_a_wrong_project_token(
    services: Services, demo_server: DemoServer
) -> None:
    with demo_server.data.lock:
        _, value = demo_server.data.secret_keys.create(
            1001, "server", ["feature_flag:read"], created_at=0
        )
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        token_input = app.screen.query_one("#token-input", Input)
        assert not token_input.display
        app.screen.query_one("#key-input", Input).value = value
        await pilot.pause()
        assert token_input.display  # asked for with a phs_ key only
        token_input.value = demo_server.data.projects[1001].api_token
        good = await _check(pilot, app, value)
        assert good.kind == "project-secret" and good.valid is True
        verdict = _text(app, "#key-verdict")
        assert "Works on US Cloud." in verdict
        assert "deprecated" in verdict  # the legacy feature flags secure API key, explained

        token_input.value = demo_server.data.projects[1002].api_token
        wrong = await _check(pilot, app, value)
        assert "belongs to another project" in _text(app, "#key-verdict")
        assert "but the project token is wrong" in _text(app, "#key-verdict")
        assert wrong.valid is True and not wrong.works

        token_input.value = demo_server.data.projects[1001].api_token
        bad = await _check(pilot, app, "phs_" + "s" * 35)
        assert bad.valid is False
        assert "does not accept this project secret API key" in _text(app, "#key-verdict")
        assert "the secret key is not accepted" in _text(app, "#key-verdict")


async def test_garbage_is_named_for_what_it_is(services: Services, demo_server: DemoServer) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        diagnosis = await _check(pilot, app, "sk_live_51HabcdefghijklmnopQRSTUV")
        assert diagnosis.kind == "unknown"
        verdict = _text(app, "#key-verdict")
        assert "Not a PostHog key: a Stripe secret key" in verdict
        assert "Copy the project API key (phc_…)" in verdict
        assert demo_server.requests_log == []
        await _check(pilot, app, "hello")
        assert "This is not a PostHog key." in _text(app, "#key-verdict")


async def test_a_slow_check_shows_progress_and_escape_cancels_it(
    services: Services, demo_server: DemoServer
) -> None:
    demo_server.faults.add("slow", path="/api/users/@me", delay=30.0)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        key = demo_server.issue_key(DEMO_EMAIL, "Slow", ["*"])
        await pilot.press("k")
        app.screen.query_one("#key-input", Input).value = key
        await pilot.press("enter")
        await wait_for(pilot, lambda: ("GET", "/api/users/@me/") in demo_server.requests_log, "me")
        progress = app.screen.query_one("#key-progress")
        assert progress.display
        assert f"Checking {key[:4]}...{key[-4:]} on US Cloud" in _text(app, "#key-progress-text")
        assert _screen(app).check_action("cancel_check", ()) is True
        await pilot.press("escape")
        await settle(pilot)
        assert not progress.display
        box = app.screen.query_one(ProblemBox)
        assert "Check cancelled." in box.text and box.has_class("-notice")
        assert not app.screen.query_one("#key-verdict").display
        assert _screen(app).diagnosis is None
        # With no check running, Escape leaves the field and the number keys work again.
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is None
        await pilot.press("5")
        await pilot.pause()
        assert app.current_mode == "usage"


async def test_paste_lands_in_the_key_field_and_ctrl_r_reveals_it(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("escape")  # the cursor elsewhere: a paste still lands in the field
        await pilot.pause()
        assert app.focused is None
        app.screen.post_message(events.Paste("  phc_pasted\n"))
        await pilot.pause()
        field = app.screen.query_one("#key-input", Input)
        assert field.value == "phc_pasted"
        assert app.focused is field
        assert field.password
        # The footer says what ctrl+r does now: Reveal key, then Hide key.
        assert app.screen.active_bindings["ctrl+r"].binding.description == "Reveal key"
        await pilot.press("ctrl+r")
        assert not field.password
        await pilot.pause()
        assert app.screen.active_bindings["ctrl+r"].binding.description == "Hide key"
        await pilot.press("ctrl+r")
        assert field.password
        await pilot.pause()
        assert app.screen.active_bindings["ctrl+r"].binding.description == "Reveal key"


async def test_a_new_check_replaces_a_running_one(
    services: Services, demo_server: DemoServer
) -> None:
    demo_server.faults.add("slow", path="/api/users/@me", delay=30.0)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        key = demo_server.issue_key(DEMO_EMAIL, "Slow", ["*"])
        await pilot.press("k")
        field = app.screen.query_one("#key-input", Input)
        field.value = key
        await pilot.press("enter")
        await wait_for(pilot, lambda: ("GET", "/api/users/@me/") in demo_server.requests_log, "me")
        diagnosis = await _check(pilot, app, demo_server.data.projects[1002].api_token)
        assert diagnosis.kind == "project"
        assert not app.screen.query_one("#key-progress").display
        assert _screen(app).check_action("cancel_check", ()) is False
        assert "Check cancelled." not in app.screen.query_one(ProblemBox).text


async def test_no_verdict_is_said_in_the_problem_box(
    services: Services, demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Why there is no verdict (nothing pasted, a bug in the check) is a problem, said the one
    # way every step says one, never as a verdict and never with the bug's own words.
    async def broken(*args: object, **kwargs: object) -> Diagnosis:
        raise RuntimeError("a bug")

    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        field = app.screen.query_one("#key-input", Input)
        field.focus()
        field.value = "   "
        await pilot.press("enter")
        box = app.screen.query_one(ProblemBox)
        await wait_for(pilot, lambda: "Paste a key first" in box.text, "the problem")
        assert not box.has_class("-notice")
        monkeypatch.setattr("phguide.ui.screens.troubleshoot.diagnose_key", broken)
        field.value = "phc_anything"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "failed unexpectedly" in box.text, "the problem")
        assert "a bug" not in box.text and "Try again" in box.text
        assert not app.screen.query_one("#key-verdict").display
        assert not app.screen.query_one("#key-progress").display
        monkeypatch.undo()
        key = demo_server.issue_key(DEMO_EMAIL, "Fine", ["*"])
        await _check(pilot, app, key)
        assert box.text == ""
