"""After browser approval: what the key may do, against a demo PostHog of each version."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phguide.api.client import PostHogClient
from phguide.core.approval import assess_approval
from phguide.core.hosts import Host, parse_host
from phguide.core.scopes import CLI_SCOPES
from phguide.core.visibility import what_can_see
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.device import AGENT_CLI_SCOPES

WEB_APP = 1001


async def _approve(
    server: DemoServer, client: PostHogClient, scopes: tuple[str, ...] | None = None
) -> object:
    code = await client.start_device_flow()
    server.approve_device(code.user_code, DEMO_EMAIL, WEB_APP, scopes)
    return await client.wait_for_device_approval(code, sleep=_no_wait)


async def _no_wait(seconds: float) -> None:
    return None


@pytest.fixture
def narrow() -> Iterator[DemoServer]:
    server = DemoServer(device_scopes="narrow")
    server.start()
    yield server
    server.stop()


async def test_full_grant_can_read(demo_server: DemoServer) -> None:
    host = parse_host(demo_server.url)
    async with PostHogClient(host) as client:
        approval = await _approve(demo_server, client)
        reach = await assess_approval(client, approval)  # type: ignore[arg-type]
    assert reach.can_read
    assert reach.missing == ()
    assert reach.project is not None and reach.project.id == WEB_APP
    assert reach.user is not None and reach.user.email == DEMO_EMAIL


async def test_narrow_grant_names_the_missing_scopes_and_asks_nothing_doomed(
    narrow: DemoServer,
) -> None:
    host = parse_host(narrow.url)
    async with PostHogClient(host) as client:
        approval = await _approve(narrow, client)
        assert approval.scopes == CLI_SCOPES  # type: ignore[attr-defined]
        narrow.clear_requests_log()
        reach = await assess_approval(client, approval)  # type: ignore[arg-type]
    assert not reach.can_read
    assert reach.missing == ("user:read", "project:read")
    assert reach.project_id == WEB_APP
    assert any("user:read" in reason for reason in reach.reasons())
    assert "kept safe" in reach.summary()
    # The granted scopes already said both calls would fail: none was made.
    assert narrow.requests_log == []


async def test_without_scopes_in_the_poll_the_403s_say_what_is_missing(
    narrow: DemoServer,
) -> None:
    narrow.state.device_poll_scopes = False
    host = parse_host(narrow.url)
    async with PostHogClient(host) as client:
        approval = await _approve(narrow, client)
        assert approval.scopes is None  # type: ignore[attr-defined]
        reach = await assess_approval(client, approval)  # type: ignore[arg-type]
    assert reach.missing == ("user:read", "project:read")
    assert reach.granted is None


async def test_approving_again_with_the_scopes_reaches_the_project_key(
    narrow: DemoServer,
) -> None:
    host: Host = parse_host(narrow.url)
    async with PostHogClient(host) as client:
        approval = await _approve(narrow, client, AGENT_CLI_SCOPES)
        reach = await assess_approval(client, approval)  # type: ignore[arg-type]
        assert reach.can_read
        assert reach.project is not None
        assert reach.project.api_token == narrow.data.projects[WEB_APP].api_token
        seen = await what_can_see(client, user=reach.user, project_id=reach.project_id)
    assert seen.scoped
    assert [project.id for project in seen.projects] == [WEB_APP]
