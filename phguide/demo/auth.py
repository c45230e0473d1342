"""Sessions, CSRF, personal-key authentication and the password login with its second factors."""

from __future__ import annotations

import html
import secrets
import uuid
from dataclasses import dataclass
from typing import Final

from phguide.demo import totp
from phguide.demo.data import ADMIN, DemoKey, DemoOrg, DemoProject, DemoUser
from phguide.demo.state import (
    CODE_MAX_ATTEMPTS,
    CODE_TTL,
    LOCKOUT_FAILURES,
    LOCKOUT_SECONDS,
    REAUTH_WINDOW,
    REMEMBER_AGE,
    RESEND_INTERVAL,
    SECOND_FACTOR_TIMEOUT,
    SESSION_AGE,
    DemoState,
    RateWindow,
    Session,
)
from phguide.demo.totp import same
from phguide.demo.wire import (
    ApiError,
    Request,
    Response,
    blocked,
    invalid,
    json_response,
    not_authenticated,
    permission_denied,
    text_field,
    text_response,
    throttled,
)

CSRF_COOKIE: Final = "posthog_csrftoken"
SESSION_COOKIE: Final = "sessionid"
REMEMBER_PREFIX: Final = "remember-cookie_"
WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

KEY_NOT_SUPPORTED: Final = "This action does not support Personal API Key access"
SCOPED_PROJECTS_ONLY: Final = (
    "API key with scoped projects are only supported on project-based views."
)


@dataclass
class Caller:
    """Who is calling: a user through a session or through one of their personal keys."""

    user: DemoUser
    key: DemoKey | None = None
    session: Session | None = None


# -- CSRF and sessions ------------------------------------------------------------------------
def check_csrf(state: DemoState, req: Request) -> None:
    """Django's check: the `X-CSRFToken` header equals the `posthog_csrftoken` cookie.

    Raises:
        ApiError: 403, as DRF words a CSRF failure.
    """
    cookie = req.cookies.get(CSRF_COOKIE, "")
    header = req.headers.get("x-csrftoken", "")
    if not (cookie and header and same(cookie, header) and cookie in state.csrf_tokens):
        raise permission_denied("CSRF Failed: CSRF token missing or incorrect.")


def check_login_csrf(state: DemoState, req: Request) -> None:
    """CSRF on the login calls, which PostHog exempts: the demo is stricter when it can be.

    A client that holds the CSRF or session cookie (as phguide's does after `GET /login`) must
    send the matching `X-CSRFToken`; a bare `curl` with no cookies is let through, as PostHog does.
    """
    cookies = req.cookies
    if state.login_csrf and (CSRF_COOKIE in cookies or SESSION_COOKIE in cookies):
        check_csrf(state, req)


def ensure_csrf_cookie(state: DemoState, req: Request, response: Response) -> str:
    """Set the CSRF cookie (keeping a valid one the client already has); returns the token."""
    token = req.cookies.get(CSRF_COOKIE, "")
    if token not in state.csrf_tokens:
        token = state.new_csrf_token()
    response.set_cookie(CSRF_COOKIE, token, max_age=31_449_600)
    return token


def current_session(state: DemoState, req: Request) -> Session | None:
    """The session of the request's `sessionid` cookie, if the server knows it."""
    sid = req.cookies.get(SESSION_COOKIE)
    return state.sessions.get(sid) if sid else None


def start_login(
    state: DemoState, req: Request, response: Response, user: DemoUser
) -> tuple[Session, str]:
    """Log a user in: a fresh session id (no fixation) and a rotated CSRF token, as Django does.

    Returns:
        The new session and the new CSRF token.
    """
    old = current_session(state, req)
    if old is not None:
        state.sessions.pop(old.id, None)
    session = state.new_session(user.email)
    response.set_cookie(SESSION_COOKIE, session.id, max_age=SESSION_AGE, http_only=True)
    state.csrf_tokens.discard(req.cookies.get(CSRF_COOKIE, ""))
    token = state.new_csrf_token()
    response.set_cookie(CSRF_COOKIE, token, max_age=31_449_600)
    return session, token


def _pending_session(state: DemoState, req: Request, response: Response) -> Session:
    """The anonymous session that carries a half-done login to its second step."""
    session = current_session(state, req)
    if session is None or session.email is not None:
        session = state.new_session()
        response.set_cookie(SESSION_COOKIE, session.id, max_age=SESSION_AGE, http_only=True)
    return session


