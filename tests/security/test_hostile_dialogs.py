"""Every step and dialog that shows server data, against the demo in hostile mode (Pilot).

The walk signs in with a password and a TOTP code (the second-factor dialog), then opens the
project list, the secret keys dialog (phs_ keys with hostile labels) with its create, roll
and delete confirmations, the personal keys with the create dialog's project list and the
roll/delete confirmations, the usage step and its `.env` dialog, the key check, a pasted key,
the held keys, browser approval with its QR code dialog, and the command palette's accounts.

On each, what the screen shows (Textual's own export of the whole screen, dialogs over
steps) must hold no control character, no bidi override, every markup form as literal text,
and nothing wider than a bounded name; hovering and clicking on the names does nothing
(a `[@click=app.quit]` read as markup would end the app); nothing crashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, OptionList, TabbedContent

from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.core.secret import Secret
from phguide.core.text import clean
from phguide.demo import DemoServer, demo_data
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD, TOTP_EMAIL
from phguide.demo.hostile import APPROVAL_QUERY, make_hostile
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.create_key import CreateKeyDialog
from phguide.ui.dialogs.env_file import EnvFileDialog
from phguide.ui.dialogs.qr_code import QRCodeDialog
from phguide.ui.dialogs.second_factor import SecondFactorDialog
from phguide.ui.dialogs.secret_keys import SecretKeysDialog
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.widgets.device_code import DeviceCodePanel
from tests.helpers import paste, settle, wait_for
from tests.ui.rendered import lines

SIZE = (130, 45)
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""What must never be drawn: C0 and C1 controls, DEL, bidi marks and overrides."""
WIDEST = 4000
"""Cells a widget may be wide: a cleaned name is at most ~300 characters (each escape a few
more); the hostile data has a name of 23,000, so a name shown uncut breaks this."""
CLICKABLE = ("[ @click=app.quit]Quit", "[@click=app.screenshot(", "[link=https://evil.example]")
"""Where a click would act if a name's markup were read: each is clicked and hovered."""
TYPED = "New [ @click=app.quit]Q[/][$accent][EU]"
"""A label the user types (and the server sends back)."""
STOPS = (
    "second-factor dialog",
    "second-factor dialog, wrong code",
    "signed in",
    "project list",
    "secret keys dialog",
    "secret key roll confirmation",
    "secret key delete confirmation",
    "secret key created",
    "leave the new secret key?",
    "personal keys",
    "create-key dialog",
    "personal key roll confirmation",
    "personal key delete confirmation",
    "usage",
    ".env dialog",
    "key check",
    "pasted key",
    "signed in with the pasted key",
    "browser approval",
    "QR code dialog",
    "palette accounts",
)
"""Every stop the walk makes."""
LABEL = "Key [ @click=app.quit]Quit[/] [$accent] [EU] \x1b]0;pwned\x07 \x9b2J \u202eend"


@pytest.fixture
def hostile() -> Iterator[DemoServer]:
    server = DemoServer(make_hostile(demo_data()), device_interval=1).start()
    yield server
    server.stop()


@pytest.fixture
def services(hostile: DemoServer) -> Services:
    host = with_region(parse_host(hostile.url), "us")
    return Services(
        store=MemoryStore(),
        clipboard=Clipboard(RecordingClipboard(), clear_after=45.0),
        clouds=Clouds(us=host, eu=host),
        host=host,
        open_url=lambda url: True,
    )


