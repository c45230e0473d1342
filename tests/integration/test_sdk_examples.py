"""Step 5's examples, copied from the app, run by the real SDKs against the demo server.

Each test names the package versions it ran in its id (and prints them). The demo server
records what arrived; the tests assert on the recorded event: its name, distinct id and
project token.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from phguide.demo import demo_data
from phguide.demo.ingest import CapturedEvent
from phguide.demo.server import DemoServer
from tests.integration.sdk import (
    JS_DIR,
    PROJECT_ID,
    copy_every_example,
    demo_key,
    link_node_modules,
    need_chromium,
    need_node,
    need_python_package,
    node_version,
    npm_version,
    python_version,
    run,
)

pytestmark = pytest.mark.integration

POSTHOG_PY = f"posthog-{python_version('posthog')}"
POSTHOG_NODE = f"posthog-node-{npm_version('posthog-node')}+{node_version()}"
POSTHOG_JS = f"posthog-js-{npm_version('posthog-js')}"
PLAYWRIGHT = f"playwright-core-{npm_version('playwright-core')}"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """One demo server for the module: the app copies the examples from it, the SDKs call it."""
    with DemoServer(demo_data()) as server:
        yield server


@pytest.fixture(scope="module")
def personal_key(demo: DemoServer) -> str:
    return demo_key(demo)


@pytest.fixture(scope="module")
def copied(demo: DemoServer, personal_key: str) -> dict[str, str]:
    """Each example exactly as step 5 copies it, signed in on project 1001."""
    return copy_every_example(demo, personal_key)


@pytest.fixture(scope="module")
def token(demo: DemoServer) -> str:
    return demo.data.projects[PROJECT_ID].api_token


def wait_for(
    demo: DemoServer, token: str, match: Callable[[CapturedEvent], bool], seconds: float = 30
) -> CapturedEvent:
    """The first event sent with `token` that `match` accepts, waiting for it to arrive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [e for e in demo.captured_events(token) if match(e)]
        if found:
            return found[0]
        time.sleep(0.1)
    arrived = [(e.event, e.distinct_id, e.path) for e in demo.captured_events(token)]
    raise AssertionError(f"no matching event arrived; got {arrived}")


def _signed_up_by(distinct_id: str, since: int) -> Callable[[CapturedEvent], bool]:
    counter = iter(range(1_000_000))

    def match(event: CapturedEvent) -> bool:
        return next(counter) >= since and (event.event, event.distinct_id) == (
            "signed_up",
            distinct_id,
        )

    return match


def test_examples_hold_the_demo_values(
    copied: dict[str, str], token: str, demo: DemoServer
) -> None:
    # Every example is filled in: no placeholder is left to trip the runs below.
    for snippet_id, text in copied.items():
        assert "YourProjectAPIKeyHere" not in text and "YOUR_PROJECT_ID" not in text, snippet_id
    for snippet_id in ("javascript", "python", "node", "curl", "local-python", "local-node"):
        assert token in copied[snippet_id] and demo.url in copied[snippet_id], snippet_id


@pytest.mark.parametrize("versions", [POSTHOG_PY], ids=[POSTHOG_PY])
def test_python_example(
    versions: str, copied: dict[str, str], demo: DemoServer, token: str, tmp_path: Path
) -> None:
    print(versions)
    need_python_package("posthog")
    since = len(demo.captured_events(token))
    (tmp_path / "example.py").write_text(copied["python"])
    run([_python(), "example.py"], cwd=tmp_path)
    event = wait_for(demo, token, _signed_up_by("user-123", since))
    assert (event.path, event.project_id, event.token) == ("/batch/", PROJECT_ID, token)


@pytest.mark.parametrize("versions", [POSTHOG_PY], ids=[POSTHOG_PY])
def test_python_local_evaluation_example(
    versions: str, copied: dict[str, str], demo: DemoServer, token: str, tmp_path: Path
) -> None:
    print(versions)
    need_python_package("posthog")
    secret = demo.issue_secret_key(PROJECT_ID, "Python local evaluation")
    since = len(demo.captured_events(token))
    (tmp_path / "example.py").write_text(copied["local-python"])
    run([_python(), "example.py"], cwd=tmp_path, env={"POSTHOG_SECRET_KEY": secret})
    _assert_evaluated_locally(demo, token, secret, since)