def _remember(state: DemoState, response: Response, user: DemoUser) -> None:
    token = secrets.token_urlsafe(32)
    state.remember[token] = (user.email, state.now() + REMEMBER_AGE)
    response.set_cookie(
        f"{REMEMBER_PREFIX}{uuid.uuid4()}",
        token,
        max_age=REMEMBER_AGE,
        http_only=True,
        same_site="Strict",
    )


def _remembered(state: DemoState, req: Request, user: DemoUser) -> bool:
    now = state.now()
    for name, value in req.cookies.items():
        if name.startswith(REMEMBER_PREFIX):
            email, expires = state.remember.get(value, ("", 0.0))
            if email == user.email and expires > now:
                return True
    return False


# -- who is calling ---------------------------------------------------------------------------
def scope_allows(scopes: list[str], needed: str) -> bool:
    """True when a key's scopes grant `needed` (`*` grants all; `write` implies `read`)."""
    if "*" in scopes:
        return True
    if not scopes:
        return False  # no scopes is no access (PostHog since 2026-03)
    obj, _, action = needed.partition(":")
    return needed in scopes or (action == "read" and f"{obj}:write" in scopes)


def _bearer(req: Request) -> str | None:
    header = req.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    # PostHog also reads the key from the query string or the body; phguide never sends it there.
    from_query = req.param("personal_api_key")
    if from_query:
        return from_query
    if req.method in WRITE_METHODS and b"personal_api_key" in req.body:
        try:
            value = req.json().get("personal_api_key")
        except ApiError:
            return None
        return value if isinstance(value, str) else None
    return None


def authenticate(
    state: DemoState, req: Request, *, scope: str | None = None, allow_key: bool = True
) -> Caller:
    """Resolve the caller and check what every authenticated view checks.

    Args:
        state: Server state.
        req: The request.
        scope: The scope a personal key needs here (``project:read``); None for none.
        allow_key: False where a personal key may not be used at all.

    Raises:
        ApiError: 401 for no or bad credentials, 403 for CSRF, a missing scope or a key where
            keys are not supported, 429 when the key is over its rate limit.
    """
    token = _bearer(req)
    if token is not None:
        key = state.data.find_key(token)
        user = state.data.user(key.user_email) if key else None
        if key is None or user is None:
            raise ApiError(
                401,
                "authentication_error",
                "authentication_failed",
                "Personal API key found in request Authorization header is invalid.",
            )
        per_minute, per_hour = state.rate_limits
        window = state.rates.setdefault(key.id, RateWindow())
        wait = window.check(state.now(), per_minute, per_hour)
        if wait is not None:
            raise throttled(wait)
        if user.email in state.blocked:
            raise blocked(401)
        key.last_used_at = state.now()
        if not allow_key:
            if state.key_refusal_status == 401:
                # Newer PostHog refuses a personal key on key management with 401.
                raise ApiError(
                    401, "authentication_error", "authentication_failed", KEY_NOT_SUPPORTED
                )
            raise permission_denied(KEY_NOT_SUPPORTED)
        if scope is not None and not scope_allows(key.scopes, scope):
            raise permission_denied(f"API key missing required scope '{scope}'")
        return Caller(user, key=key)
    session = current_session(state, req)
    user = state.data.user(session.email) if session and session.email else None
    if session is None or user is None:
        raise not_authenticated()
    if user.email in state.blocked:
        raise blocked(401)
    if req.method in WRITE_METHODS:
        check_csrf(state, req)
    _check_enforced_2fa(state, req, user)
    return Caller(user, session=session)


def _check_enforced_2fa(state: DemoState, req: Request, user: DemoUser) -> None:
    """An organization that enforces 2FA refuses sessions of users without it (not `@me`)."""
    project = state.data.projects.get(user.current_team_id or -1)
    org = state.data.orgs.get(project.org_id) if project else None
    if org and org.enforce_2fa and user.second_factor != "totp" and "/users/@me" not in req.path:
        raise ApiError(
            403,
            "authentication_error",
            "two_factor_setup_required",
            "Your organization requires two-factor authentication.",
        )


def require_recent_login(state: DemoState, caller: Caller) -> None:
    """Key writes need a login under two hours old (PostHog's `TimeSensitiveActionPermission`)."""
    if caller.session is None or state.now() - caller.session.login_at > REAUTH_WINDOW:
        raise ApiError(
            403,
            "authentication_error",
            "sensitive_action_required_reauth",
            "This action requires you to be recently authenticated.",
        )


