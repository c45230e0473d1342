"""No secret reaches a file, a log record, an exception, a screenshot, the terminal or a URL.

One test runs the whole walkthrough through the app (password sign-in, project key copied,
personal key created, copied, saved and rolled, the usage and troubleshooting steps, browser
approval, a sign-in with an authenticator code) and every subcommand, with logging at DEBUG and
the home and config folders in a temporary place; then it scans everything it could see for the
personal keys, the password and the session cookies.
"""

from __future__ import annotations

import asyncio
import html
import io
import logging
import os
import re
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.worker import Worker

from phguide.api.client import PostHogClient
from phguide.api.errors import PostHogError
from phguide.cli.main import run_subcommand
from phguide.cli.parser import build_parser
from phguide.core.hosts import Host, HostError
from phguide.core.secret import Secret
from phguide.demo import DemoServer, demo_data
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD, TOTP_EMAIL
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.create_key import CreateKeyDialog
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.steps import STEPS
from tests.helpers import SIZE, settle, wait_for
from tests.ui.test_login import enter_code, open_way, start_device_flow, submit_password

from .conftest import REPORT

WEB_APP = 1001


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """The US demo server, polled every second by browser approval (not every 5)."""
    server = DemoServer(demo_data(), device_interval=1).start()
    try:
        yield server
    finally:
        server.stop()


class Secrets:
    """Every secret the server handed out or accepted during the test."""

    def __init__(self, server: DemoServer) -> None:
        self.server = server
        self.keys: list[str] = []
        self.sessions: list[str] = []
        data, state = server.data, server.state
        create, roll, new_session = data.create_key, data.roll_key, state.new_session

        def created(*args: Any, **kwargs: Any) -> Any:
            result = create(*args, **kwargs)
            self.keys.append(result[1])
            return result

        def rolled(*args: Any, **kwargs: Any) -> str:
            value = roll(*args, **kwargs)
            self.keys.append(value)
            return value

        def session(*args: Any, **kwargs: Any) -> Any:
            made = new_session(*args, **kwargs)
            self.sessions.append(made.id)
            return made

        data.create_key = created  # type: ignore[method-assign]
        data.roll_key = rolled  # type: ignore[method-assign]
        state.new_session = session  # type: ignore[method-assign]

    def all(self) -> dict[str, str]:
        """Name → value of every secret to look for."""
        found = {f"personal key {n}": key for n, key in enumerate(self.keys, 1)}
        found["password"] = DEMO_PASSWORD
        found.update({f"sessionid {n}": sid for n, sid in enumerate(self.sessions, 1)})
        remember = list(self.server.state.remember)
        found.update({f"remember-cookie {n}": value for n, value in enumerate(remember, 1)})
        return found


class Records(logging.Handler):
    """Every log record of every logger, kept."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Spy(httpx.AsyncBaseTransport):
    """The real network, with every request's URL written down."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls
        self._real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


def _screenshot_text(svg: str) -> str:
    """The characters a screenshot shows, with the SVG's markup and entities taken out."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


class Scan:
    """What to search, by where it came from."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []
        """(kind, where, text)."""

    def add(self, kind: str, where: str, text: str) -> None:
        self.items.append((kind, f"{kind}: {where}", text))

    def text_of(self, kind: str) -> str:
        return "\n".join(text for seen, _, text in self.items if seen == kind)

    def find(self, secrets: dict[str, str]) -> list[str]:
        leaks = []
        for _, where, text in self.items:
            for name, value in secrets.items():
                if value and (value in text or quote(value, safe="") in text):
                    leaks.append(f"{name} in {where}")
        return leaks


async def _settle(app: PhGuideApp, pilot: Pilot[None]) -> None:
    del app
    await settle(pilot, timeout=30)


def _select(app: PhGuideApp, label: str) -> None:
    table = app.screen.query_one("#keys-table", DataTable)
    labels = [str(table.get_row_at(row)[0]) for row in range(table.row_count)]
    table.move_cursor(row=labels.index(label))