class Walk:
    """Looks at the screen at each stop of the walk; `seen` names the stops."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.seen: list[str] = []

    async def look(self, where: str, *literal: str) -> str:
        """Check what the screen shows now; returns its text."""
        pilot, app = self.pilot, self.pilot.app
        await pilot.pause()
        rows = lines(app.export_screenshot(), SIZE)
        text = "\n".join(rows)
        drawn = [char for row in rows for char in UNSAFE.findall(row)]
        assert not drawn, f"{where}: {drawn!r} drawn raw"
        for form in literal:
            assert form in text, f"{where}: {form!r} not shown literally:\n{text}"
        assert "unexpected" not in text.lower() and "Traceback" not in text, f"{where}:\n{text}"
        wide = [w for w in app.screen.query("*") if w.virtual_size.width > WIDEST]
        assert not wide, f"{where}: {wide} wider than {WIDEST} cells"
        for row, line in enumerate(rows[:-1]):  # not the footer: its "Quit" is the app's own
            for form in CLICKABLE:
                for match in re.finditer(re.escape(form), line):
                    offset = (match.start() + len(form) - 2, row)
                    await pilot.hover(offset=offset)
                    await pilot.click(offset=offset)
        await pilot.pause()
        assert app.return_code is None, f"{where}: a click on a name ended the app"
        self.seen.append(where)
        return text


async def _close_dialog(pilot: Pilot[None], kind: type[object]) -> None:
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, kind), f"{kind} to close")


@pytest.mark.timeout(240)
async def test_every_dialog_shows_hostile_server_text_as_text(
    services: Services, hostile: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for n in range(2):
        hostile.issue_key(TOTP_EMAIL, f"{LABEL} {n}", ["*"])
    pasted = hostile.issue_key(DEMO_EMAIL, LABEL, ["*"])
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(pilot)
        # -- the password way in, and the second-factor dialog (a wrong code first) -------------
        login = _screen(app)
        login.query_one("#login-ways", TabbedContent).active = "way-password"
        await pilot.pause()
        login.query_one("#login-email", Input).value = TOTP_EMAIL
        login.query_one("#login-password", Input).focus()
        await pilot.press(*DEMO_PASSWORD, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SecondFactorDialog), "2FA dialog")
        await walk.look("second-factor dialog", TOTP_EMAIL)
        await pilot.press(*"000000", "enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, SecondFactorDialog)
                and bool(app.screen.query_one("#second-factor-error").display)
            ),
            "the dialog back with the server's answer",
        )
        await walk.look("second-factor dialog, wrong code")
        await pilot.press(*hostile.current_totp(TOTP_EMAIL), "enter")
        await wait_for(pilot, lambda: app.current_mode == "project-key", "step 3")
        await settle(pilot)
        # The status line says who signed in: the hostile email, escaped, markup as text.
        await walk.look("signed in", "tess+[@click=app.screenshot('victim.rc','/tmp')]shot[/]")

        # -- step 3: the project list, the secret keys and their confirmations --------------------
        await wait_for(pilot, lambda: "Acme [EU] Corp" in _text(app), "the project list")
        await walk.look("project list", "Acme [EU] Corp", "[$accent]accent", "\\x9b2J")
        await pilot.press("s")
        await wait_for(pilot, lambda: _secret_keys_listed(app), "the secret keys")
        await walk.look(
            "secret keys dialog",
            # The title wraps before a long name (the name starts its own line).
            "Secret API keys of Project",
            "[@click=app.screenshot('victim.rc','/tmp')]shot[/]",
            "Secret [@click=",
            "[link=https://evil.example]",
        )
        dialog = app.screen
        assert isinstance(dialog, SecretKeysDialog)
        for button, title in (("#secret-roll", "Roll"), ("#secret-delete", "Delete")):
            dialog.query_one("#secret-keys-list", OptionList).highlighted = 0
            dialog.query_one(button, Button).press()
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), title)
            await walk.look(f"secret key {title.lower()} confirmation", "Secret [@click=")
            await _close_dialog(pilot, ConfirmDialog)
        dialog.query_one("#secret-label", Input).value = TYPED
        dialog.query_one("#secret-create", Button).press()
        await wait_for(pilot, lambda: len(dialog.keys) == 4, "the new secret key")
        await walk.look("secret key created", TYPED)
        dialog.query_one("#secret-fresh-copy", Button).press()
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # the new key is not safe yet: it asks
        await walk.look("leave the new secret key?", TYPED[6:])  # wrapped after "New ["
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, SecretKeysDialog), "close")

        # -- step 4: the keys, the create dialog's project list, roll and delete ---------------
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonalKeysScreen), "step 4")
        await wait_for(pilot, lambda: _rows(app) == 2, "the keys table")
        await walk.look("personal keys", "Key [ @click=app.quit]Quit[/]", "[$accent] [EU]")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, CreateKeyDialog), "create dialog")
        await settle(pilot)
        await walk.look(
            "create-key dialog",
            "Org [ @click=app.quit]Quit[/] \\x1b]52;c;cHduZWQ=\\x07end0 / Project [@click=",
            "Project Acme [EU",
            "Project [$accent",
        )
        await _close_dialog(pilot, CreateKeyDialog)
        for key, what in (("r", "roll"), ("d", "delete")):
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what)
            await walk.look(f"personal key {what} confirmation", "@click=app.quit]Quit[/]")
            await _close_dialog(pilot, ConfirmDialog)

        # -- step 5 and its .env dialog (the project key holds shell metacharacters) ------------
        await pilot.press("5")
        await wait_for(pilot, lambda: app.current_mode == "usage", "step 5")
        await settle(pilot)
        await walk.look("usage", "phc_$(touch /tmp/phguide-pwned)`id`;x")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvFileDialog), "the .env dialog")
        await walk.look(".env dialog", "phc_$(touch /tmp/phguide-pwned)`id`;x")
        await _close_dialog(pilot, EnvFileDialog)

        # -- step 6: a key checked (its user, projects and organizations) ---------------------
        await pilot.press("6")
        await wait_for(pilot, lambda: app.current_mode == "troubleshoot", "step 6")
        await pilot.press("k")
        app.screen.query_one("#key-input", Input).value = pasted
        await pilot.press("enter")
        await settle(pilot)
        await walk.look("key check", "max+[ @click=app.quit]Quit[/]\\x1b]52")

        # -- step 2 again: a pasted key, whose owner's names are hostile -----------------------
        await pilot.press("escape", "2")  # out of the key field, then to step 2
        await wait_for(pilot, lambda: app.current_mode == "log-in", "step 2")
        login = _screen(app)
        login.query_one("#login-ways", TabbedContent).active = "way-key"
        await pilot.pause()
        login.query_one("#pasted-key", Input).focus()
        await paste(pilot, pasted)
        await pilot.press("enter")
        await settle(pilot)
        await walk.look("pasted key", "First Acme [EU] Corp \\x1b[2Jend2")
        await pilot.press("s")  # saved: the held keys now list it, by its hostile email
        await wait_for(pilot, lambda: app.current_mode == "project-key", "signed in with it")
        await settle(pilot)
        await walk.look("signed in with the pasted key", "max+[ @click=app.quit]Quit[/]")

        # -- browser approval, and the QR code dialog ------------------------------------------
        await pilot.press("2")
        await wait_for(pilot, lambda: app.current_mode == "log-in", "step 2")
        login = _screen(app)
        login.query_one("#login-ways", TabbedContent).active = "way-device"
        await pilot.pause()
        login.query_one("#device-start", Button).press()
        panel = login.query_one(DeviceCodePanel)
        await wait_for(pilot, lambda: panel.code is not None, "the one-time code")
        await walk.look("browser approval", APPROVAL_QUERY[:20])
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QRCodeDialog), "the QR dialog")
        await walk.look("QR code dialog", APPROVAL_QUERY)
        await _close_dialog(pilot, QRCodeDialog)
        await pilot.press("escape")  # stop waiting for approval

        # -- the command palette's accounts (a second held key: the palette offers it) ----------
        assert services.host is not None
        services.accounts.save(
            services.host,
            _served(hostile, TOTP_EMAIL),
            Secret(hostile.issue_key(TOTP_EMAIL, LABEL)),
            key_id="held-tess",
            source="created",
            make_active=False,
        )
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Switch")
        await wait_for(pilot, lambda: "Switch account: tess+" in _text(app), "the palette")
        await walk.look("palette accounts", "Switch account: tess+[@click=app.screenshot(")
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code is None
    assert sorted(walk.seen) == sorted(STOPS)
    assert not Path("/tmp/victim.rc").exists() and not (tmp_path / "victim.rc").exists()


def _screen(app: PhGuideApp) -> Screen[Any]:
    """The screen on top, whatever it returns."""
    return app.screen


def _text(app: PhGuideApp) -> str:
    return "\n".join(lines(app.export_screenshot(), SIZE))


def _secret_keys_listed(app: PhGuideApp) -> bool:
    screen = app.screen
    return isinstance(screen, SecretKeysDialog) and len(screen.keys) == 3


def _served(server: DemoServer, email: str) -> str:
    """The email the hostile server gives for a user, cleaned as phguide keeps it."""
    with server.data.lock:
        user = server.data.user(email)
        assert user is not None
        return clean(user.served_email)


def _rows(app: PhGuideApp) -> int:
    return app.screen.query_one("#keys-table", DataTable).row_count
