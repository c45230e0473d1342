"""Browser approval (PostHog's device flow) against the demo server."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import DeviceCodeExpired, DeviceFlowUnsupported, PermissionDenied
from phguide.api.models import DeviceAuthorization
from phguide.core.hosts import Host
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL

from .conftest import RecordingSleep, SpyTransport
from .polling import poll_once

WEB_APP = 1001
ACME_STOREFRONT = 2001


async def test_start_gives_code_and_urls(client: PostHogClient, host: Host) -> None:
    code = await client.start_device_flow()
    assert code.verification_uri == f"{host.app_url}/cli/authorize"
    assert code.verification_uri_complete.endswith(f"?code={code.user_code}")
    assert code.browser_url.endswith("&use_cases=agent-cli")
    assert code.expires_in == 600
    assert code.interval == 5
    assert len(code.user_code) == 9 and code.user_code[4] == "-"


async def test_device_calls_carry_no_credentials(
    spied: PostHogClient, spy: SpyTransport, server: DemoServer
) -> None:
    code = await spied.start_device_flow()
    await poll_once(spied, code)
    for request in spy.sent:
        assert "Authorization" not in request.headers
        assert "Cookie" not in request.headers


async def test_single_polls_pending_then_authorized_once(
    client: PostHogClient, server: DemoServer
) -> None:
    code = await client.start_device_flow()
    assert await poll_once(client, code) is None
    server.approve_device(code.user_code, DEMO_EMAIL, WEB_APP)
    result = await poll_once(client, code)
    assert isinstance(result, DeviceAuthorization)
    assert result.personal_api_key.reveal().startswith("phx_")
    assert result.project_id == WEB_APP
    assert result.label.startswith("CLI - Web app - ")
    assert result.scopes is not None
    assert "project:read" in result.scopes and "user:read" in result.scopes
    # Handed out once: the server has forgotten the code.
    with pytest.raises(DeviceCodeExpired):
        await poll_once(client, code)


async def test_wait_polls_at_the_interval_and_adopts_the_key(
    host: Host, server: DemoServer
) -> None:
    sleep = RecordingSleep(server)
    ticks: list[float] = []

    async with PostHogClient(host, sleep=sleep) as client:
        code = await client.start_device_flow()

        async def on_tick(seconds_left: float) -> None:
            ticks.append(seconds_left)
            if len(ticks) == 3:
                server.approve_device(code.user_code, DEMO_EMAIL, WEB_APP)

        result = await client.wait_for_device_approval(code, on_tick=on_tick)
        assert sleep.calls == [5.0, 5.0, 5.0, 5.0]
        assert len(ticks) == 3
        assert ticks == sorted(ticks, reverse=True)
        assert 580 < ticks[0] <= 595
        assert client.auth_kind == "key"
        assert client.personal_key == result.personal_api_key
        # The adopted key is scoped to the approved project: it reads that project ...
        project = await client.project(result.project_id or 0)
        assert project.id == WEB_APP
        assert project.api_token.startswith("phc_")
        current = await client.current_key()
        assert current.label == result.label
        assert current.scoped_teams == (WEB_APP,)
        # ... and cannot list an organization's projects.
        user = await client.me()
        listing = await client.all_projects(user)
        assert listing and all(entry.error for entry in listing)
        assert "scoped projects" in (listing[0].error or "")
        with pytest.raises(PermissionDenied):
            await client.project(ACME_STOREFRONT)


async def test_wait_accepts_a_plain_callback_and_an_explicit_sleep(
    client: PostHogClient, server: DemoServer
) -> None:
    code = await client.start_device_flow()
    ticks: list[float] = []
    sleep = RecordingSleep(server)

    def on_tick(seconds_left: float) -> None:
        ticks.append(seconds_left)
        server.approve_device(code.user_code, DEMO_EMAIL, WEB_APP)

    result = await client.wait_for_device_approval(code, on_tick=on_tick, sleep=sleep)
    assert ticks and sleep.calls == [5.0, 5.0]
    assert result.project_id == WEB_APP


async def test_wait_ends_when_the_server_says_expired(host: Host, server: DemoServer) -> None:
    sleep = RecordingSleep(server)
    async with PostHogClient(host, sleep=sleep) as client:
        code = await client.start_device_flow()
        server.clock.advance(601)
        with pytest.raises(DeviceCodeExpired) as caught:
            await client.wait_for_device_approval(code)
        assert caught.value.status == 400
        assert "again" in caught.value.fix
        assert client.auth_kind == "none"


async def test_wait_gives_up_at_expires_in(client: PostHogClient, sleep: RecordingSleep) -> None:
    # The server's clock stands still here, so only the client's own count can end the wait.
    code = replace(await client.start_device_flow(), interval=60)
    with pytest.raises(DeviceCodeExpired) as caught:
        await client.wait_for_device_approval(code)
    assert caught.value.status is None
    assert sleep.calls == [60.0] * 10


async def test_wait_can_be_cancelled(client: PostHogClient, server: DemoServer) -> None:
    code = await client.start_device_flow()
    waiting = asyncio.Event()
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) > 1:
            waiting.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(client.wait_for_device_approval(code, sleep=nap))
    await asyncio.wait_for(waiting.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert server.requests_log.count(("POST", "/api/cli-auth/poll/")) == 1
    # The client is still usable after a cancelled wait.
    assert await poll_once(client, code) is None


async def test_cancel_during_a_slow_poll(client: PostHogClient, server: DemoServer) -> None:
    code = await client.start_device_flow()
    server.faults.add("slow", path="/api/cli-auth/poll", delay=5.0)

    async def no_wait(seconds: float) -> None:
        return None

    task = asyncio.create_task(client.wait_for_device_approval(code, sleep=no_wait))
    for _ in range(200):
        if ("POST", "/api/cli-auth/poll/") in server.requests_log:
            break
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_device_flow_unsupported_on_404(client: PostHogClient, server: DemoServer) -> None:
    server.faults.add("status", path="/api/cli-auth/device-code", status=404, body="Not found")
    with pytest.raises(DeviceFlowUnsupported) as caught:
        await client.start_device_flow()
    assert caught.value.status == 404
    assert "browser approval" in caught.value.message
    assert "password" in caught.value.fix


async def test_poll_retries_a_proxy_502(
    client: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    code = await client.start_device_flow()
    server.faults.add("status", path="/api/cli-auth/poll", status=502)
    assert await poll_once(client, code) is None
    assert server.requests_log.count(("POST", "/api/cli-auth/poll/")) == 2
    assert sleep.calls == [0.5]