def forbidden_org_detail(org: DemoOrg) -> str:
    """The 403 detail for a member's key on an organization that forbids personal keys."""
    return (
        f"Organization '{org.name}' does not allow using personal API keys. "
        "Contact an admin to enable personal API keys for this organization."
    )


def check_org_access(state: DemoState, caller: Caller, org: DemoOrg, *, org_view: bool) -> None:
    """Membership, key scoping and the organization's personal-key setting.

    Args:
        org_view: True for an organization-level view, where project-scoped keys are refused.

    Raises:
        ApiError: 404 for an organization the user is not in, 403 for the key rules.
    """
    level = caller.user.memberships.get(org.id)
    if level is None:
        raise ApiError(404, "invalid_request", "not_found", "Not found.")
    key = caller.key
    if key is None:
        return
    if org_view and key.scoped_teams:
        raise permission_denied(SCOPED_PROJECTS_ONLY)
    if key.scoped_organizations and org.id not in key.scoped_organizations:
        raise permission_denied(
            f"API key does not have access to the requested organization: ID {org.id}."
        )
    if not org.members_can_use_personal_api_keys and level < ADMIN:
        raise permission_denied(forbidden_org_detail(org))


def check_project_access(state: DemoState, caller: Caller, project: DemoProject) -> None:
    """What a project-level view checks; see `check_org_access`."""
    org = state.data.orgs[project.org_id]
    if caller.user.memberships.get(org.id) is None:
        raise permission_denied("You don't have access to the project.")
    key = caller.key
    if key is not None and key.scoped_teams and project.id not in key.scoped_teams:
        raise permission_denied(
            f"API key does not have access to the requested project: ID {project.id}."
        )
    check_org_access(state, caller, org, org_view=False)


# -- pages and login calls --------------------------------------------------------------------
def login_page(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET /login`: a page, and the CSRF cookie the API login needs."""
    response = text_response(200, "", "text/html")
    ensure_csrf_cookie(state, req, response)
    response.body = (
        "<!doctype html><html><head><title>PostHog (phguide demo)</title></head><body>"
        "<h1>phguide demo PostHog</h1><p>This is the embedded demo server. Sign in from "
        "<code>phguide --demo</code>, or approve a terminal at "
        '<a href="/cli/authorize">/cli/authorize</a>.</p>'
        f"<p>{html.escape(state.data.region.upper())} region data set.</p></body></html>"
    ).encode()
    return response


def precheck(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/login/precheck`: does the email's domain enforce SSO?"""
    email = _email_field(req)
    domain = email.rpartition("@")[2].lower()
    return json_response(
        200,
        {
            "sso_enforcement": state.data.sso_domains.get(domain),
            "saml_available": domain in state.data.saml_domains,
        },
    )


def _email_field(req: Request) -> str:
    email = text_field(req.json(), "email").strip()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain):
        raise invalid("Enter a valid email address.", "email")
    return email