async def _walkthrough(
    app: PhGuideApp, pilot: Pilot[None], server: DemoServer, shots: list[tuple[str, str]]
) -> None:
    def shot(name: str) -> None:
        shots.append((name, app.export_screenshot()))

    # Log in with a password, then step 3: the project key, copied.
    await submit_password(pilot, app, DEMO_EMAIL, DEMO_PASSWORD)
    await _settle(app, pilot)
    assert app.current_mode == "project-key"
    shot("project key")
    await pilot.press("c")
    await _settle(app, pilot)

    # Step 4: a personal key created, copied, saved; then rolled, copied and saved.
    await pilot.press("4")
    await _settle(app, pilot)
    assert isinstance(app.screen, PersonalKeysScreen)
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, CreateKeyDialog)
    shot("create key dialog")
    await pilot.press(*"Hygiene check")
    await pilot.press("ctrl+s")
    await _settle(app, pilot)
    shot("fresh key")
    # A control: revealed on purpose, the key is found in a screenshot (not kept for the scan).
    fresh_value = app.state.fresh_keys[-1].value.reveal()
    assert fresh_value not in _screenshot_text(app.export_screenshot())
    await pilot.press("v")
    await pilot.pause()
    assert fresh_value in _screenshot_text(app.export_screenshot())
    await pilot.press("v")
    await pilot.pause()
    await pilot.press("c")
    await _settle(app, pilot)
    await pilot.press("s")
    await _settle(app, pilot)
    shot("fresh key saved")
    await pilot.press("x")
    await pilot.pause()
    _select(app, "Hygiene check")
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, ConfirmDialog)
    shot("roll confirmation")
    await pilot.press("y")
    await _settle(app, pilot)
    shot("rolled key")
    await pilot.press("c", "s")
    await _settle(app, pilot)
    assert app.state.unsafe_fresh_keys() == []

    # Step 5 holds the keys in examples; step 6 checks the rolled key.
    await pilot.press("5")
    await _settle(app, pilot)
    shot("usage")
    await pilot.press("6")
    await _settle(app, pilot)
    await pilot.press("k")
    field = app.screen.query_one("#key-input", Input)
    fresh = app.state.fresh_keys[-1].value.reveal()
    field.value = f'  "{fresh}"\n'
    await pilot.press("enter")
    await _settle(app, pilot)
    shot("troubleshooting")

    # Browser approval: a key handed over once, saved. (The key field has the focus, so the
    # step is picked as the step bar does, not with a digit the field would take.)
    app.action_go("log-in")
    await _settle(app, pilot)
    await open_way(pilot, app, "way-device")
    panel = await start_device_flow(pilot, app)
    assert panel.code is not None
    shot("device code")
    server.approve_device(panel.code.user_code, DEMO_EMAIL, WEB_APP)
    # The rolled key from step 4 is the active one: saving the approved key asks first.
    await wait_for(
        pilot, lambda: isinstance(app.screen, ConfirmDialog), "the make-it-active question"
    )
    shot("make it active")
    await pilot.press("y")
    await _settle(app, pilot)
    session = app.state.session
    assert session is not None and session.method == "device"

    # A sign-in with an authenticator code: PostHog sets the remember cookie.
    await pilot.press("2")
    await _settle(app, pilot)
    await submit_password(pilot, app, TOTP_EMAIL, DEMO_PASSWORD)
    await enter_code(pilot, app, server.current_totp(TOTP_EMAIL))
    await _settle(app, pilot)
    session = app.state.session
    assert session is not None and session.user is not None
    assert session.user.email == TOTP_EMAIL
    assert server.state.remember, "no remember cookie was set"

    for step in STEPS:
        app.action_go(step.id)
        await _settle(app, pilot)
        shot(step.id)


