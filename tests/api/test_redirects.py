"""Credentials never reach another host: redirects and pagination links, over real loopback HTTP.

The demo server never redirects elsewhere, so two tiny servers play a PostHog that does and
the host it points at; the second one records whatever reaches it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import TransportError
from phguide.core.hosts import parse_host
from phguide.core.secret import Secret

KEY = Secret("phx_" + "k" * 35)
REMEMBER = {"remember-cookie_1234": Secret("remembered-value")}

Route = Callable[[str], tuple[int, dict[str, str], bytes]]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Tiny:
    """A loopback HTTP server answering from a function of the path, recording every request."""

    route: Route
    seen: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> Tiny:
        tiny = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                tiny.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
                status, headers, body = tiny.route(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


def _json(value: object) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(value).encode()


def _project(pid: int) -> dict[str, object]:
    return {"id": pid, "name": f"P{pid}", "api_token": f"phc_{pid:040d}"}


@pytest.fixture
def elsewhere() -> Iterator[Tiny]:
    """The other host: answers everything, so any request that reaches it is visible."""
    tiny = Tiny(lambda path: _json({"email": "attacker@example.com"})).start()
    yield tiny
    tiny.stop()


@pytest.fixture
def posthog(elsewhere: Tiny) -> Iterator[Tiny]:
    """A 'PostHog' that redirects some paths to `elsewhere` and some to itself."""
    other = f"http://localhost:{elsewhere.port}"

    def route(path: str) -> tuple[int, dict[str, str], bytes]:
        if path == "/api/users/@me/":
            return 302, {"Location": f"{other}/api/users/@me/"}, b""
        if path == "/api/projects/7/":
            return 301, {"Location": "/api/projects/7/moved/"}, b""
        if path == "/api/projects/7/moved/":
            return _json(_project(7))
        if path.startswith("/api/organizations/o/projects/"):
            if "offset=1" in path:
                return _json({"count": 2, "next": None, "results": [_project(2)]})
            # A proxy-confused `next` pointing at another host (and http:// at that).
            link = f"{other}/api/organizations/o/projects/?limit=1&offset=1"
            return _json({"count": 2, "next": link, "results": [_project(1)]})
        if path == "/api/login":
            return 307, {"Location": f"{other}/api/login"}, b""
        return 404, {"Content-Type": "text/plain"}, b"nope"

    tiny = Tiny(route).start()
    yield tiny
    tiny.stop()


async def test_redirect_to_another_host_is_not_followed_with_a_key(
    posthog: Tiny, elsewhere: Tiny
) -> None:
    host = parse_host(f"http://127.0.0.1:{posthog.port}")
    async with PostHogClient(host, personal_key=KEY) as client:
        with pytest.raises(TransportError) as caught:
            await client.me()
    assert caught.value.code == "redirect"
    assert f"localhost:{elsewhere.port}" in caught.value.message
    assert "credentials" in caught.value.fix
    assert elsewhere.seen == []
    # The first host did get the key: only the hop elsewhere was refused.
    assert posthog.seen[0].headers["Authorization"] == f"Bearer {KEY.reveal()}"


async def test_redirect_to_another_host_is_not_followed_with_cookies(
    posthog: Tiny, elsewhere: Tiny
) -> None:
    host = parse_host(f"http://127.0.0.1:{posthog.port}")
    async with PostHogClient(host, remember_cookies=REMEMBER) as client:
        with pytest.raises(TransportError):
            await client.me()
    assert posthog.seen[0].headers["Cookie"] == "remember-cookie_1234=remembered-value"
    assert elsewhere.seen == []


async def test_same_host_redirect_is_followed_with_credentials(posthog: Tiny) -> None:
    host = parse_host(f"http://127.0.0.1:{posthog.port}")
    async with PostHogClient(host, personal_key=KEY) as client:
        project = await client.project(7)
    assert project.id == 7
    assert [seen.path for seen in posthog.seen] == ["/api/projects/7/", "/api/projects/7/moved/"]
    assert all(seen.headers["Authorization"] == f"Bearer {KEY.reveal()}" for seen in posthog.seen)


async def test_post_redirect_is_never_followed(posthog: Tiny, elsewhere: Tiny) -> None:
    host = parse_host(f"http://127.0.0.1:{posthog.port}")
    async with PostHogClient(host, remember_cookies=REMEMBER) as client:
        with pytest.raises(TransportError) as caught:
            await client.login("max@example.com", Secret("password"))
    assert caught.value.code == "redirect"
    assert elsewhere.seen == []


async def test_pagination_link_to_another_host_stays_on_ours(
    posthog: Tiny, elsewhere: Tiny
) -> None:
    host = parse_host(f"http://127.0.0.1:{posthog.port}")
    async with PostHogClient(host, personal_key=KEY) as client:
        projects = await client.org_projects("o")
    assert [p.id for p in projects] == [1, 2]
    assert elsewhere.seen == []
    second = posthog.seen[-1]
    assert second.path == "/api/organizations/o/projects/?limit=1&offset=1"
    assert second.headers["Authorization"] == f"Bearer {KEY.reveal()}"


@pytest.mark.parametrize(
    "link",
    [
        "/api/organizations/o/projects/?limit=1&offset=1\x1f",
        "/api/organizations/o/projects/\x00?limit=1&offset=1",
        "/api/organizations/o/projects/?limit=1&offset=1&pad=" + "x" * 70_000,
    ],
    ids=["control character in the query", "NUL in the path", "70,000 characters"],
)
async def test_a_next_link_httpx_cannot_send_to_is_a_bad_answer(link: str) -> None:
    """A `next` link httpx refuses (`InvalidURL`, which is not an `HTTPError`) is PostHog's
    bad answer, not an exception from the HTTP library."""

    def route(path: str) -> tuple[int, dict[str, str], bytes]:
        return _json({"count": 2, "next": link, "results": [_project(1)]})

    tiny = Tiny(route).start()
    try:
        async with PostHogClient(parse_host(f"http://localhost:{tiny.port}")) as client:
            with pytest.raises(TransportError) as raised:
                await client.org_projects("o")
    finally:
        tiny.stop()
    assert raised.value.code == "bad_response"
    assert len(tiny.seen) == 1
