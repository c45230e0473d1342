"""Personal API keys: list, create, get, update, delete, roll, `@current`, and their limits."""

from __future__ import annotations

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ReauthRequired,
    ServerError,
    SessionRequired,
    Throttled,
)
from phguide.core.hosts import Host
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL

SEEDED = ["Analytics export", "CI feature flags", "Local development"]


async def test_list_newest_first_without_values(session: PostHogClient) -> None:
    keys = await session.list_keys()
    assert [k.label for k in keys] == SEEDED
    for key in keys:
        assert key.mask_value.startswith("phx_...")
        assert len(key.mask_value) == len("phx_...abcd")
        assert key.created_at
        assert not hasattr(key, "value")
    ci = keys[1]
    assert ci.scopes == ("feature_flag:read", "project:read")
    assert ci.scoped_teams == (1001,)
    assert keys[0].scoped_organizations and keys[0].last_rolled_at


async def test_create_get_update_delete(session: PostHogClient) -> None:
    created = await session.create_key(
        "phguide test", ["project:read", "feature_flag:write"], scoped_teams=[1001, 1002]
    )
    value = created.value.reveal()
    assert value.startswith("phx_") and len(value) == 39
    assert created.key.label == "phguide test"
    assert created.key.mask_value == f"{value[:4]}...{value[-4:]}"
    assert created.key.scoped_teams == (1001, 1002)
    assert created.key.scopes == ("project:read", "feature_flag:write")

    fetched = await session.get_key(created.key.id)
    assert fetched == created.key

    await session.delete_key(created.key.id)
    with pytest.raises(NotFound):
        await session.get_key(created.key.id)
    assert [k.label for k in await session.list_keys()] == SEEDED


async def test_created_key_works_and_current_describes_it(
    session: PostHogClient, host: Host
) -> None:
    created = await session.create_key("current check", ["user:read", "project:read"])
    async with PostHogClient(host, personal_key=created.value) as keyed:
        current = await keyed.current_key()
        assert current.id == created.key.id
        assert current.scopes == ("user:read", "project:read")
        assert (await keyed.me()).email == DEMO_EMAIL


async def test_roll_replaces_the_value(session: PostHogClient, host: Host) -> None:
    created = await session.create_key("to roll", ["user:read"])
    rolled = await session.roll_key(created.key.id)
    assert rolled.key.id == created.key.id
    assert rolled.value != created.value
    assert rolled.value.reveal().startswith("phx_")
    assert rolled.key.last_rolled_at
    async with PostHogClient(host, personal_key=created.value) as old:
        with pytest.raises(NotAuthenticated) as caught:
            await old.me()
        assert caught.value.code == "authentication_failed"
    async with PostHogClient(host, personal_key=rolled.value) as new:
        assert (await new.me()).email == DEMO_EMAIL


async def test_a_key_cannot_manage_keys(host: Host, server: DemoServer) -> None:
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key) as client:
        for call in (
            client.list_keys(),
            client.create_key("nope", ["*"]),
            client.roll_key("anything"),
            client.delete_key("anything"),
        ):
            with pytest.raises(SessionRequired) as caught:
                await call
            assert caught.value.status == 403
            assert "only a signed-in session" in caught.value.message


async def test_newer_posthog_refuses_key_management_with_401(
    host: Host, server: DemoServer
) -> None:
    """Newer PostHog answers 401 where older answered 403: both mean "needs a session"."""
    server.state.key_refusal_status = 401
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key) as client:
        for call in (client.list_keys(), client.roll_key("anything")):
            with pytest.raises(SessionRequired) as caught:
                await call
            assert caught.value.status == 401
            assert not caught.value.maybe_wrong_region
        # The key itself is fine: it still reads the account.
        assert (await client.me()).email == DEMO_EMAIL


async def test_current_needs_a_key(session: PostHogClient) -> None:
    with pytest.raises(NotFound):
        await session.current_key()


async def test_ten_key_limit(session: PostHogClient) -> None:
    for n in range(7):
        await session.create_key(f"filler {n}", ["user:read"])
    with pytest.raises(InvalidInput) as caught:
        await session.create_key("the eleventh", ["user:read"])
    assert caught.value.code == "invalid_input"
    assert caught.value.message == (
        "You can only have 10 personal API keys. Remove an existing key before creating a new one."
    )


async def test_label_too_long(session: PostHogClient) -> None:
    with pytest.raises(InvalidInput) as caught:
        await session.create_key("x" * 41, ["user:read"])
    assert caught.value.attr == "label"
    assert "40" in caught.value.message
    assert caught.value.message.startswith("Label: ")


async def test_label_blank(session: PostHogClient) -> None:
    with pytest.raises(InvalidInput) as caught:
        await session.create_key("   ", ["user:read"])
    assert caught.value.code == "blank"
    assert caught.value.attr == "label"


async def test_bad_scope(session: PostHogClient) -> None:
    with pytest.raises(InvalidInput) as caught:
        await session.create_key("bad scope", ["user:read", "hedgehog:write"])
    assert caught.value.attr == "scopes"
    assert "Invalid scope: hedgehog:write" in caught.value.message


async def test_scoping_to_a_foreign_project(session: PostHogClient) -> None:
    with pytest.raises(InvalidInput) as caught:
        await session.create_key("foreign", ["project:read"], scoped_teams=[5001])
    assert caught.value.attr == "scoped_teams"


async def test_scoped_organizations(session: PostHogClient) -> None:
    user = await session.me()
    labs = user.organizations[0]
    created = await session.create_key(
        "org scoped", ["project:read"], scoped_organizations=[labs.id]
    )
    assert created.key.scoped_organizations == (labs.id,)


async def test_writes_need_a_recent_login(session: PostHogClient, server: DemoServer) -> None:
    keys = await session.list_keys()
    server.clock.advance(2 * 3600 + 1)
    # Reading still works; writes ask for a fresh sign-in.
    assert await session.list_keys() == keys
    for call in (
        session.create_key("late", ["user:read"]),
        session.roll_key(keys[0].id),
        session.delete_key(keys[0].id),
    ):
        with pytest.raises(ReauthRequired) as caught:
            await call
        assert caught.value.code == "sensitive_action_required_reauth"
        assert caught.value.status == 403
        assert "Sign in again" in caught.value.fix


async def test_create_is_never_retried(session: PostHogClient, server: DemoServer) -> None:
    server.faults.add("throttle", path="/api/personal_api_keys", method="POST")
    with pytest.raises(Throttled) as caught:
        await session.create_key("throttled", ["user:read"])
    assert caught.value.retry_after == 1
    server.faults.add("status", path="/api/personal_api_keys", method="POST", status=503)
    with pytest.raises(ServerError):
        await session.create_key("unavailable", ["user:read"])
    assert server.requests_log.count(("POST", "/api/personal_api_keys/")) == 2
    assert [k.label for k in await session.list_keys()] == SEEDED


async def test_roll_is_never_retried(session: PostHogClient, server: DemoServer) -> None:
    keys = await session.list_keys()
    server.faults.add("status", path="/roll", status=502, after=True)
    with pytest.raises(ServerError):
        await session.roll_key(keys[0].id)
    assert server.requests_log.count(("POST", f"/api/personal_api_keys/{keys[0].id}/roll/")) == 1
