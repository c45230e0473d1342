"""Checking a project key through `/flags` on the ingestion host."""

from __future__ import annotations

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import ServerError, Throttled
from phguide.core.hosts import Host
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL

from .conftest import RecordingSleep, SpyTransport


async def _token(client: PostHogClient, project_id: int = 1001) -> str:
    return (await client.project(project_id)).api_token


async def test_valid_key(session: PostHogClient) -> None:
    check = await session.check_project_key(await _token(session))
    assert check.valid is True
    assert check.status == 200
    assert check.flag_count == 3
    assert check.detail == ""


async def test_invalid_key_has_the_plain_text_reason(client: PostHogClient) -> None:
    check = await client.check_project_key("phc_" + "x" * 43)
    assert check.valid is False
    assert check.status == 401
    assert check.detail.startswith("Project API key invalid.")


async def test_flags_request_shape_and_no_credentials(
    host: Host, server: DemoServer, spy: SpyTransport
) -> None:
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key, transport=spy) as client:
        token = await _token(client)
        await client.check_project_key(f"  {token}\n")
    [request] = spy.find("POST", "/flags")
    assert str(request.url) == f"{host.ingest_url}/flags?v=2"
    assert "Authorization" not in request.headers
    assert "Cookie" not in request.headers
    import json

    assert json.loads(request.content) == {"token": token, "distinct_id": "phguide-key-check"}


async def test_billing_limit_means_the_key_exists(
    client: PostHogClient, server: DemoServer
) -> None:
    # The demo cannot hit a billing limit by itself; a fault stands in for it.
    server.faults.add("status", path="^/flags", status=402, body="Billing limit reached")
    check = await client.check_project_key("phc_whatever")
    assert check.valid is True
    assert check.status == 402
    assert check.detail == "Billing limit reached"


async def test_throttled_check_is_retried(
    session: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    token = await _token(session)
    server.faults.add("throttle", path="^/flags", retry_after=3)
    check = await session.check_project_key(token)
    assert check.valid is True
    assert sleep.calls == [3.0]


async def test_persistent_throttling_is_raised(
    client: PostHogClient, server: DemoServer, sleep: RecordingSleep
) -> None:
    server.faults.add("throttle", path="^/flags", retry_after=None, seconds=2, times=None)
    with pytest.raises(Throttled) as caught:
        await client.check_project_key("phc_whatever")
    assert caught.value.retry_after == 2
    assert sleep.calls == [2.0, 2.0]
    assert server.requests_log.count(("POST", "/flags")) == 3


async def test_proxy_error_page_is_never_shown(client: PostHogClient, server: DemoServer) -> None:
    server.faults.add("status", path="^/flags", status=502, times=None)
    with pytest.raises(ServerError) as caught:
        await client.check_project_key("phc_whatever")
    assert caught.value.message == f"The server at 127.0.0.1:{server.port} answered 502."
    assert "<" not in str(caught.value) and "nginx" not in str(caught.value)
