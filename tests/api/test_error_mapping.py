"""Every code of the contract's error table maps to a typed error with a message and a fix."""

from __future__ import annotations

import pytest

from phguide.api.errors import (
    ApiError,
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
    ServerError,
    SsoEnforced,
    Throttled,
    TwoFactorEnforced,
    clean_text,
    error_for_response,
)

SERVER = "posthog.example.com"


def body(
    code: str, detail: str = "Some detail.", attr: str | None = None, kind: str = "x"
) -> dict[str, object]:
    return {"type": kind, "code": code, "detail": detail, "attr": attr}


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "invalid_credentials", InvalidCredentials),
        (400, "required", InvalidInput),
        (400, "blank", InvalidInput),
        (400, "invalid_input", InvalidInput),
        (400, "sso_enforced", SsoEnforced),
        (400, "not_verified", ApiError),
        (401, "2fa_required", SecondFactorRequired),
        (401, "code_based_verification_required", SecondFactorRequired),
        (401, "not_authenticated", NotAuthenticated),
        (401, "authentication_failed", NotAuthenticated),
        (403, "too_many_failed_attempts", LockedOut),
        (403, "permission_denied", PermissionDenied),
        (403, "sensitive_action_required_reauth", ReauthRequired),
        (403, "two_factor_setup_required", TwoFactorEnforced),
        (403, "two_factor_verification_required", TwoFactorEnforced),
        (404, "not_found", NotFound),
        (429, "throttled", Throttled),
        (400, "2fa_invalid", SecondFactorInvalid),
        (400, "2fa_too_many_attempts", LockedOut),
        (400, "2fa_expired", LoginExpired),
        (400, "invalid_code", SecondFactorInvalid),
        (400, "too_many_attempts", LockedOut),
        (400, "no_pending_verification", LoginExpired),
        (400, "too_soon", Throttled),
        (429, "too_soon", Throttled),
        (400, "expired_token", DeviceCodeExpired),
    ],
)
def test_every_contract_code(status: int, code: str, cls: type[PostHogError]) -> None:
    error = error_for_response(status, body(code), server=SERVER)
    assert type(error) is cls
    assert error.code == code
    assert error.status == status
    assert error.message and error.fix
    assert error.message.endswith((".", "!", "?"))
    assert str(error) == error.message


def test_second_factor_kinds() -> None:
    totp = error_for_response(401, body("2fa_required", kind="server_error"), server=SERVER)
    email = error_for_response(
        401, body("code_based_verification_required", "eli@example.com"), server=SERVER
    )
    assert isinstance(totp, SecondFactorRequired) and totp.kind == "totp"
    assert isinstance(email, SecondFactorRequired) and email.kind == "email"
    assert email.message == "PostHog emailed a 6-digit sign-in code to eli@example.com."


def test_sso_provider_from_the_detail() -> None:
    detail = "You can only login with SSO for this account (github)."
    error = error_for_response(400, body("sso_enforced", detail), server=SERVER)
    assert isinstance(error, SsoEnforced) and error.provider == "github"
    other = error_for_response(400, body("sso_enforced", "SSO only."), server=SERVER)
    assert isinstance(other, SsoEnforced) and other.provider == ""


@pytest.mark.parametrize(
    "detail",
    [
        "API key missing required scope 'project:read'",
        "This action does not support Personal API Key access",
        "Organization 'Acme' does not allow using personal API keys. Contact an admin to enable "
        "personal API keys for this organization.",
    ],
)
def test_permission_denied_speaks_posthogs_words(detail: str) -> None:
    error = error_for_response(403, body("permission_denied", detail), server=SERVER)
    assert error.message == detail


def test_permission_denied_generic_detail_gets_phguides_words() -> None:
    generic = "You do not have permission to perform this action."
    error = error_for_response(403, body("permission_denied", generic), server=SERVER)
    assert error.message == "PostHog refused this action."
    assert error.detail == generic


def test_throttled_retry_after_header_then_detail() -> None:
    detail = "Request was throttled. Expected available in 12 seconds."
    from_header = error_for_response(429, body("throttled", detail), server=SERVER, retry_after=3)
    from_detail = error_for_response(429, body("throttled", detail), server=SERVER)
    unknown = error_for_response(429, None, server=SERVER)
    assert isinstance(from_header, Throttled) and from_header.retry_after == 3
    assert isinstance(from_detail, Throttled) and from_detail.retry_after == 12
    assert "12 seconds" in from_detail.fix
    assert isinstance(unknown, Throttled) and unknown.retry_after is None


def test_validation_detail_names_the_field() -> None:
    error = error_for_response(
        400,
        body("invalid_input", "Invalid scope: nope", "scopes", "validation_error"),
        server=SERVER,
    )
    assert error.message == "Invalid scope: nope"
    assert error.attr == "scopes"
    required = error_for_response(
        400, body("required", "This field is required.", "label"), server=SERVER
    )
    assert required.message == "Label: This field is required."


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_never_carry_the_body(status: int) -> None:
    error = error_for_response(status, None, server=SERVER)
    assert isinstance(error, ServerError)
    assert error.message == f"The server at {SERVER} answered {status}."
    json_500 = error_for_response(status, body("error", "A server error occurred."), server=SERVER)
    assert isinstance(json_500, ServerError)


def test_unknown_codes_and_statuses() -> None:
    odd = error_for_response(409, body("conflict", "Already exists."), server=SERVER)
    assert type(odd) is ApiError and odd.message == "Already exists."
    bare = error_for_response(418, None, server=SERVER)
    assert bare.message == f"The server at {SERVER} answered 418."
    unknown_400 = error_for_response(
        400, body("weird", "Weird.", kind="validation_error"), server=SERVER
    )
    assert isinstance(unknown_400, InvalidInput)
    not_validation = error_for_response(
        400, body("weird", "Weird.", kind="invalid_request"), server=SERVER
    )
    assert type(not_validation) is ApiError


def test_repr_holds_no_text() -> None:
    error = error_for_response(403, body("permission_denied", "secret-ish words"), server=SERVER)
    assert repr(error) == "PermissionDenied(code='permission_denied', status=403)"


def test_clean_text() -> None:
    assert clean_text("a\x00b\x1b[31mc\n\n  d") == "a b [31mc d"
    long = clean_text("x" * 1000)
    assert len(long) == 300 and long.endswith("…")
    key = "phx_" + "A1b2" * 9
    assert key not in clean_text(f"Key {key} is invalid")
    assert clean_text(f"Key {key} is invalid") == "Key phx_... is invalid"
    long_detail = error_for_response(400, body("invalid_input", "y" * 5000), server=SERVER)
    assert len(long_detail.message) <= 300