def login(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/login`: password, then maybe a second factor."""
    check_login_csrf(state, req)
    ip = req.client_ip
    if state.recent_failures(state.login_failures, ip, LOCKOUT_SECONDS) >= LOCKOUT_FAILURES:
        raise ApiError(
            403,
            "authentication_error",
            "too_many_failed_attempts",
            "Too many failed login attempts. Please try again in 10 minutes.",
        )
    email = _email_field(req)
    password = text_field(req.json(), "password")
    provider = state.data.sso_domains.get(email.rpartition("@")[2].lower())
    if provider:
        raise invalid(
            f"You can only login with SSO for this account ({provider}).", code="sso_enforced"
        )
    user = state.data.user(email)
    if user is not None and user.email in state.blocked:
        raise blocked(403)
    if user is None or not user.check_password(password):
        state.login_failures.setdefault(ip, []).append(state.now())
        raise invalid("Invalid email or password.", code="invalid_credentials")
    if not user.is_email_verified:
        raise invalid(
            "Your account is awaiting verification. "
            "Please check your email for a verification link.",
            code="not_verified",
        )
    response = json_response(200, {"success": True})
    if user.second_factor == "none" or _remembered(state, req, user):
        start_login(state, req, response, user)
        return response
    session = _pending_session(state, req, response)
    if user.second_factor == "totp":
        session.pending_2fa, session.pending_2fa_at = user.email, state.now()
        session.pending_code = None
        error = ApiError(401, "server_error", "2fa_required", "2FA is required.")
        if user.totp_secret:
            now_code = totp.totp(user.totp_secret, state.now())
            state.notify(f"2FA requested for {user.email}; the authenticator shows {now_code}")
    else:
        session.pending_2fa = None
        session.pending_code = user.email
        session.code_attempts = 0
        _send_code(state, session)
        # PostHog puts the address the code went to in `detail`.
        error = ApiError(
            401, "authentication_error", "code_based_verification_required", user.email
        )
    failed = error.response()
    failed.cookies = response.cookies
    return failed


def _send_code(state: DemoState, session: Session) -> None:
    email = session.pending_code or ""
    session.code = f"{secrets.randbelow(1_000_000):06d}"
    session.code_sent_at = state.now()
    state.emailed[email] = session.code
    state.notify(f"emailed sign-in code for {email}: {session.code}")


def login_token(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/login/token`: the TOTP or backup code after `2fa_required`."""
    check_login_csrf(state, req)
    session = current_session(state, req)
    expired = invalid("Login attempt has expired. Re-enter username/password.", code="2fa_expired")
    if session is None or session.pending_2fa is None:
        raise expired
    if state.now() > session.pending_2fa_at + SECOND_FACTOR_TIMEOUT:
        session.pending_2fa = None
        raise expired
    user = state.data.user(session.pending_2fa)
    if user is None:
        raise expired
    code = text_field(req.json(), "token").strip()
    if state.recent_failures(state.totp_failures, user.email, LOCKOUT_SECONDS) >= LOCKOUT_FAILURES:
        raise invalid("Too many attempts.", code="2fa_too_many_attempts")
    ok = user.totp_secret is not None and totp.verify(user.totp_secret, code, state.now())
    if not ok and code in user.backup_codes:
        user.backup_codes.remove(code)
        ok = True
    if not ok:
        state.totp_failures.setdefault(user.email, []).append(state.now())
        raise invalid("Invalid authentication code", code="2fa_invalid")
    state.totp_failures.pop(user.email, None)
    response = json_response(200, {"success": True})
    start_login(state, req, response, user)
    _remember(state, response, user)
    return response


def verify_code(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/login/code-based-verification/`: the emailed 6-digit code."""
    check_login_csrf(state, req)
    body = req.json()
    session = current_session(state, req)
    email = body.get("email")
    if (
        session is None
        or session.pending_code is None
        or (isinstance(email, str) and email.strip().lower() != session.pending_code.lower())
    ):
        raise invalid(
            "No pending verification. Please log in again.", code="no_pending_verification"
        )
    code = text_field(body, "code").strip()
    if session.code_attempts >= CODE_MAX_ATTEMPTS:
        session.pending_code = None
        raise invalid("Too many attempts. Please log in again.", code="too_many_attempts")
    fresh = state.now() <= session.code_sent_at + CODE_TTL
    if not (fresh and same(code, session.code)):
        session.code_attempts += 1
        raise invalid("Invalid or expired verification code.", "code", code="invalid_code")
    user = state.data.user(session.pending_code)
    if user is None:
        raise invalid(
            "No pending verification. Please log in again.", code="no_pending_verification"
        )
    response = json_response(200, {"success": True})
    start_login(state, req, response, user)
    _remember(state, response, user)
    return response


def resend_code(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/login/code-based-verification/resend/`: a new code, at most once a minute."""
    check_login_csrf(state, req)
    session = current_session(state, req)
    if session is None or session.pending_code is None:
        raise invalid(
            "No pending verification. Please log in again.", code="no_pending_verification"
        )
    if state.now() < session.code_sent_at + RESEND_INTERVAL:
        raise invalid("Please wait a minute before requesting another code.", code="too_soon")
    # The attempt budget deliberately survives a resend, as in PostHog.
    _send_code(state, session)
    return json_response(200, {"success": True})


def logout(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET|POST /logout`: end the session and go back to the login page."""
    session = current_session(state, req)
    if req.method == "POST" and session is not None:
        try:
            check_csrf(state, req)
        except ApiError as error:
            return error.response()
    if session is not None:
        state.sessions.pop(session.id, None)
    response = Response(302, b"", "text/html", headers=[("Location", "/login")])
    response.delete_cookie(SESSION_COOKIE)
    return response
