"""The contract's error tables (§2, §3, §5 authorize errors, §6, §6b), walked over real HTTP.

Each row is answered by the demo server with a `detail` no PostHog version ever wrote, so a
client that matched on wording instead of status and code would fail here.
"""

from __future__ import annotations

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import (
    AccessBlocked,
    ApiError,
    DeviceApprovalRefused,
    DeviceCodeExpired,
    InvalidCredentials,
    InvalidInput,
    LockedOut,
    LoginExpired,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PostHogError,
    ReauthRequired,
    SecondFactorInvalid,
    SecondFactorRequired,
    SsoEnforced,
    Throttled,
    TwoFactorEnforced,
)
from phguide.core.hosts import Host
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD

# (section, status, code, class) as the contract lists them.
CONTRACT: list[tuple[str, int, str, type[PostHogError]]] = [
    ("§2", 400, "invalid_credentials", InvalidCredentials),
    ("§2", 400, "required", InvalidInput),
    ("§2", 400, "blank", InvalidInput),
    ("§2", 400, "invalid_input", InvalidInput),
    ("§2", 400, "sso_enforced", SsoEnforced),
    ("§2", 400, "not_verified", ApiError),
    ("§2", 401, "2fa_required", SecondFactorRequired),
    ("§2", 401, "code_based_verification_required", SecondFactorRequired),
    ("§2", 401, "not_authenticated", NotAuthenticated),
    ("§2", 401, "authentication_failed", NotAuthenticated),
    ("§2", 403, "too_many_failed_attempts", LockedOut),
    ("§2", 403, "access_blocked", AccessBlocked),
    ("§2", 401, "access_blocked", AccessBlocked),
    ("§2", 403, "permission_denied", PermissionDenied),
    ("§2", 403, "sensitive_action_required_reauth", ReauthRequired),
    ("§2", 403, "two_factor_setup_required", TwoFactorEnforced),
    ("§2", 403, "two_factor_verification_required", TwoFactorEnforced),
    ("§2", 404, "not_found", NotFound),
    ("§2", 429, "throttled", Throttled),
    ("§3", 400, "2fa_invalid", SecondFactorInvalid),
    ("§3", 400, "2fa_too_many_attempts", LockedOut),
    ("§3", 400, "2fa_expired", LoginExpired),
    ("§3", 400, "invalid_code", SecondFactorInvalid),
    ("§3", 400, "too_many_attempts", LockedOut),
    ("§3", 400, "no_pending_verification", LoginExpired),
    ("§3", 400, "too_soon", Throttled),
    ("§3", 429, "too_soon", Throttled),
    ("§5", 400, "expired_token", DeviceCodeExpired),
    ("§5", 400, "invalid_code", SecondFactorInvalid),
    ("§5", 400, "expired", DeviceCodeExpired),
    ("§5", 400, "already_authorized", DeviceApprovalRefused),
    ("§5", 400, "session_revoked", DeviceApprovalRefused),
    ("§5", 400, "invalid_project", DeviceApprovalRefused),
    ("§5", 403, "access_denied", DeviceApprovalRefused),
    ("§5", 400, "invalid_scope", DeviceApprovalRefused),
    ("§6", 400, "invalid_input", InvalidInput),
    ("§6", 403, "permission_denied", PermissionDenied),
    ("§6", 403, "sensitive_action_required_reauth", ReauthRequired),
    ("§6b", 400, "invalid_input", InvalidInput),
    ("§6b", 403, "permission_denied", PermissionDenied),
    ("§6b", 403, "sensitive_action_required_reauth", ReauthRequired),
]

UNHEARD_OF = "Zebra crossing wording that no PostHog version ever used."


@pytest.mark.parametrize(
    ("section", "status", "code", "cls"),
    CONTRACT,
    ids=[f"{row[0]}-{row[1]}-{row[2]}" for row in CONTRACT],
)
async def test_every_contract_code_has_a_typed_error_with_a_fix(
    host: Host, server: DemoServer, section: str, status: int, code: str, cls: type[ApiError]
) -> None:
    server.faults.add("error", r"^/api/users/@me", status=status, code=code, detail=UNHEARD_OF)
    key = Secret(server.issue_key(DEMO_EMAIL))
    async with PostHogClient(host, personal_key=key, retries=0) as client:
        with pytest.raises(PostHogError) as caught:
            await client.me()
    error = caught.value
    assert type(error) is cls, f"{section} {status} {code} became {type(error).__name__}"
    assert error.code == code
    assert error.status == status
    assert error.message.strip() and error.fix.strip()
    # The fix never repeats PostHog's (drifting) text back as advice.
    assert UNHEARD_OF not in error.fix


async def test_access_blocked_says_posthog_blocked_it_and_is_not_retried(
    host: Host, server: DemoServer
) -> None:
    server.state.blocked.add(DEMO_EMAIL)
    key = Secret(server.issue_key(DEMO_EMAIL))
    server.clear_requests_log()
    async with PostHogClient(host, personal_key=key, retries=2) as client:
        with pytest.raises(AccessBlocked) as caught:
            await client.me()
    assert caught.value.status == 401
    assert "blocked" in caught.value.message
    assert "support" in caught.value.fix.lower()
    # Not a bad key, not the other region, and asked once only.
    assert not caught.value.maybe_wrong_region
    assert server.requests_log == [("GET", "/api/users/@me/")]


async def test_access_blocked_on_login_is_403(host: Host, server: DemoServer) -> None:
    server.state.blocked.add(DEMO_EMAIL)
    async with PostHogClient(host) as client:
        with pytest.raises(AccessBlocked) as caught:
            await client.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))
    assert caught.value.status == 403


async def test_a_key_without_user_read_is_refused_by_code_not_wording(
    host: Host, server: DemoServer
) -> None:
    """A valid key lacking `user:read` gets 403 permission_denied: never NotAuthenticated."""
    key = Secret(server.issue_key(DEMO_EMAIL, scopes=["feature_flag:read"]))
    async with PostHogClient(host, personal_key=key) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.me()
    assert caught.value.status == 403
    assert caught.value.missing_scope == "user:read"


async def test_no_scopes_is_no_access(host: Host, server: DemoServer) -> None:
    """`scopes: []` means no access (PostHog since 2026-03), and the key says `[]`."""
    key = Secret(server.issue_key(DEMO_EMAIL, scopes=[]))
    async with PostHogClient(host, personal_key=key) as client:
        with pytest.raises(PermissionDenied):
            await client.me()
        assert (await client.current_key()).scopes == ()
