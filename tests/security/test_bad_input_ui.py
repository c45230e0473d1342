"""Bad input typed into the app: emails, passwords, codes and pasted keys of every odd kind.

Each is answered on screen with a reason (never a crash, never markup read as markup); the
hypothesis-driven versions of the same inputs run against the client in test_fuzz.py.
"""

from __future__ import annotations

from functools import partial

import pytest
from textual.widgets import Input, Static

from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD, TOTP_EMAIL
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.second_factor import SecondFactorDialog
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, wait_for
from tests.ui.test_login import code_dialog_ready, login, open_way, submit_password

from .conftest import REPORT

ODD_TEXT = [
    "",
    " ",
    "\t\n",
    "[b]bold[/b]",
    "[/]",
    "[link=https://evil.example]x[/link]",
    "[ @click=app.quit]x[/]",
    "Acme [EU] Corp",
    "[$accent]x",
    "[@click=",
    "ends in a backslash\\",
    "<script>alert(1)</script>",
    "x" * 5000,
    "null\x00byte",
    "emoji 🦔 and ﷽",
    "‮right-to-left",
    "'; DROP TABLE users; --",
    "%s %d {0} {email}",
]
EMAILS = [*ODD_TEXT, "@", "a@", "@b", f"  {DEMO_EMAIL.upper()}  ", f"{DEMO_EMAIL}\n"]
PASSWORDS = [*ODD_TEXT, DEMO_PASSWORD + " ", " " + DEMO_PASSWORD]
CODES = ["", " ", "12 34 56", "[b]123456[/b]", "١٢٣٤٥٦", "x" * 40, "0" * 6, "123456789012"]


# A long walk: on two busy cores it nears the default limit.
@pytest.mark.timeout(300)
async def test_odd_emails_and_passwords_are_answered(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        cases = [(email, DEMO_PASSWORD) for email in EMAILS]
        cases += [(DEMO_EMAIL, password) for password in PASSWORDS]
        for email, password in cases:
            REPORT.example("sign-in fields (app)")
            await submit_password(pilot, app, email, password)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.state.session is not None:
                # Only the real account gets in (its email with stray spaces or case).
                assert email.strip().lower() == DEMO_EMAIL and password == DEMO_PASSWORD
                app.state.session = None
                app.action_go("log-in")
                await pilot.pause()
                continue
            box = login(app).query_one(ProblemBox)
            text = box.text
            assert text.strip(), f"no reason given for {email!r} / {password!r}"
            assert "Traceback" not in text
            # Drawn exactly as written: nothing in it was read as markup.
            drawn = box.query_one(".problem-text", Static).render()
            assert getattr(drawn, "plain", None) == text
            assert app.is_running
            # Sign-in failures lock the account out for a while: a reason too, but keep going.
            with demo_server.data.lock:
                demo_server.state.login_failures.clear()


async def test_odd_second_factor_codes_are_answered(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
        for code in CODES:
            REPORT.example("second-factor codes (app)")
            if not isinstance(app.screen, SecondFactorDialog):
                await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
            await wait_for(pilot, lambda: code_dialog_ready(app), "the code dialog")
            dialog = app.screen
            dialog.query_one("#second-factor-code", Input).value = code
            await pilot.press("enter")
            # The sign-in waits on the dialog, so wait for an answer, not for the workers: a
            # new dialog with the server's word, this one with its own, or the log-in screen.
            await wait_for(pilot, partial(_answered, app, dialog), f"an answer to {code!r}")
            await pilot.pause()
            assert app.state.session is None
            if isinstance(app.screen, SecondFactorDialog):
                said = _dialog_error(app.screen)
            else:
                said = login(app).query_one(ProblemBox).text
            assert said.strip(), f"no reason given for the code {code!r}"
            with demo_server.data.lock:
                demo_server.state.totp_failures.clear()


def _answered(app: PhGuideApp, dialog: object) -> bool:
    """The code got its answer: a new dialog, an error on this one, or the sign-in ended."""
    screen = app.screen
    if isinstance(screen, SecondFactorDialog):
        return screen is not dialog or bool(_dialog_error(dialog))
    running = any(worker.is_running for worker in app.workers)
    return not running and bool(login(app).query_one(ProblemBox).text)


def _dialog_error(dialog: object) -> str:
    assert isinstance(dialog, SecondFactorDialog)
    error = dialog.query_one("#second-factor-error", Static)
    return str(error.render()) if error.display else ""


async def test_odd_pasted_keys_are_answered(services: Services, demo_server: DemoServer) -> None:
    pasted = [
        *ODD_TEXT,
        "phx_",
        "phx_...abcd",
        "PHX_" + "a" * 35,
        "phc_" + "a" * 43,
        "phs_" + "a" * 43,
        "sk_live_" + "a" * 24,
        "phx_" + "a" * 35 + "\n" + "phx_" + "b" * 35,
        '"phx_' + "a" * 35,
    ]
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await open_way(pilot, app, "way-key")
        for value in pasted:
            REPORT.example("pasted keys (app)")
            field = login(app).query_one("#pasted-key", Input)
            field.value = value
            field.focus()
            await pilot.press("enter")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.state.session is None
            text = login(app).query_one(ProblemBox).text
            assert text.strip(), f"no reason given for {value!r}"
            if len(value.strip()) > 12 and "..." not in value:
                assert value.strip() not in text, "the pasted text was echoed"
