"""Password login, CSRF, second factors and lockouts (contract §2 and §3)."""

from __future__ import annotations

import pytest

from phguide.demo import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EMAIL_CODE_EMAIL,
    SSO_EMAIL,
    TOTP_EMAIL,
    UNVERIFIED_EMAIL,
    DemoServer,
)
from phguide.demo.totp import totp
from tests.demo.helpers import Http

CSRF_FAILED = "CSRF Failed: CSRF token missing or incorrect."


def test_login_page_sets_host_only_csrf_cookie(http: Http) -> None:
    reply = http.get("/login")
    assert reply.status == 200
    header = next(v for k, v in reply.headers.items() if k == "Set-Cookie")
    assert header.startswith("posthog_csrftoken=")
    assert "Domain" not in header and "Secure" not in header
    assert http.cookie("posthog_csrftoken")


@pytest.mark.parametrize("path", ["/api/login/precheck", "/api/login/precheck/"])
def test_precheck(http: Http, path: str) -> None:
    assert http.post(path, {"email": DEMO_EMAIL}).json() == {
        "sso_enforcement": None,
        "saml_available": False,
    }
    sso = http.post(path, {"email": SSO_EMAIL}).json()
    assert sso["sso_enforcement"] == "google-oauth2"
    # Enforcement is per domain: an unknown address there is told the same.
    assert http.post(path, {"email": "new@acme-sso.example"}).json()["sso_enforcement"]
    assert http.post(path, {}).error() == (400, "required", "email")


def test_password_login_gives_a_session_and_rotates_csrf(http: Http) -> None:
    http.get("/login")
    before = http.cookie("posthog_csrftoken")
    reply = http.post("/api/login", {"email": DEMO_EMAIL.upper(), "password": DEMO_PASSWORD})
    assert (reply.status, reply.json()) == (200, {"success": True})
    assert http.cookie("sessionid")
    after = http.cookie("posthog_csrftoken")
    assert after and after != before
    assert http.get("/api/users/@me/").json()["email"] == DEMO_EMAIL
    # The pre-login token is dead: a write that still sends it fails.
    stale = http.post(
        "/api/personal_api_keys/",
        {"label": "x", "scopes": ["*"]},
        headers={"X-CSRFToken": before or ""},
    )
    assert stale.error() == (403, "permission_denied", None)
    assert stale.json()["detail"] == CSRF_FAILED


def test_login_requires_csrf_once_the_client_holds_the_cookie(http: Http) -> None:
    http.get("/login")
    body = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    reply = http.post("/api/login", body, csrf=False)
    assert reply.error() == (403, "permission_denied", None)
    assert reply.json()["detail"] == CSRF_FAILED
    wrong = http.post("/api/login", body, headers={"X-CSRFToken": "nope"})
    assert wrong.status == 403
    assert http.post("/api/login", body).status == 200


def test_cookieless_login_answers_like_posthog(demo_server: DemoServer) -> None:
    # What `curl` sees: no cookie jar, so the error is about the password.
    reply = Http(demo_server.url).post("/api/login", {"email": DEMO_EMAIL, "password": "wrong"})
    assert reply.error() == (400, "invalid_credentials", None)
    assert reply.json()["detail"] == "Invalid email or password."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, (400, "required", "email")),
        ({"email": "", "password": "x"}, (400, "blank", "email")),
        ({"email": DEMO_EMAIL}, (400, "required", "password")),
        ({"email": DEMO_EMAIL, "password": ""}, (400, "blank", "password")),
        ({"email": "not-an-email", "password": "x"}, (400, "invalid_input", "email")),
        ({"email": "nobody@example.com", "password": "x"}, (400, "invalid_credentials", None)),
        ({"email": SSO_EMAIL, "password": DEMO_PASSWORD}, (400, "sso_enforced", None)),
        ({"email": UNVERIFIED_EMAIL, "password": DEMO_PASSWORD}, (400, "not_verified", None)),
    ],
)
def test_login_errors(http: Http, body: dict[str, str], expected: tuple[int, str, str]) -> None:
    http.get("/login")
    assert http.post("/api/login", body).error() == expected


def test_lockout_after_five_failures_for_ten_minutes(demo_server: DemoServer, http: Http) -> None:
    http.get("/login")
    wrong = {"email": DEMO_EMAIL, "password": "wrong"}
    for _ in range(5):
        assert http.post("/api/login", wrong).error()[1] == "invalid_credentials"
    right = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    locked = http.post("/api/login", right)
    assert locked.error() == (403, "too_many_failed_attempts", None)
    demo_server.clock.advance(601)
    assert http.post("/api/login", right).status == 200


def test_not_authenticated(http: Http) -> None:
    assert http.get("/api/users/@me/").error() == (401, "not_authenticated", None)


def test_totp_rfc6238_vector() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of the RFC's "12345678901234567890"
    assert totp(secret, 59, digits=8) == "94287082"
    assert totp(secret, 1111111109, digits=8) == "07081804"


def _start_2fa(http: Http) -> None:
    http.get("/login")
    reply = http.login(TOTP_EMAIL)
    assert reply.error() == (401, "2fa_required", None)
    assert reply.json()["type"] == "server_error"
    assert http.get("/api/users/@me/").status == 401


def test_totp_login_and_remember_cookie(demo_server: DemoServer, http: Http) -> None:
    _start_2fa(http)
    assert http.post("/api/login/token", {"token": "000000"}).error()[1] == "2fa_invalid"
    reply = http.post("/api/login/token", {"token": demo_server.current_totp(TOTP_EMAIL)})
    assert (reply.status, reply.json()) == (200, {"success": True})
    assert http.get("/api/users/@me/").json()["is_2fa_enabled"] is True
    remember = [c for name, c in http.cookies().items() if name.startswith("remember-cookie_")]
    assert len(remember) == 1
    assert remember[0].expires is not None  # 30 days, not a session cookie

    # A new client that carries only the remember cookie skips the second factor.
    again = Http(demo_server.url)
    again.jar.set_cookie(remember[0])
    assert again.login(TOTP_EMAIL).status == 200


