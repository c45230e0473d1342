"""Fixtures for the API client tests: a demo server per test and clients that never really wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from phguide.api.client import PostHogClient
from phguide.core.hosts import Host, parse_host
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD


class RecordingSleep:
    """A sleep that records what it was asked to wait and returns at once.

    Tests assert on `calls` (the waits the client chose) instead of spending real time.
    """

    def __init__(self, server: DemoServer | None = None) -> None:
        self.calls: list[float] = []
        """Every wait requested, in seconds."""
        self.server = server
        """When set, each wait moves this server's clock, as real waiting would."""

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.server is not None:
            self.server.clock.advance(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def server(demo_server: DemoServer) -> DemoServer:
    """The seeded US demo server (fresh for every test, so tests may change it)."""
    return demo_server


@pytest.fixture
def host(server: DemoServer) -> Host:
    """The demo server as a self-hosted PostHog on loopback."""
    return parse_host(server.url)


@pytest.fixture
def sleep() -> RecordingSleep:
    """A sleep that does not wait."""
    return RecordingSleep()


@pytest.fixture
async def client(host: Host, sleep: RecordingSleep) -> AsyncIterator[PostHogClient]:
    """A client of the demo server with no credentials yet."""
    async with PostHogClient(host, sleep=sleep, timeout=5.0) as api:
        yield api


@pytest.fixture
async def session(client: PostHogClient) -> PostHogClient:
    """The client, signed in as the main demo user with a password."""
    await client.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))
    return client


@pytest.fixture
def scale_server() -> Iterator[DemoServer]:
    """A server whose user is in 3 organizations of 250 projects each (3 pages apiece)."""
    from phguide.demo.data import scale_data

    server = DemoServer(scale_data(orgs=3, projects_per_org=250)).start()
    try:
        yield server
    finally:
        server.stop()


class SpyTransport(httpx.AsyncBaseTransport):
    """The real network transport, recording each request's method, URL and headers.

    Lets a test see what went on the wire (CSRF header, Referer, no credentials to another
    host) while the demo server still answers for real.
    """

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []
        """Every request, in order."""
        self._real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()

    def find(self, method: str, path: str) -> list[httpx.Request]:
        """The requests with this method whose path is `path` (trailing slash optional)."""
        return [
            r
            for r in self.sent
            if r.method == method and r.url.path.rstrip("/") == path.rstrip("/")
        ]


@pytest.fixture
def spy() -> SpyTransport:
    """A recording transport over the real network."""
    return SpyTransport()


@pytest.fixture
async def spied(
    host: Host, sleep: RecordingSleep, spy: SpyTransport
) -> AsyncIterator[PostHogClient]:
    """A client of the demo server whose requests `spy` records."""
    async with PostHogClient(host, sleep=sleep, timeout=5.0, transport=spy) as api:
        yield api
