"""Password login against the demo server: CSRF, precheck, both second factors, remember cookies."""

from __future__ import annotations

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import (
    ApiError,
    InvalidCredentials,
    InvalidInput,
    LockedOut,
    LoginExpired,
    SecondFactorInvalid,
    SecondFactorRequired,
    SsoEnforced,
    Throttled,
)
from phguide.core.hosts import Host, parse_host, with_region
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EMAIL_CODE_EMAIL,
    SSO_EMAIL,
    SSO_PROVIDER,
    TOTP_EMAIL,
    UNVERIFIED_EMAIL,
)

from .conftest import RecordingSleep, SpyTransport

PASSWORD = Secret(DEMO_PASSWORD)


async def test_precheck_without_sso(client: PostHogClient) -> None:
    result = await client.precheck(DEMO_EMAIL)
    assert result.sso_enforcement is None
    assert result.saml_available is False


async def test_precheck_with_sso(client: PostHogClient) -> None:
    result = await client.precheck(SSO_EMAIL)
    assert result.sso_enforcement == SSO_PROVIDER
    assert result.saml_available is True


async def test_precheck_bad_email_is_invalid_input(client: PostHogClient) -> None:
    with pytest.raises(InvalidInput) as caught:
        await client.precheck("not-an-email")
    assert caught.value.attr == "email"
    assert caught.value.status == 400


async def test_login_sends_csrf_and_login_referer(
    spied: PostHogClient, spy: SpyTransport, host: Host
) -> None:
    before = spied.auth_kind
    await spied.login(DEMO_EMAIL, PASSWORD)
    assert (before, spied.auth_kind) == ("none", "session")
    [page] = spy.find("GET", "/login")
    [post] = spy.find("POST", "/api/login")
    assert spy.sent.index(page) < spy.sent.index(post)
    assert post.headers["Referer"] == f"{host.app_url}/login"
    assert post.headers["X-CSRFToken"]
    assert f"posthog_csrftoken={post.headers['X-CSRFToken']}" in post.headers["Cookie"]
    assert "Authorization" not in post.headers
    # The password travels in the body only.
    assert DEMO_PASSWORD not in str(post.url)
    user = await spied.me()
    assert user.email == DEMO_EMAIL


async def test_session_writes_use_the_rotated_csrf_token_and_root_referer(
    spied: PostHogClient, spy: SpyTransport, host: Host
) -> None:
    await spied.login(DEMO_EMAIL, PASSWORD)
    [post] = spy.find("POST", "/api/login")
    before = post.headers["X-CSRFToken"]
    await spied.create_key("csrf check", ["user:read"])
    [create] = spy.find("POST", "/api/personal_api_keys/")
    assert create.headers["Referer"] == f"{host.app_url}/"
    # Login rotates the token (as Django does): the write must carry the new one.
    assert create.headers["X-CSRFToken"] != before
    assert f"posthog_csrftoken={create.headers['X-CSRFToken']}" in create.headers["Cookie"]


async def test_precheck_primes_csrf_so_login_needs_no_extra_round_trip(
    client: PostHogClient, server: DemoServer
) -> None:
    await client.precheck(DEMO_EMAIL)
    server.clear_requests_log()
    await client.login(DEMO_EMAIL, PASSWORD)
    assert server.requests_log == [("POST", "/api/login")]


async def test_wrong_password_is_invalid_credentials(client: PostHogClient) -> None:
    with pytest.raises(InvalidCredentials) as caught:
        await client.login(DEMO_EMAIL, Secret("wrong password"))
    error = caught.value
    assert error.code == "invalid_credentials"
    assert error.status == 400
    assert error.message == "Invalid email or password."
    assert "region" not in error.fix  # a self-hosted instance has no other region
    assert error.maybe_wrong_region
    assert client.auth_kind == "none"


async def test_wrong_password_on_a_cloud_host_names_the_other_region(server: DemoServer) -> None:
    async with PostHogClient(with_region(parse_host(server.url), "us")) as client:
        with pytest.raises(InvalidCredentials) as caught:
            await client.login(DEMO_EMAIL, Secret("wrong password"))
    assert caught.value.fix.endswith("your account may be in EU Cloud.")


async def test_unknown_user_is_invalid_credentials(client: PostHogClient) -> None:
    with pytest.raises(InvalidCredentials):
        await client.login("nobody@hedgehoglabs.example", PASSWORD)