def _run_cli(
    services: Services,
    factory: Any,
    argv: list[str],
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    return run_subcommand(
        args,
        store=services.store,
        clouds=services.clouds,
        client_factory=factory,
        environ=env or {},
        stdin=io.StringIO(stdin),
    )


# A long walk: on two busy cores it nears the default limit.
@pytest.mark.timeout(300)
async def test_the_walkthrough_and_every_subcommand_leak_no_secret(
    services: Services,
    demo_server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    folders = {
        name: tmp_path / name for name in ("home", "config", "phguide-config", "data", "cache")
    }
    for folder in folders.values():
        folder.mkdir()
    monkeypatch.setenv("HOME", str(folders["home"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folders["config"]))
    monkeypatch.setenv("PHGUIDE_CONFIG_DIR", str(folders["phguide-config"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(folders["data"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folders["cache"]))
    monkeypatch.delenv("TEXTUAL", raising=False)
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    monkeypatch.chdir(folders["home"])

    secrets = Secrets(demo_server)

    # Logging at DEBUG everywhere, every record kept.
    records = Records()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)  # setLevel, not the attribute: loggers cache their levels
    root.addHandler(records)

    # Every exception phguide makes, and every worker that failed.
    raised: list[BaseException] = []
    original_init = PostHogError.__init__

    def recording_init(self: PostHogError, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        raised.append(self)

    monkeypatch.setattr(PostHogError, "__init__", recording_init)

    def host_error_init(self: HostError, *args: Any) -> None:
        ValueError.__init__(self, *args)
        raised.append(self)

    monkeypatch.setattr(HostError, "__init__", host_error_init, raising=False)

    def record_failed_worker(message: Message) -> None:
        # Textual's public hook on every message: a worker that failed says so in one.
        if isinstance(message, Worker.StateChanged) and message.worker.error is not None:
            raised.append(message.worker.error)

    # Every URL any client asks for.
    urls: list[str] = []

    def factory(host: Host, key: Secret | None) -> PostHogClient:
        return PostHogClient(host, personal_key=key, transport=Spy(urls))

    def login_factory(host: Host, cookies: dict[str, Secret]) -> PostHogClient:
        return PostHogClient(host, remember_cookies=cookies or None, transport=Spy(urls))

    services.client_factory = factory
    services.login_client_factory = login_factory

    shots: list[tuple[str, str]] = []
    try:
        app = PhGuideApp(services, start="log-in")
        async with app.run_test(size=SIZE, message_hook=record_failed_worker) as pilot:
            await _walkthrough(app, pilot, demo_server, shots)

        # The subcommands, as a user runs them after the walkthrough (in a thread: each runs
        # its own event loop, as it does from a shell).
        rolled = secrets.keys[1]
        env_key = {"POSTHOG_PERSONAL_API_KEY": rolled}
        statuses = [
            await asyncio.to_thread(_run_cli, services, factory, ["status", "--host", "us"]),
            await asyncio.to_thread(
                _run_cli, services, factory, ["status", "--host", "us", "--json"]
            ),
            await asyncio.to_thread(
                _run_cli, services, factory, ["keys", "--host", "us"], env=env_key
            ),
            await asyncio.to_thread(
                _run_cli, services, factory, ["keys", "--host", "us", "--json"], env=env_key
            ),
            await asyncio.to_thread(
                _run_cli, services, factory, ["check", "--host", "us"], stdin=rolled
            ),
            await asyncio.to_thread(
                _run_cli, services, factory, ["check", "--host", "us", "--json"], stdin=rolled
            ),
            await asyncio.to_thread(
                _run_cli, services, factory, ["check", "--host", "us"], stdin=rolled[:-3]
            ),
            await asyncio.to_thread(
                _run_cli, services, factory, ["logout", "--host", "us"], env=env_key
            ),
        ]
        assert statuses[:6] == [0] * 6, statuses
    finally:
        root.removeHandler(records)
        root.setLevel(old_level)

    captured = capfd.readouterr()
    scan = Scan()
    files = 0
    for folder in folders.values():
        for path in folder.rglob("*"):
            if path.is_file():
                files += 1
                scan.add(
                    "file",
                    str(path.relative_to(tmp_path)),
                    path.read_bytes().decode("utf-8", "replace"),
                )
                if path.name == "config.json":
                    assert os.stat(path).st_mode & 0o077 == 0, (
                        "the settings file is readable by others"
                    )
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records.records:
        text = formatter.format(record)
        scan.add("log record", record.name, f"{text} {record.args!r} {record.msg!r}")
    for error in raised:
        parts = [str(error), repr(error), repr(error.args)]
        parts += [str(getattr(error, name, "")) for name in ("message", "fix", "detail")]
        parts += traceback.format_exception(error)
        scan.add("exception", type(error).__name__, "\n".join(parts))
    for name, svg in shots:
        scan.add("screenshot", name, svg)
        scan.add("screenshot", f"{name} (text)", _screenshot_text(svg))
    scan.add("terminal", "stdout", captured.out)
    scan.add("terminal", "stderr", captured.err)
    for url in urls:
        scan.add("request URL", url.split("?")[0], url)

    found = secrets.all()
    assert sum(1 for name in found if name.startswith("personal key")) >= 3
    assert any(name.startswith("sessionid") for name in found)
    assert any(name.startswith("remember-cookie") for name in found)
    # The scan can see a secret: the terminal shows the rolled key's mask, files hold emails.
    assert secrets.keys[1][-4:] in captured.out
    assert files >= 1 and "last_host" in scan.text_of("file")
    assert not any("personal_api_key=" in url for url in urls)

    leaks = scan.find(found)
    REPORT.scans += 1
    REPORT.scanned.update(
        {
            "files": files,
            "log records": len(records.records),
            "exceptions": len(raised),
            "screenshots": len(shots),
            "terminal streams": 2,
            "request URLs": len(urls),
        }
    )
    REPORT.secrets_found.extend(leaks)
    assert not leaks, leaks
    assert len(records.records) > 50, "logging at DEBUG recorded almost nothing"
