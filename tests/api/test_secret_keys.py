"""Project secret API keys (`phs_`, contract §6b) and local evaluation, against the demo server."""

from __future__ import annotations

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import InvalidInput, PermissionDenied, ReauthRequired
from phguide.core.hosts import Host
from phguide.core.secret import Secret
from phguide.demo import DemoServer, secret_key_api
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.secret_keys import MAX_SECRET_KEYS_PER_PROJECT

WEB_APP = 1001
"""Max owns it."""
ACME_STOREFRONT = 2001
"""Max is a member of its organization, not an admin."""


async def test_create_list_roll_delete(session: PostHogClient, host: Host) -> None:
    created = await session.create_secret_key(WEB_APP, "Flags on the server", ["feature_flag:read"])
    value = created.value.reveal()
    assert value.startswith("phs_")
    assert created.key.mask_value == f"phs_...{value[-4:]}"
    assert created.key.scopes == ("feature_flag:read",)

    listed = await session.list_secret_keys(WEB_APP)
    assert [key.label for key in listed] == ["Flags on the server"]
    assert listed[0].mask_value == created.key.mask_value
    assert listed[0].created_by == DEMO_EMAIL

    rolled = await session.roll_secret_key(WEB_APP, created.key.id)
    assert rolled.value.reveal() != value
    async with PostHogClient(host, personal_key=created.value) as old:
        assert (await old.local_evaluation()).status == 401
    async with PostHogClient(host, personal_key=rolled.value) as new:
        assert (await new.local_evaluation()).valid

    await session.delete_secret_key(WEB_APP, created.key.id)
    assert await session.list_secret_keys(WEB_APP) == []


async def test_labels_are_unique_and_star_is_refused(session: PostHogClient) -> None:
    await session.create_secret_key(WEB_APP, "one", ["endpoint:read"])
    with pytest.raises(InvalidInput) as caught:
        await session.create_secret_key(WEB_APP, "one", ["endpoint:read"])
    assert caught.value.attr == "label"
    with pytest.raises(InvalidInput) as caught:
        await session.create_secret_key(WEB_APP, "two", ["*"])
    assert caught.value.attr == "scopes"


async def test_a_label_has_at_most_forty_characters(session: PostHogClient) -> None:
    created = await session.create_secret_key(WEB_APP, "x" * 40, ["endpoint:read"])
    assert created.key.label == "x" * 40
    with pytest.raises(InvalidInput) as caught:
        await session.create_secret_key(WEB_APP, "y" * 41, ["endpoint:read"])
    assert caught.value.attr == "label"
    assert "40 characters" in caught.value.message


async def test_fifty_per_project(session: PostHogClient, server: DemoServer) -> None:
    with server.data.lock:
        for n in range(MAX_SECRET_KEYS_PER_PROJECT):
            server.data.secret_keys.create(WEB_APP, f"key {n}", ["feature_flag:read"], created_at=0)
    with pytest.raises(InvalidInput) as caught:
        await session.create_secret_key(WEB_APP, "one too many", ["feature_flag:read"])
    assert "50" in caught.value.message


async def test_listing_follows_every_page(
    session: PostHogClient, server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secret_key_api, "PAGE_SIZE", 4)
    with server.data.lock:
        for n in range(11):
            server.data.secret_keys.create(WEB_APP, f"key {n}", ["feature_flag:read"], created_at=n)
    listed = await session.list_secret_keys(WEB_APP)
    assert len(listed) == 11
    assert len({key.id for key in listed}) == 11


async def test_writes_need_a_project_admin(session: PostHogClient) -> None:
    assert await session.list_secret_keys(ACME_STOREFRONT) == []
    with pytest.raises(PermissionDenied):
        await session.create_secret_key(ACME_STOREFRONT, "nope", ["feature_flag:read"])


async def test_a_personal_key_reads_but_cannot_write(host: Host, server: DemoServer) -> None:
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key) as client:
        assert await client.list_secret_keys(WEB_APP) == []
        with pytest.raises(ReauthRequired):
            await client.create_secret_key(WEB_APP, "nope", ["feature_flag:read"])


async def test_local_evaluation_tells_a_bad_key_from_a_wrong_token(
    session: PostHogClient, host: Host, server: DemoServer
) -> None:
    created = await session.create_secret_key(WEB_APP, "server", ["feature_flag:read"])
    token = server.data.projects[WEB_APP].api_token
    other = server.data.projects[1002].api_token
    async with PostHogClient(host, personal_key=created.value) as client:
        good = await client.local_evaluation(token)
        assert good.valid and good.flag_count >= 1
        wrong = await client.local_evaluation(other)
        assert wrong.status == 401
        alone = await client.local_evaluation()
        assert alone.valid  # the key names its own project: the token was the wrong input
    bad = Secret("phs_" + "x" * 35)
    async with PostHogClient(host, personal_key=bad) as client:
        refused = await client.local_evaluation(token)
        assert refused.status == 401
        assert (await client.local_evaluation()).status == 401