def _assert_evaluated_locally(demo: DemoServer, token: str, secret: str, since: int) -> None:
    mask = f"{secret[:4]}...{secret[-4:]}"
    definitions = [c for c in demo.flag_calls() if c.key_mask == mask]
    assert definitions and definitions[0].token == token
    assert definitions[0].path in {"/flags/definitions", "/api/feature_flag/local_evaluation/"}
    event = wait_for(demo, token, _signed_up_by("user-123", since))
    # The flags the example evaluated ride on the event: the demo project's three.
    assert event.properties["$feature/pricing-page"] == "variant-b"
    assert event.properties["$feature/new-onboarding"] is True


@pytest.mark.parametrize("versions", [POSTHOG_NODE], ids=[POSTHOG_NODE])
def test_node_example(
    versions: str, copied: dict[str, str], demo: DemoServer, token: str, tmp_path: Path
) -> None:
    print(versions)
    node = need_node("posthog-node")
    since = len(demo.captured_events(token))
    link_node_modules(tmp_path)
    (tmp_path / "example.mjs").write_text(copied["node"])
    run([node, "example.mjs"], cwd=tmp_path)
    event = wait_for(demo, token, _signed_up_by("user-123", since))
    assert (event.path, event.project_id) == ("/batch/", PROJECT_ID)


@pytest.mark.parametrize("versions", [POSTHOG_NODE], ids=[POSTHOG_NODE])
def test_node_local_evaluation_example(
    versions: str, copied: dict[str, str], demo: DemoServer, token: str, tmp_path: Path
) -> None:
    print(versions)
    node = need_node("posthog-node")
    secret = demo.issue_secret_key(PROJECT_ID, "Node local evaluation")
    since = len(demo.captured_events(token))
    link_node_modules(tmp_path)
    (tmp_path / "example.mjs").write_text(copied["local-node"])
    run([node, "example.mjs"], cwd=tmp_path, env={"POSTHOG_SECRET_KEY": secret})
    _assert_evaluated_locally(demo, token, secret, since)


def test_server_side_api_example(
    copied: dict[str, str], demo: DemoServer, personal_key: str, tmp_path: Path
) -> None:
    node = need_node()
    (tmp_path / "example.mjs").write_text(copied["server"])
    result = run(
        [node, "example.mjs"], cwd=tmp_path, env={"POSTHOG_PERSONAL_API_KEY": personal_key}
    )
    assert result.stdout.strip() == "Web app"
    assert ("GET", f"/api/projects/{PROJECT_ID}/") in demo.requests_log


def test_curl_after_the_export_line(
    copied: dict[str, str], demo: DemoServer, token: str, tmp_path: Path
) -> None:
    # As the note says: the export line first (copied whole, key and all), then the curl lines.
    since = len(demo.captured_events(token))
    script = copied["shell"] + "\n" + copied["curl"] + "\n"
    result = run(["bash", "-c", script], cwd=tmp_path, env={"POSTHOG_PERSONAL_API_KEY": ""})
    event = wait_for(demo, token, _signed_up_by("user-123", since))
    assert (event.path, event.project_id) == ("/i/v0/e/", PROJECT_ID)
    # curl prints the two answers back to back: capture's, then the project's.
    assert result.stdout.startswith('{"status": 1}')
    assert f'"api_token": "{token}"' in result.stdout


def test_dotenv_example_reads_back_with_node_dotenv(
    copied: dict[str, str], personal_key: str, token: str, demo: DemoServer, tmp_path: Path
) -> None:
    node = need_node("dotenv")
    (tmp_path / ".env").write_text(copied["dotenv"])
    link_node_modules(tmp_path)
    reader = "import { parse } from 'dotenv'; import fs from 'fs'; "
    reader += "console.log(JSON.stringify(parse(fs.readFileSync('.env'))))"
    result = run([node, "--input-type=module", "-e", reader], cwd=tmp_path)
    assert json.loads(result.stdout) == {
        "POSTHOG_PROJECT_API_KEY": token,
        "POSTHOG_HOST": demo.url,
        "POSTHOG_PERSONAL_API_KEY": personal_key,
    }


