"""Answers the demo server never gives: odd JSON, DNS failure, enforced 2FA (httpx.MockTransport).

The demo server follows the contract exactly; these are the drifts of real servers (older
self-hosted versions, proxies, captive portals) that the client must survive.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import (
    ApiError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PostHogError,
    TransportError,
    TwoFactorEnforced,
)
from phguide.api.models import DeviceCode, Organization, User
from phguide.core.hosts import parse_host
from phguide.core.secret import Secret

from .polling import poll_once

HOST = parse_host("https://posthog.example.com")
KEY = Secret("phx_" + "m" * 35)


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> PostHogClient:
    async def no_wait(seconds: float) -> None:
        return None

    return PostHogClient(
        HOST, personal_key=KEY, transport=httpx.MockTransport(handler), sleep=no_wait
    )


def answer(value: Any, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=value)


async def test_user_with_unexpected_and_wrongly_typed_fields() -> None:
    body = {
        "email": "max@example.com",
        "uuid": 12,
        "first_name": None,
        "last_name": ["x"],
        "is_2fa_enabled": "yes",
        "team": {"id": "abc", "api_token": "phc_x"},
        "organization": {"name": "no id"},
        "organizations": [
            {"id": "o1", "name": "Fine", "membership_level": "8"},
            "not an object",
            {"name": "no id"},
        ],
        "brand_new_field": {"nested": True},
    }
    async with client_for(answer(body)) as client:
        user = await client.me()
    assert user.email == "max@example.com"
    assert user.uuid == "12"
    assert user.first_name == "" and user.last_name == ""
    assert user.is_2fa_enabled is False
    assert user.team is None
    assert user.organization is None
    assert [org.id for org in user.organizations] == ["o1"]
    assert user.organizations[0].is_admin


@pytest.mark.parametrize(
    "body",
    [
        {"uuid": "u"},
        {"email": ""},
        {"email": 5.5},
        ["not", "an", "object"],
        None,
    ],
)
async def test_user_without_the_essentials(body: object) -> None:
    async with client_for(answer(body)) as client:
        with pytest.raises(TransportError) as caught:
            await client.me()
    assert caught.value.code == "bad_response"
    assert caught.value.message == "PostHog sent an answer phguide does not understand."


async def test_html_instead_of_json() -> None:
    page = "<html><body>Sign in to the corporate Wi-Fi</body></html>"

    def portal(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=page, headers={"content-type": "text/html"})

    async with client_for(portal) as client:
        with pytest.raises(TransportError) as caught:
            await client.me()
    assert caught.value.code == "bad_response"
    assert "Wi-Fi" not in str(caught.value) and "<" not in caught.value.fix


async def test_project_ids_as_strings_and_odd_rows_skipped() -> None:
    rows = [
        {"id": "12", "name": "Twelve", "api_token": "phc_12", "timezone": None},
        {"id": 13, "name": "No token"},
        "junk",
        {"id": 14, "api_token": "phc_14", "is_demo": 1},
    ]
    async with client_for(answer({"count": 4, "next": None, "results": rows})) as client:
        projects = await client.org_projects("o")
    assert [(p.id, p.name, p.timezone, p.is_demo) for p in projects] == [
        (12, "Twelve", "UTC", False),
        (14, "", "UTC", False),
    ]


async def test_page_without_results() -> None:
    async with client_for(answer({"count": 3, "next": None})) as client:
        with pytest.raises(TransportError) as caught:
            await client.org_projects("o")
    assert caught.value.code == "bad_response"


async def test_an_unpaginated_list_is_accepted() -> None:
    rows = [{"id": 1, "api_token": "phc_1"}, {"id": 2, "api_token": "phc_2"}]
    async with client_for(answer(rows)) as client:
        assert [p.id for p in await client.org_projects("o")] == [1, 2]


async def test_keys_list_may_come_paginated_and_with_odd_rows() -> None:
    rows = [{"id": "a", "label": "A", "scopes": ["*", None, 3]}, {"label": "no id"}]
    async with client_for(answer({"results": rows})) as client:
        keys = await client.list_keys()
    assert [(k.id, k.scopes, k.mask_value) for k in keys] == [("a", ("*", "3"), "")]


async def test_created_key_without_a_value() -> None:
    async with client_for(answer({"id": "a", "label": "A", "value": None}, 201)) as client:
        with pytest.raises(TransportError) as caught:
            await client.create_key("A", ["*"])
    assert caught.value.code == "bad_response"


async def test_created_key_without_a_mask_gets_one() -> None:
    value = "phx_" + "v" * 31 + "WXYZ"
    async with client_for(answer({"id": "a", "label": "A", "value": value}, 201)) as client:
        created = await client.create_key("A", ["*"])
    assert created.key.mask_value == "phx_...WXYZ"
    assert created.value.reveal() == value


async def test_device_code_missing_fields_and_zero_interval() -> None:
    async with client_for(answer({"device_code": "d", "user_code": "U"})) as client:
        with pytest.raises(TransportError):
            await client.start_device_flow()
    body = {
        "device_code": "d",
        "user_code": "U",
        "verification_uri": "https://posthog.example.com/cli",
        "interval": 0,
    }
    async with client_for(answer(body)) as client:
        code = await client.start_device_flow()
    assert code.interval == 5
    assert code.expires_in == 600
    assert code.verification_uri_complete == "https://posthog.example.com/cli?code=U"


async def test_authorized_poll_without_a_key() -> None:
    async with client_for(answer({"status": "authorized"})) as client:
        with pytest.raises(TransportError):
            await poll_once(client, "d")


async def test_rfc_style_poll_answers() -> None:
    async with client_for(answer({"error": "authorization_pending"}, 400)) as client:
        assert await poll_once(client, "d") is None
    async with client_for(answer({"error": "access_denied"}, 400)) as client:
        with pytest.raises(ApiError) as caught:
            await poll_once(client, "d")
    assert caught.value.code == "access_denied"


async def test_slow_down_adds_five_seconds() -> None:
    answers = iter(
        [httpx.Response(400, json={"error": "slow_down"})] * 2
        + [httpx.Response(200, json={"status": "authorized", "personal_api_key": KEY.reveal()})]
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with client_for(lambda request: next(answers)) as client:
        device = DeviceCode("d", "U", "https://x/cli", "https://x/cli?code=U", 600, 5)
        result = await client.wait_for_device_approval(device, sleep=sleep)
    assert waits == [5.0, 10.0, 15.0]
    assert result.personal_api_key == KEY
    assert result.project_id is None


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("two_factor_setup_required", TwoFactorEnforced),
        ("two_factor_verification_required", TwoFactorEnforced),
    ],
)
async def test_enforced_2fa_codes(code: str, cls: type[ApiError]) -> None:
    body = {"type": "authentication_error", "code": code, "detail": "2FA!", "attr": None}
    async with client_for(answer(body, 403)) as client:
        with pytest.raises(cls) as caught:
            await client.me()
    assert caught.value.code == code
    assert "2FA" in caught.value.fix or "two-factor" in caught.value.message


async def test_enforced_2fa_org_is_reported_in_the_listing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/strict/" in request.url.path:
            body = {"type": "authentication_error", "code": "two_factor_setup_required"}
            return httpx.Response(403, json={**body, "detail": "Set up 2FA", "attr": None})
        return httpx.Response(200, json={"count": 1, "next": None, "results": [
            {"id": 1, "api_token": "phc_1"}
        ]})  # fmt: skip

    user = User("u", "e@x", organizations=(Organization("fine", "F"), Organization("strict", "S")))
    async with client_for(handler) as client:
        fine, strict = await client.all_projects(user)
    assert [p.id for p in fine.projects] == [1]
    assert strict.error is not None and "two-factor" in strict.error


async def test_a_session_failure_is_not_hidden_in_the_listing() -> None:
    body = {"type": "authentication_error", "code": "authentication_failed", "detail": "bad"}
    user = User("u", "e@x", organizations=(Organization("a", "A"), Organization("b", "B")))
    async with client_for(answer({**body, "attr": None}, 401)) as client:
        with pytest.raises(NotAuthenticated):
            await client.all_projects(user)


@pytest.mark.parametrize(
    ("status", "cls", "code"),
    [(401, NotAuthenticated, None), (403, PermissionDenied, None), (404, NotFound, None)],
)
async def test_error_statuses_without_json(status: int, cls: type[ApiError], code: None) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="<h1>Nope</h1>", headers={"content-type": "text/html"})

    async with client_for(handler) as client:
        with pytest.raises(cls) as caught:
            await client.me()
    assert caught.value.status == status
    assert "<" not in caught.value.message


async def test_dns_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as error:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from error

    async with client_for(handler) as client:
        with pytest.raises(TransportError) as caught:
            await client.me()
    assert caught.value.code == "dns"
    assert caught.value.message == (
        "phguide could not find the server posthog.example.com (the name did not resolve)."
    )
    assert "typos" in caught.value.fix


async def test_proxy_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ProxyError("407 Proxy Authentication Required")

    async with client_for(handler) as client:
        with pytest.raises(TransportError) as caught:
            await client.me()
    assert caught.value.code == "proxy"
    assert "HTTPS_PROXY" in caught.value.fix


async def test_request_bodies_are_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "a", "label": "B"})

    async with client_for(handler) as client:
        # The answer lacks the new key's value: what matters here is what was sent.
        with pytest.raises(PostHogError):
            await client.create_key("B", ("user:read",), scoped_teams=(1, 2))
    assert json.loads(seen[0].content) == {
        "label": "B",
        "scopes": ["user:read"],
        "scoped_teams": [1, 2],
        "scoped_organizations": [],
    }
    assert seen[0].method == "POST"
    assert seen[0].url.path == "/api/personal_api_keys/"
