"""Step 5, Using your keys: examples filled in from the session, copied, and written to .env."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import RecordingClipboard
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.env_file import EnvFileDialog
from phguide.ui.screens.usage import ResourceLink, SnippetPanel, UsageScreen
from tests.helpers import SIZE, settle, wait_for
from tests.ui.rendered import lines
from tests.ui.sessions import key_session, sign_in


def _recording(services: Services) -> RecordingClipboard:
    system = services.clipboard.system
    assert isinstance(system, RecordingClipboard)
    return system


def _code(app: PhGuideApp, snippet_id: str) -> str:
    panel = app.screen.query_one(f"#snippet-{snippet_id}", SnippetPanel)
    return str(panel.query_one(".snippet-code", Static).render())


def _text(app: PhGuideApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _signed_in_on_usage(
    app: PhGuideApp, services: Services, demo_server: DemoServer, pilot: Pilot[None]
) -> str:
    """Sign in with a fresh personal key and project 1002 selected, then open step 5."""
    key = demo_server.issue_key(DEMO_EMAIL, "Usage", ["*"])
    session = await key_session(services, key, project_id=1002)
    sign_in(app, session)
    await settle(pilot)
    await pilot.press("5")
    await pilot.pause()
    assert isinstance(app.screen, UsageScreen)
    return key


async def test_signed_out_shows_placeholders_and_copies_them(services: Services) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await pilot.pause()
        assert isinstance(app.screen, UsageScreen)
        assert "Not signed in" in _text(app, "#usage-context")
        assert "phc_YourProjectAPIKeyHere" in _text(app, "#usage-context")
        assert "posthog.init('phc_YourProjectAPIKeyHere'" in _code(app, "javascript")
        assert services.clouds.us.ingest_url in _code(app, "javascript")
        assert "phx_YourPersonalAPIKeyHere" in _code(app, "shell")
        assert app.screen.check_action("reveal", ()) is False
        assert app.screen.check_action("write_env", ()) is False
        await pilot.press("j")
        await settle(pilot)
        assert "posthog.init('phc_YourProjectAPIKeyHere'" in _recording(services).copies[-1]
        await pilot.press("l")
        await pilot.pause()
        assert app.current_mode == "log-in"


async def test_signed_in_examples_hold_the_real_key_and_host(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        key = await _signed_in_on_usage(app, services, demo_server, pilot)
        token = demo_server.data.projects[1002].api_token
        host = services.clouds.us
        assert "Mobile app" in _text(app, "#usage-context")
        assert f"posthog.init('{token}'" in _code(app, "javascript")
        assert f"api_host: '{host.ingest_url}'" in _code(app, "javascript")
        assert f"project_api_key='{token}'" in _code(app, "python")
        assert f"host='{host.ingest_url}'" in _code(app, "python")
        assert f"{host.app_url}/api/projects/1002/" in _code(app, "curl")
        assert "process.env.POSTHOG_PERSONAL_API_KEY" in _code(app, "server")
        # The personal key: masked on screen, whole on the clipboard, cleared later.
        assert key not in _code(app, "shell") and key not in _code(app, "dotenv")
        assert f"{key[:4]}...{key[-4:]}" in _code(app, "shell")
        await pilot.press("e")
        await settle(pilot)
        assert f" export POSTHOG_PERSONAL_API_KEY={key}" in _recording(services).copies[-1]
        # A countdown from 45 s (a loaded machine may have ticked it down already).
        left = re.search(r"cleared in (\d+) s", app.status)
        assert left is not None and 30 <= int(left.group(1)) <= 45, app.status
        assert app.screen.active_bindings["r"].binding.description == "Reveal key"
        await pilot.press("r")
        await pilot.pause()
        assert key in _code(app, "shell")
        # The footer says what r does now.
        assert app.screen.active_bindings["r"].binding.description == "Hide key"
        await pilot.press("r")
        await pilot.pause()
        assert key not in _code(app, "shell")
        assert app.screen.active_bindings["r"].binding.description == "Reveal key"


async def test_arrows_move_between_examples_and_c_copies_the_focused_one(
    services: Services, demo_server: DemoServer
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in_on_usage(app, services, demo_server, pilot)
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#snippet-python")
        await pilot.press("c")
        await settle(pilot)
        assert _recording(services).copies[-1].startswith("from posthog import Posthog")
        assert "cleared" not in app.status  # a public example is not cleared later


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


async def _write_env(pilot: Pilot[None], app: PhGuideApp, path: Path) -> None:
    await pilot.press("w")
    await pilot.pause()
    assert isinstance(app.screen, EnvFileDialog)
    field = app.screen.query_one("#env-file-path", Input)
    field.value = str(path)
    await pilot.press("enter")
    await pilot.pause()


@needs_git
async def test_write_env_replaces_in_place_and_offers_to_git_ignore(
    services: Services,
    demo_server: DemoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"# mine\r\nPOSTHOG_PERSONAL_API_KEY=phx_old\r\nDEBUG=1")
    env_file.chmod(0o600)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        key = await _signed_in_on_usage(app, services, demo_server, pilot)
        await _write_env(pilot, app, env_file)
        assert isinstance(app.screen, ConfirmDialog)  # replace the existing key?
        await pilot.press("y")
        # The file is written in a thread, then git is asked, then the next question comes up.
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the git question")
        assert "Git does not ignore .env" in str(app.screen.query_one("#dialog-title").render())
        await pilot.press("enter")  # Enter takes the safe answer: yes, ignore it
        await settle(pilot)
        token = demo_server.data.projects[1002].api_token
        assert env_file.read_bytes() == (
            b"# mine\r\n"
            + f"POSTHOG_PERSONAL_API_KEY={key}\r\n".encode()
            + b"DEBUG=1\r\n"
            + f"POSTHOG_PROJECT_API_KEY={token}\r\n".encode()
            + f"POSTHOG_HOST={services.clouds.us.ingest_url}\r\n".encode()
        )
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert (tmp_path / ".gitignore").read_text() == "/.env\n"
        assert "Added /.env" in app.status
        assert key not in app.status


async def test_write_env_declined_replacement_leaves_the_file(
    services: Services, demo_server: DemoServer, tmp_path: Path
) -> None:
    env_file = tmp_path / "app.env"
    original = b"POSTHOG_PERSONAL_API_KEY=phx_keep\n"
    env_file.write_bytes(original)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in_on_usage(app, services, demo_server, pilot)
        await _write_env(pilot, app, env_file)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert env_file.read_bytes() == original
        assert "Left" in app.status


async def test_write_env_new_file_is_private(
    services: Services, demo_server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    env_file = tmp_path / "new.env"
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        key = await _signed_in_on_usage(app, services, demo_server, pilot)
        await _write_env(pilot, app, env_file)
        await settle(pilot)
        assert f"POSTHOG_PERSONAL_API_KEY={key}\n" in env_file.read_text()
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert app.status.startswith(f"Created {env_file}")


async def test_a_write_that_fails_says_why_on_the_status_line_not_over_the_examples(
    services: Services, demo_server: DemoServer, tmp_path: Path
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in_on_usage(app, services, demo_server, pilot)
        await _write_env(pilot, app, tmp_path)  # a folder, not a file
        await settle(pilot)
        assert app.status.startswith("Not written:"), app.status
        await pilot.pause(0.3)
        # Said once, on the status line: no toast over the examples says it again.
        shown = lines(app.export_screenshot(), SIZE)
        assert sum("Not written" in row for row in shown) == 1, shown
        assert "Choose" in app.status, app.status  # with what to do about it


async def test_f_picks_a_framework_and_o_opens_the_docs(
    services: Services, demo_server: DemoServer, opened_urls: list[str]
) -> None:
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in_on_usage(app, services, demo_server, pilot)
        await pilot.press("f")
        await pilot.pause()
        assert "process.env.NEXT_PUBLIC_POSTHOG_KEY" in _code(app, "javascript")
        assert "NEXT_PUBLIC_POSTHOG_KEY=" in _code(app, "dotenv")
        assert "Next.js" in _text(app, "#usage-context")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, EnvFileDialog), "the .env dialog")
        assert app.screen.query_one("#env-file-path", Input).value == "./.env.local"
        await pilot.press("escape")
        await pilot.pause()
        # The guide's "Additional resources": shown, and o opens one in the browser.
        assert "Additional resources" in _text(app, "#usage-resources")
        assert "self-hosted instance" in _text(app, "#usage-note")
        await pilot.press("o")
        await settle(pilot)
        assert opened_urls == ["https://posthog.com/docs/api"]
        # ↓ past the examples reaches the links: o opens, c copies the one focused.
        await pilot.press(*["down"] * 11)
        await pilot.pause()
        assert isinstance(app.focused, ResourceLink)
        await pilot.press("o", "c")
        await settle(pilot)
        assert opened_urls[-1] == app.focused.url == "https://posthog.com/docs/libraries/js"
        assert _recording(services).copies[-1] == app.focused.url