async def test_missing_password_is_blank(client: PostHogClient) -> None:
    with pytest.raises(InvalidInput) as caught:
        await client.login(DEMO_EMAIL, Secret(""))
    assert caught.value.code == "blank"
    assert caught.value.attr == "password"


async def test_not_verified(client: PostHogClient) -> None:
    with pytest.raises(ApiError) as caught:
        await client.login(UNVERIFIED_EMAIL, PASSWORD)
    assert caught.value.code == "not_verified"
    assert "verif" in caught.value.message


async def test_sso_enforced_at_login(client: PostHogClient) -> None:
    with pytest.raises(SsoEnforced) as caught:
        await client.login(SSO_EMAIL, PASSWORD)
    assert caught.value.provider == SSO_PROVIDER
    assert "browser" in caught.value.fix


async def test_lockout_after_repeated_failures(client: PostHogClient) -> None:
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await client.login(DEMO_EMAIL, Secret("nope"))
    with pytest.raises(LockedOut) as caught:
        await client.login(DEMO_EMAIL, PASSWORD)
    assert caught.value.code == "too_many_failed_attempts"
    assert caught.value.status == 403
    assert "10 minutes" in caught.value.message


async def test_totp_login_and_remember_cookie(
    client: PostHogClient, server: DemoServer, host: Host, sleep: RecordingSleep
) -> None:
    with pytest.raises(SecondFactorRequired) as caught:
        await client.login(TOTP_EMAIL, PASSWORD)
    assert caught.value.kind == "totp"
    assert caught.value.code == "2fa_required"
    assert caught.value.status == 401
    before = client.auth_kind
    await client.login_token(server.current_totp(TOTP_EMAIL))
    assert (before, client.auth_kind) == ("none", "session")
    assert (await client.me()).email == TOTP_EMAIL

    remembered = client.remember_cookies()
    assert len(remembered) == 1
    [(name, value)] = remembered.items()
    assert name.startswith("remember-cookie_")
    assert isinstance(value, Secret)
    assert value.reveal() not in repr(remembered)

    # A later run hands the cookie back: the second factor is skipped.
    async with PostHogClient(host, remember_cookies=remembered, sleep=sleep) as again:
        await again.login(TOTP_EMAIL, PASSWORD)
        assert again.auth_kind == "session"
        assert (await again.me()).email == TOTP_EMAIL


async def test_backup_code_works_once(client: PostHogClient, server: DemoServer) -> None:
    code = server.backup_codes(TOTP_EMAIL)[0]
    with pytest.raises(SecondFactorRequired):
        await client.login(TOTP_EMAIL, PASSWORD)
    await client.login_token(code)
    assert client.auth_kind == "session"
    assert code not in server.backup_codes(TOTP_EMAIL)


async def test_wrong_totp_then_lockout(client: PostHogClient) -> None:
    with pytest.raises(SecondFactorRequired):
        await client.login(TOTP_EMAIL, PASSWORD)
    for _ in range(5):
        with pytest.raises(SecondFactorInvalid) as caught:
            await client.login_token("000000")
        assert caught.value.code == "2fa_invalid"
    with pytest.raises(LockedOut) as locked:
        await client.login_token("000000")
    assert locked.value.code == "2fa_too_many_attempts"


async def test_totp_expires_after_ten_minutes(client: PostHogClient, server: DemoServer) -> None:
    with pytest.raises(SecondFactorRequired):
        await client.login(TOTP_EMAIL, PASSWORD)
    server.clock.advance(601)
    with pytest.raises(LoginExpired) as caught:
        await client.login_token(server.current_totp(TOTP_EMAIL))
    assert caught.value.code == "2fa_expired"
    assert "again" in caught.value.fix


async def test_emailed_code_login(client: PostHogClient, server: DemoServer) -> None:
    with pytest.raises(SecondFactorRequired) as caught:
        await client.login(EMAIL_CODE_EMAIL, PASSWORD)
    assert caught.value.kind == "email"
    assert caught.value.code == "code_based_verification_required"
    assert EMAIL_CODE_EMAIL in caught.value.message
    code = server.last_emailed_code(EMAIL_CODE_EMAIL)
    assert code is not None
    await client.verify_email_code(EMAIL_CODE_EMAIL, code)
    assert client.auth_kind == "session"
    assert (await client.me()).email == EMAIL_CODE_EMAIL
    assert len(client.remember_cookies()) == 1


