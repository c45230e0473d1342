"""Retries, backoff and network failures, with the demo server told to misbehave."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import ServerError, Throttled, TransportError
from phguide.core.hosts import Host, parse_host
from phguide.core.secret import Secret
from phguide.demo import DemoServer, demo_data
from phguide.demo.data import DEMO_EMAIL

from .conftest import RecordingSleep

ME = "/api/users/@me/"


@pytest.fixture
async def keyed(
    host: Host, server: DemoServer, sleep: RecordingSleep
) -> AsyncIterator[PostHogClient]:
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key, sleep=sleep) as client:
        yield client


def hits(server: DemoServer, path: str = ME) -> int:
    return sum(1 for _, seen in server.requests_log if seen == path)


async def test_429_with_retry_after_waits_that_long(
    keyed: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("throttle", path=ME, retry_after=7, seconds=99)
    assert (await keyed.me()).email == DEMO_EMAIL
    # The header wins over the detail's number.
    assert sleep.calls == [7.0]
    assert hits(server) == 2


async def test_429_without_retry_after_uses_the_detail(
    keyed: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("throttle", path=ME, retry_after=None, seconds=4)
    assert (await keyed.me()).email == DEMO_EMAIL
    assert sleep.calls == [4.0]


async def test_429_longer_than_the_cap_is_reported_at_once(
    keyed: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("throttle", path=ME, retry_after=120)
    with pytest.raises(Throttled) as caught:
        await keyed.me()
    assert caught.value.retry_after == 120
    assert caught.value.status == 429
    assert "120" in caught.value.fix
    assert sleep.calls == []
    assert hits(server) == 1


async def test_real_rate_limit(host: Host, sleep: RecordingSleep) -> None:
    server = DemoServer(demo_data(), rate_limits=(2, 100)).start()
    try:
        key = Secret(server.issue_key(DEMO_EMAIL))
        async with PostHogClient(parse_host(server.url), personal_key=key, sleep=sleep) as client:
            await client.me()
            await client.me()
            with pytest.raises(Throttled) as caught:
                await client.me()
    finally:
        server.stop()
    # A minute's wait is more than phguide waits out silently: the user is told instead.
    assert caught.value.retry_after is not None and 30 < caught.value.retry_after <= 60
    assert caught.value.code == "throttled"
    assert sleep.calls == []


async def test_proxy_502_is_retried_with_backoff(
    keyed: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("status", path=ME, status=502, times=2)
    assert (await keyed.me()).email == DEMO_EMAIL
    assert sleep.calls == [0.5, 1.0]
    assert hits(server) == 3


async def test_persistent_503_becomes_a_clean_server_error(
    keyed: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("status", path=ME, status=503, times=None)
    with pytest.raises(ServerError) as caught:
        await keyed.me()
    error = caught.value
    assert error.status == 503
    assert error.message == f"The server at 127.0.0.1:{server.port} answered 503."
    assert error.detail is None
    assert "<" not in error.message + error.fix
    assert hits(server) == 3


async def test_retries_can_be_turned_off(host: Host, server: DemoServer) -> None:
    server.faults.add("status", path=ME, status=504)
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key, retries=0) as client:
        with pytest.raises(ServerError):
            await client.me()
    assert hits(server) == 1


async def test_a_500_is_not_retried(
    keyed: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("status", path=ME, status=500)
    with pytest.raises(ServerError) as caught:
        await keyed.me()
    assert caught.value.status == 500
    assert hits(server) == 1


async def test_dropped_connection_on_a_read_is_retried(
    keyed: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("drop", path=ME)
    assert (await keyed.me()).email == DEMO_EMAIL
    assert hits(server) == 2


async def test_dropped_connections_that_persist(keyed: PostHogClient, server: DemoServer) -> None:
    server.faults.add("drop", path=ME, times=None)
    with pytest.raises(TransportError) as caught:
        await keyed.me()
    assert caught.value.code == "dropped"
    assert "dropped" in caught.value.message
    assert hits(server) == 3


async def test_reset_connections_that_persist(keyed: PostHogClient, server: DemoServer) -> None:
    server.faults.add("reset", path=ME, times=None)
    with pytest.raises(TransportError) as caught:
        await keyed.me()
    assert caught.value.code == "dropped"
    assert hits(server) == 3


async def test_a_dropped_write_is_not_retried(
    host: Host, server: DemoServer, sleep: RecordingSleep
) -> None:
    async with PostHogClient(host, sleep=sleep) as client:
        await client.login(DEMO_EMAIL, Secret("hedgehog-demo-pass"))
        server.faults.add("drop", path="/api/personal_api_keys", method="POST", after=True)
        with pytest.raises(TransportError) as caught:
            await client.create_key("lost answer", ["user:read"])
        assert caught.value.code == "dropped"
        assert server.requests_log.count(("POST", "/api/personal_api_keys/")) == 1


async def test_malformed_json(keyed: PostHogClient, server: DemoServer) -> None:
    server.faults.add("malformed", path=ME)
    with pytest.raises(TransportError) as caught:
        await keyed.me()
    assert caught.value.code == "bad_response"
    assert caught.value.message == "PostHog sent an answer phguide does not understand."


async def test_timeout(host: Host, server: DemoServer) -> None:
    server.faults.add("slow", path=ME, delay=1.0)
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key, timeout=0.2) as client:
        with pytest.raises(TransportError) as caught:
            await client.me()
    assert caught.value.code == "timeout"
    assert caught.value.message == (
        f"The server at 127.0.0.1:{server.port} did not answer within 0.2 seconds."
    )


async def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port now.
    async with PostHogClient(parse_host(f"http://127.0.0.1:{port}"), retries=0) as client:
        with pytest.raises(TransportError) as caught:
            await client.precheck(DEMO_EMAIL)
    assert caught.value.code == "refused"
    assert caught.value.message == f"The server at 127.0.0.1:{port} refused the connection."
    assert "running" in caught.value.fix