def test_backup_code_works_once(demo_server: DemoServer, http: Http) -> None:
    code = demo_server.backup_codes(TOTP_EMAIL)[0]
    _start_2fa(http)
    assert http.post("/api/login/token", {"token": code}).status == 200
    assert code not in demo_server.backup_codes(TOTP_EMAIL)
    other = Http(demo_server.url)
    _start_2fa(other)
    assert other.post("/api/login/token", {"token": code}).error()[1] == "2fa_invalid"


def test_totp_too_many_attempts(demo_server: DemoServer, http: Http) -> None:
    _start_2fa(http)
    for _ in range(5):
        assert http.post("/api/login/token", {"token": "000000"}).error()[1] == "2fa_invalid"
    good = demo_server.current_totp(TOTP_EMAIL)
    reply = http.post("/api/login/token", {"token": good})
    assert reply.error() == (400, "2fa_too_many_attempts", None)


def test_totp_expires_after_600_seconds(demo_server: DemoServer, http: Http) -> None:
    _start_2fa(http)
    demo_server.clock.advance(601)
    reply = http.post("/api/login/token", {"token": demo_server.current_totp(TOTP_EMAIL)})
    assert reply.error() == (400, "2fa_expired", None)


def test_token_without_a_pending_login(http: Http) -> None:
    http.get("/login")
    assert http.post("/api/login/token", {"token": "123456"}).error()[1] == "2fa_expired"


def test_second_factor_calls_need_csrf(demo_server: DemoServer, http: Http) -> None:
    _start_2fa(http)
    code = demo_server.current_totp(TOTP_EMAIL)
    assert http.post("/api/login/token", {"token": code}, csrf=False).status == 403


def _start_email_code(demo_server: DemoServer, http: Http) -> str:
    http.get("/login")
    reply = http.login(EMAIL_CODE_EMAIL)
    assert reply.error() == (401, "code_based_verification_required", None)
    assert reply.json()["detail"] == EMAIL_CODE_EMAIL
    code = demo_server.last_emailed_code(EMAIL_CODE_EMAIL)
    assert code is not None and len(code) == 6 and code.isdigit()
    return code


VERIFY = "/api/login/code-based-verification/"
RESEND = "/api/login/code-based-verification/resend/"


def test_email_code_login(demo_server: DemoServer, http: Http) -> None:
    code = _start_email_code(demo_server, http)
    wrong = "000000" if code != "000000" else "111111"
    assert http.post(VERIFY, {"code": wrong, "email": EMAIL_CODE_EMAIL}).error()[1] == (
        "invalid_code"
    )
    reply = http.post(VERIFY, {"code": code, "email": EMAIL_CODE_EMAIL})
    assert (reply.status, reply.json()) == (200, {"success": True})
    assert any(name.startswith("remember-cookie_") for name in http.cookies())
    assert http.get("/api/users/@me").json()["email"] == EMAIL_CODE_EMAIL


def test_email_code_too_many_attempts(demo_server: DemoServer, http: Http) -> None:
    code = _start_email_code(demo_server, http)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert http.post(VERIFY, {"code": wrong}).error()[1] == "invalid_code"
    assert http.post(VERIFY, {"code": code}).error() == (400, "too_many_attempts", None)
    assert http.post(VERIFY, {"code": code}).error()[1] == "no_pending_verification"


def test_email_code_resend_once_a_minute(demo_server: DemoServer, http: Http) -> None:
    first = _start_email_code(demo_server, http)
    assert http.post(RESEND).error() == (400, "too_soon", None)
    demo_server.clock.advance(61)
    assert http.post(RESEND).status == 200
    second = demo_server.last_emailed_code(EMAIL_CODE_EMAIL)
    assert second is not None
    if second != first:
        assert http.post(VERIFY, {"code": first}).error()[1] == "invalid_code"
    assert http.post(VERIFY, {"code": second}).status == 200


def test_email_code_expires(demo_server: DemoServer, http: Http) -> None:
    code = _start_email_code(demo_server, http)
    demo_server.clock.advance(601)
    assert http.post(VERIFY, {"code": code}).error()[1] == "invalid_code"


def test_no_pending_verification(http: Http) -> None:
    http.get("/login")
    assert http.post(VERIFY, {"code": "123456", "email": DEMO_EMAIL}).error() == (
        400,
        "no_pending_verification",
        None,
    )
    assert http.post(RESEND).error()[1] == "no_pending_verification"


def test_logout_ends_the_session(session: Http) -> None:
    assert session.post("/logout").status == 302
    assert session.get("/api/users/@me/").status == 401


def test_odd_inputs_are_400s_not_500s(demo_server: DemoServer, http: Http) -> None:
    _start_2fa(http)
    assert http.post("/api/login/token", {"token": "١٢٣٤٥٦"}).error()[1] == "2fa_invalid"
    assert http.post("/api/login/token", {"token": ["1"]}).error() == (
        400,
        "invalid_input",
        "token",
    )
    assert http.post("/api/login/token", {"token": 123456}).error()[1] == "2fa_invalid"
    assert http.post("/api/login/precheck", {"email": True}).error()[0] == 400
    other = Http(demo_server.url)
    other.get("/login")
    reply = other.post(
        "/api/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}, headers={"X-CSRFToken": "é"}
    )
    assert reply.status == 403
