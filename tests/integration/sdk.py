"""Running step 5's examples for real: the text the app copies, the SDKs that run it.

The examples are taken from the app itself (step 5 signed in against a demo server, each
copied with its key), so the tests run exactly what a user would paste. Node, the npm packages
in ``tests/js`` (``npm ci`` there) and Debian's ``chromium`` are needed; without them the tests
skip, and in CI (``CI=true`` or ``PHGUIDE_REQUIRE_INTEGRATION=1``) they fail.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import NoReturn

import pytest

from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.usage import COPY_KEYS, UsageScreen
from tests.helpers import settle
from tests.ui.sessions import key_session, sign_in

JS_DIR = Path(__file__).resolve().parents[1] / "js"
"""`package.json` and `package-lock.json` of the npm packages the tests run."""
CHROMIUM = "/usr/bin/chromium"
NODE_MINIMUM = (20, 20)
"""posthog-node 5.x wants Node ^20.20 or >= 22.22."""
PROJECT_ID = 1001
"""The demo project the examples are filled in for (Web app: three flags)."""

REQUIRED = os.environ.get("PHGUIDE_REQUIRE_INTEGRATION") == "1" or os.environ.get(
    "CI", ""
).lower() in {"1", "true"}
"""In CI a missing runtime fails the test instead of skipping it."""


def missing(what: str) -> NoReturn:
    """Skip (or, in CI, fail) because something an example needs is not installed."""
    message = f"cannot run the example: {what} (.ci/run installs it)"
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


def python_version(package: str) -> str:
    """The installed version of a PyPI package, or "missing"."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def npm_version(package: str) -> str:
    """The version of an npm package installed in `tests/js`, or "missing"."""
    manifest = JS_DIR / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "missing"


def node_version() -> str:
    """The version of the Node on PATH (`node-20.20.2`), or "node-missing"."""
    node = shutil.which("node")
    if node is None:
        return "node-missing"
    found = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return "node-" + (found.stdout.strip().lstrip("v") or "unknown")


def need_python_package(package: str) -> str:
    """The version of an installed PyPI package; skip/fail when it is absent."""
    version = python_version(package)
    if version == "missing":
        missing(f"the {package} package from PyPI (pip install -e '.[test]')")
    return version


def need_node(*packages: str) -> str:
    """The path of a Node new enough for posthog-node, with `packages` installed in tests/js."""
    node = shutil.which("node")
    if node is None:
        missing("node")
    found = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    numbers = re.match(r"v(\d+)\.(\d+)", found.stdout.strip())
    if numbers is None or tuple(int(n) for n in numbers.groups()) < NODE_MINIMUM:
        missing(f"Node >= 20.20 (found {found.stdout.strip() or 'none'})")
    absent = [name for name in packages if npm_version(name) == "missing"]
    if absent:
        missing(f"npm packages {', '.join(absent)} (npm ci in tests/js)")
    return node


def need_chromium() -> str:
    """Debian's chromium, which playwright-core drives (its own browser download cannot run)."""
    if not Path(CHROMIUM).exists():
        missing("chromium (apt-get install chromium)")
    return CHROMIUM


def link_node_modules(folder: Path) -> None:
    """Let a script in `folder` import the npm packages, as from a project that installed them."""
    (folder / "node_modules").symlink_to(JS_DIR / "node_modules", target_is_directory=True)


def run(
    command: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a program with the test's environment plus `env`; fail with its output if it fails."""
    merged = {**os.environ, **(env or {})}
    result = subprocess.run(
        command, cwd=cwd, env=merged, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def demo_services(demo: DemoServer) -> Services:
    """The app's services with the demo server as US Cloud, a memory keyring and a recorder."""
    host = with_region(parse_host(demo.url), "us")
    return Services(
        store=MemoryStore(),
        clipboard=Clipboard(RecordingClipboard(), clear_after=45.0),
        clouds=Clouds(us=host, eu=with_region(parse_host(demo.url), "eu")),
        host=host,
    )


async def _copy_every_example(demo: DemoServer, personal_key: str) -> dict[str, str]:
    services = demo_services(demo)
    recording = services.clipboard.system
    assert isinstance(recording, RecordingClipboard)
    session = await key_session(services, personal_key, project_id=PROJECT_ID)
    app = PhGuideApp(services)
    copied: dict[str, str] = {}
    async with app.run_test(size=(110, 34)) as pilot:
        sign_in(app, session)
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, UsageScreen)
        for snippet_id, key in COPY_KEYS.items():
            await pilot.press(key)
            await settle(pilot)
            copied[snippet_id] = recording.copies[-1]
        # The next framework (Next.js): its browser example and the .env file it reads.
        await pilot.press("f")
        await settle(pilot)
        for snippet_id in ("javascript", "dotenv"):
            await pilot.press(COPY_KEYS[snippet_id])
            await settle(pilot)
            copied[f"{snippet_id}@nextjs"] = recording.copies[-1]
    await session.client.aclose()
    return copied


def copy_every_example(demo: DemoServer, personal_key: str) -> dict[str, str]:
    """What step 5 puts on the clipboard for each example, signed in with `personal_key`.

    Keyed by snippet id; `javascript@nextjs` and `dotenv@nextjs` are the two after `f`.
    """
    return asyncio.run(_copy_every_example(demo, personal_key))


def demo_key(demo: DemoServer) -> str:
    """A fresh all-access personal key of the main demo user."""
    return demo.issue_key(DEMO_EMAIL, "SDK examples", ["*"])
