"""The API package never imports Textual, and httpx loads only when a client is built."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import phguide.api

API_DIR = Path(phguide.api.__file__).parent


def run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip()


def test_importing_the_client_does_not_load_httpx_or_textual() -> None:
    out = run(
        "import sys\n"
        "import phguide, phguide.core.hosts, phguide.api.models, phguide.api.errors\n"
        "from phguide.api.client import PostHogClient\n"
        "print('httpx' in sys.modules, 'textual' in sys.modules)"
    )
    assert out == "False False"


def test_building_a_client_loads_httpx_but_not_textual() -> None:
    out = run(
        "import sys\n"
        "from phguide.api.client import PostHogClient\n"
        "from phguide.core.hosts import US_CLOUD\n"
        "client = PostHogClient(US_CLOUD)\n"
        "print('httpx' in sys.modules, 'textual' in sys.modules)"
    )
    assert out == "True False"


def test_no_module_of_the_api_package_imports_textual() -> None:
    for path in API_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(name.split(".")[0] == "textual" for name in names), path.name


TRANSPORT = frozenset({"_transport", "_answers", "_retry", "_network_errors", "_cookies"})
"""The transport's modules: the only ones that import httpx at module level, and imported at
module level only by each other (the client imports `_transport` when it is built)."""


def _top_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names
    ] + [node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)]


def test_only_the_transport_imports_httpx_at_module_level() -> None:
    for path in API_DIR.glob("*.py"):
        top_level = _top_level_imports(path)
        if path.stem not in TRANSPORT:
            assert "httpx" not in [name.split(".")[0] for name in top_level], path.name
            transport = {f"phguide.api.{name}" for name in TRANSPORT}
            assert not transport & set(top_level), path.name


_FIRST_REQUEST = """
import asyncio, json, sys
from phguide.api.client import PostHogClient
from phguide.core.hosts import parse_host, with_region
from phguide.core.secret import Secret
from phguide.demo import data
from phguide.demo.server import DemoServer

server = DemoServer(data.demo_data("us"))
server.start()
try:
    key = server.issue_key(data.DEMO_EMAIL, "import test", ["*"])
    client = PostHogClient(with_region(parse_host(server.url), "us"), personal_key=Secret(key))
    if "load" in sys.argv:
        client.load_network()
    before = set(sys.modules)

    async def first() -> None:
        await client.me()
        await client.aclose()

    asyncio.run(first())
    print(json.dumps(sorted(set(sys.modules) - before)))
finally:
    server.stop()
"""


def _imported_by_the_first_request(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_REQUEST, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    new: list[str] = json.loads(result.stdout)
    return [name for name in new if name.split(".")[0] in ("anyio", "httpcore", "httpx")]


def test_a_client_can_load_what_its_first_request_would_ahead() -> None:
    # A returning user's client is built in a thread: what the first request imports (~30 ms)
    # is imported there, not on the event loop while the request waits to go out.
    assert _imported_by_the_first_request()  # what there is to load ahead
    assert _imported_by_the_first_request("load") == []