async def test_emailed_code_wrong_then_too_many(client: PostHogClient, server: DemoServer) -> None:
    with pytest.raises(SecondFactorRequired):
        await client.login(EMAIL_CODE_EMAIL, PASSWORD)
    right = server.last_emailed_code(EMAIL_CODE_EMAIL)
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(5):
        with pytest.raises(SecondFactorInvalid) as caught:
            await client.verify_email_code(EMAIL_CODE_EMAIL, wrong)
        assert caught.value.code == "invalid_code"
    with pytest.raises(LockedOut) as locked:
        await client.verify_email_code(EMAIL_CODE_EMAIL, wrong)
    assert locked.value.code == "too_many_attempts"


async def test_emailed_code_without_pending_login(client: PostHogClient) -> None:
    with pytest.raises(LoginExpired) as caught:
        await client.verify_email_code(EMAIL_CODE_EMAIL, "123456")
    assert caught.value.code == "no_pending_verification"


async def test_resend_is_limited_to_once_a_minute(
    client: PostHogClient, server: DemoServer
) -> None:
    with pytest.raises(SecondFactorRequired):
        await client.login(EMAIL_CODE_EMAIL, PASSWORD)
    first = server.last_emailed_code(EMAIL_CODE_EMAIL)
    with pytest.raises(Throttled) as caught:
        await client.resend_email_code(EMAIL_CODE_EMAIL)
    assert caught.value.code == "too_soon"
    server.clock.advance(61)
    await client.resend_email_code(EMAIL_CODE_EMAIL)
    second = server.last_emailed_code(EMAIL_CODE_EMAIL)
    assert second is not None
    if second != first:  # one time in a million the new random code equals the old one
        with pytest.raises(SecondFactorInvalid):
            await client.verify_email_code(EMAIL_CODE_EMAIL, first or "")
    await client.verify_email_code(EMAIL_CODE_EMAIL, second)
    assert client.auth_kind == "session"


async def test_login_post_is_never_retried(client: PostHogClient, server: DemoServer) -> None:
    server.faults.add("status", path="^/api/login$", status=502)
    with pytest.raises(Exception) as caught:
        await client.login(DEMO_EMAIL, PASSWORD)
    assert type(caught.value).__name__ == "ServerError"
    assert server.requests_log.count(("POST", "/api/login")) == 1


async def test_logout_forgets_everything(client: PostHogClient, server: DemoServer) -> None:
    with pytest.raises(SecondFactorRequired):
        await client.login(TOTP_EMAIL, PASSWORD)
    await client.login_token(server.current_totp(TOTP_EMAIL))
    assert client.remember_cookies()
    await client.logout()
    assert client.auth_kind == "none"
    assert client.remember_cookies() == {}
    assert ("POST", "/logout") in server.requests_log
    with pytest.raises(ApiError) as caught:
        await client.me()
    assert caught.value.code == "not_authenticated"


async def test_login_with_a_key_in_use_sends_no_key(
    host: Host, server: DemoServer, spy: SpyTransport
) -> None:
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key, transport=spy) as client:
        with pytest.raises(InvalidCredentials):
            await client.login(DEMO_EMAIL, Secret("wrong"))
        # A failed login leaves the key in use.
        before = client.auth_kind
        assert (await client.me()).email == DEMO_EMAIL
        await client.login(DEMO_EMAIL, PASSWORD)
        assert (before, client.auth_kind) == ("key", "session")
        assert client.personal_key is None
        # Key management needs the session, which now works.
        assert len(await client.list_keys()) == 4
    for request in spy.sent:
        if request.url.path.startswith(("/login", "/api/login")):
            assert "Authorization" not in request.headers


async def test_precheck_survives_a_broken_login_page(
    client: PostHogClient, server: DemoServer
) -> None:
    server.faults.add("status", path="^/login$", status=500)
    assert (await client.precheck(DEMO_EMAIL)).sso_enforcement is None
    # The login fetches the page again and goes through.
    await client.login(DEMO_EMAIL, PASSWORD)
    assert server.requests_log.count(("GET", "/login")) == 2