# -- the browser ----------------------------------------------------------------------------
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>phguide example</title>
<script type="importmap">{"imports": {"posthog-js": "/posthog-js/module.mjs"}}</script>
<script>window.process = {env: %s};</script>
</head><body>
<script type="module" src="/example.mjs"></script>
<script type="module">import posthog from 'posthog-js'; window.__posthog = posthog;</script>
</body></html>
"""


class _Page(BaseHTTPRequestHandler):
    """The page, the copied example, and posthog-js from the npm package's own files."""

    example = ""
    env: dict[str, str] = {}
    """What a framework's build puts in `process.env` (its public variables from the .env)."""

    def do_GET(self) -> None:
        dist = JS_DIR / "node_modules" / "posthog-js" / "dist"
        if self.path == "/":
            body, kind = (PAGE % json.dumps(self.env)).encode(), "text/html"
        elif self.path == "/example.mjs":
            body, kind = self.example.encode(), "text/javascript"
        elif self.path == "/posthog-js/module.mjs":
            body, kind = (dist / "module.mjs").read_bytes(), "text/javascript"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _read_dotenv(node: str, text: str, folder: Path) -> dict[str, str]:
    """A `.env` file's variables as Node's `dotenv` (what Next.js builds on) reads them."""
    (folder / ".env.local").write_text(text)
    link_node_modules(folder)
    reader = "import { parse } from 'dotenv'; import fs from 'fs'; "
    reader += "console.log(JSON.stringify(parse(fs.readFileSync('.env.local'))))"
    result = run([node, "--input-type=module", "-e", reader], cwd=folder)
    values: dict[str, str] = json.loads(result.stdout)
    return values


@pytest.fixture(params=["plain", "nextjs"])
def page_url(
    request: pytest.FixtureRequest, copied: dict[str, str], tmp_path: Path
) -> Iterator[str]:
    """The browser example on a page; for Next.js, with the public values its build inlines."""
    example, env = copied["javascript"], {}
    if request.param == "nextjs":
        node = need_node("dotenv")
        example = copied["javascript@nextjs"]
        values = _read_dotenv(node, copied["dotenv@nextjs"], tmp_path)
        # Next.js inlines only NEXT_PUBLIC_ variables into browser code, never the others.
        env = {name: value for name, value in values.items() if name.startswith("NEXT_PUBLIC_")}
        assert set(env) == {"NEXT_PUBLIC_POSTHOG_KEY", "NEXT_PUBLIC_POSTHOG_HOST"}
        assert "process.env.NEXT_PUBLIC_POSTHOG_KEY" in example
    handler = type("Page", (_Page,), {"example": example, "env": env})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "versions", [f"{POSTHOG_JS}+{PLAYWRIGHT}"], ids=[f"{POSTHOG_JS}+{PLAYWRIGHT}"]
)
def test_browser_example_in_headless_chromium(
    versions: str, page_url: str, demo: DemoServer, token: str, tmp_path: Path
) -> None:
    print(versions)
    node = need_node("posthog-js", "playwright-core")
    chromium = need_chromium()
    log_path = tmp_path / "page-console.log"
    with log_path.open("w") as log:
        driver = subprocess.Popen(
            [node, str(JS_DIR / "browser-example.mjs"), page_url, chromium, str(tmp_path / "p")],
            cwd=JS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            assert driver.stdout is not None
            loaded = json.loads(driver.stdout.readline() or "{}")
            assert "distinctId" in loaded, (loaded, log_path.read_text())
            print("chromium", loaded.get("version"))
            distinct_id = loaded["distinctId"]
            event = wait_for(
                demo, token, lambda e: (e.event, e.distinct_id) == ("signed_up", distinct_id)
            )
            pageview = wait_for(
                demo, token, lambda e: (e.event, e.distinct_id) == ("$pageview", distinct_id)
            )
            assert event.path in {"/e/", "/i/v0/e/"} and event.project_id == PROJECT_ID
            assert pageview.project_id == PROJECT_ID
            assert loaded["errors"] == []
        finally:
            if driver.stdin is not None:
                driver.stdin.close()
            try:
                driver.wait(timeout=30)
            except subprocess.TimeoutExpired:
                driver.kill()
                driver.wait()


def _python() -> str:
    return sys.executable
