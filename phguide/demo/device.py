"""PostHog's device flow: the code, the poll, and the `/cli/authorize` page that approves it."""

from __future__ import annotations

import html
import random
import secrets
from datetime import UTC, datetime
from typing import Final
from urllib.parse import parse_qs

from phguide.demo import totp
from phguide.demo.auth import CSRF_COOKIE, current_session, ensure_csrf_cookie, start_login
from phguide.demo.data import MAX_KEYS_PER_USER, DemoUser
from phguide.demo.state import CODE_TTL, DemoState, DeviceGrant
from phguide.demo.totp import same
from phguide.demo.wire import Request, Response, json_response, text_field, text_response

DEVICE_CODE_TTL: Final = 600
DEVICE_SCOPES: Final = (
    "user:read",
    "project:read",
    "organization:read",
    "feature_flag:read",
    "insight:read",
    "query:read",
    "event_definition:read",
    "property_definition:read",
)
"""What a key approved in the browser may do (it is also scoped to one project)."""
CLI_SCOPES: Final = (
    "event_definition:read",
    "property_definition:read",
    "error_tracking:read",
    "error_tracking:write",
)
"""The fixed grant of one PostHog version's `cli_auth.py`: nothing phguide can read with."""
AGENT_CLI_SCOPES: Final = ("user:read", "project:read", *CLI_SCOPES)
"""The `agent-cli` use case's scopes, as the newer approval page offers them as tick boxes."""
_LETTERS: Final = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels: no accidental words in a code


class DeviceError(ValueError):
    """An approval that cannot go through; the message is shown on the page."""


def _user_code(rng: random.Random | None = None) -> str:
    """A code like ``BCDF-0123``, from `secrets` unless a seeded generator is given."""
    choice = secrets.choice if rng is None else rng.choice
    below = secrets.randbelow if rng is None else rng.randrange
    letters = "".join(choice(_LETTERS) for _ in range(4))
    return f"{letters}-{below(10_000):04d}"


def normalize_user_code(text: str) -> str:
    """``abcd 1234`` -> ``ABCD-1234``: what people type is forgiven."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else text.strip().upper()


def device_code(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/cli-auth/device-code/`: a new code for the terminal to show."""
    grant = DeviceGrant(
        device_code=secrets.token_urlsafe(32),
        user_code=_user_code(state.data.random),
        expires_at=state.now() + DEVICE_CODE_TTL,
        interval=state.device_interval,
    )
    state.devices[grant.device_code] = grant
    uri = f"{req.base_url}/cli/authorize"
    return json_response(
        200,
        {
            "device_code": grant.device_code,
            "user_code": grant.user_code,
            "verification_uri": uri,
            "verification_uri_complete": f"{uri}?code={grant.user_code}{state.data.approval_query}",
            "expires_in": DEVICE_CODE_TTL,
            "interval": grant.interval,
        },
    )


def poll(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/cli-auth/poll/`: pending, the key (once), or expired."""
    code = text_field(req.json(), "device_code")
    grant = state.devices.get(code)
    expired = json_response(400, {"status": "expired", "error": "expired_token"})
    if grant is None:
        return expired
    if state.now() > grant.expires_at and grant.key_value is None:
        del state.devices[code]
        return expired
    if grant.key_value is None:
        return json_response(202, {"status": "pending"})
    # Handed out once: the server forgets the plain value with this answer.
    del state.devices[code]
    answer: dict[str, object] = {
        "status": "authorized",
        "personal_api_key": grant.key_value,
        "label": grant.label,
        "project_id": str(grant.project_id),
    }
    if state.device_poll_scopes:
        answer["scopes"] = grant.scopes
    return json_response(200, answer)


def granted_scopes(state: DemoState, chosen: list[str] | None) -> list[str]:
    """What an approval grants: the ticked boxes, else this version's default.

    Raises:
        DeviceError: A scope the approval page does not offer (`invalid_scope`).
    """
    if chosen is None:
        return list(CLI_SCOPES if state.device_scopes == "narrow" else DEVICE_SCOPES)
    offered = set(AGENT_CLI_SCOPES) | set(DEVICE_SCOPES)
    unknown = [scope for scope in chosen if scope not in offered]
    if unknown or not chosen:
        raise DeviceError("Pick at least one of the scopes offered (invalid_scope).")
    return list(dict.fromkeys(chosen))


def approve(
    state: DemoState,
    user_code: str,
    email: str,
    project_id: int,
    scopes: list[str] | None = None,
) -> DeviceGrant:
    """Approve a pending code for a user and project: creates the project-scoped key.

    Args:
        scopes: The scopes ticked on the page; None for this version's default grant.

    Raises:
        DeviceError: Unknown or expired code, unknown user, a project the user cannot see,
            a scope not offered, or the user already has the maximum number of keys.
    """
    granted = granted_scopes(state, scopes)
    wanted = normalize_user_code(user_code)
    grant = next((g for g in state.devices.values() if g.user_code == wanted), None)
    if grant is None or state.now() > grant.expires_at:
        raise DeviceError("This code is not valid or has expired. Start again in your terminal.")
    if grant.key_value is not None:
        raise DeviceError("This code has already been approved.")
    user = state.data.user(email)
    if user is None:
        raise DeviceError(f"There is no user {email}.")
    project = state.data.projects.get(project_id)
    if project is None or project.org_id not in user.memberships:
        raise DeviceError("You do not have access to that project.")
    if len(state.data.user_keys(user.email)) >= MAX_KEYS_PER_USER:
        raise DeviceError(
            f"You can only have {MAX_KEYS_PER_USER} personal API keys. "
            "Remove an existing key before creating a new one."
        )
    day = datetime.fromtimestamp(state.now(), UTC).strftime("%Y-%m-%d")
    label = f"CLI - {project.name} - {day}"
    _, value = state.data.create_key(
        user, label, granted, scoped_teams=[project.id], created_at=state.now()
    )
    grant.approved_by = user.email
    grant.key_value = value
    grant.label = label
    grant.project_id = project.id
    grant.scopes = granted
    state.notify(f"device code {grant.user_code} approved by {user.email} for {project.name}")
    return grant


# -- the approval page ------------------------------------------------------------------------
_STYLE: Final = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;"
    "color:#151515}label{display:block;margin:.8rem 0 .2rem}input,select{width:100%;"
    "padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1.2rem;padding:.6rem "
    "1.2rem;font-size:1rem;background:#f54e00;color:#fff;border:0;border-radius:4px}"
    ".error{color:#b00020}.note{color:#555;font-size:.9rem}code{font-size:1.2rem}"
)


def _page(status: int, title: str, body: str) -> Response:
    return text_response(
        status,
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        "text/html",
    )


def _field(label: str, name: str, value: str = "", kind: str = "text") -> str:
    return (
        f"<label for='{name}'>{html.escape(label)}</label>"
        f"<input id='{name}' name='{name}' type='{kind}' value='{html.escape(value, quote=True)}'>"
    )


def _signin_form(token: str, code: str, email: str = "", message: str = "") -> str:
    note = f"<p class='error'>{html.escape(message)}</p>" if message else ""
    return (
        f"<p>Sign in to approve the terminal that shows this code.</p>{note}"
        "<form method='post' action='/cli/authorize'>"
        f"<input type='hidden' name='csrfmiddlewaretoken' value='{token}'>"
        "<input type='hidden' name='step' value='signin'>"
        + _field("Code shown in your terminal", "code", code)
        + _field("Email", "email", email, "email")
        + _field("Password", "password", "", "password")
        + _field("Authenticator, backup or emailed code (if your account needs one)", "otp")
        + "<p class='note'>This demo page stands in for PostHog's sign-in, including SSO.</p>"
        "<button type='submit'>Continue</button></form>"
    )


def _approve_form(
    state: DemoState, token: str, code: str, user: DemoUser, message: str = ""
) -> str:
    note = f"<p class='error'>{html.escape(message)}</p>" if message else ""
    groups = []
    for org_id in user.memberships:
        org = state.data.orgs[org_id]
        options = "".join(
            f"<option value='{pid}'{' selected' if pid == user.current_team_id else ''}>"
            f"{html.escape(state.data.projects[pid].name)}</option>"
            for pid in state.data.org_project_ids(org_id)
        )
        groups.append(f"<optgroup label='{html.escape(org.name, quote=True)}'>{options}</optgroup>")
    return (
        f"<p>Signed in as <b>{html.escape(user.email)}</b> "
        "(<a href='/logout'>not you?</a>).</p>"
        f"{note}<form method='post' action='/cli/authorize'>"
        f"<input type='hidden' name='csrfmiddlewaretoken' value='{token}'>"
        "<input type='hidden' name='step' value='approve'>"
        + _field("Code shown in your terminal", "code", code)
        + "<label for='project'>Project the key may use</label>"
        f"<select id='project' name='project'>{''.join(groups)}</select>"
        + _scope_boxes(state)
        + "<p class='note'>Approving creates a personal API key, scoped to this project, "
        "that counts toward your limit of 10 keys.</p>"
        "<button type='submit'>Approve</button></form>"
    )


def _scope_boxes(state: DemoState) -> str:
    """The newer page's tick boxes (narrow mode): `user:read` and `project:read` start unticked,
    as a user who untick them leaves them; ticking them gives phguide what it reads."""
    if state.device_scopes != "narrow":
        return ""
    boxes = "".join(
        f"<label><input type='checkbox' name='scope' value='{scope}'"
        f"{' checked' if scope in CLI_SCOPES else ''}> {scope}</label>"
        for scope in AGENT_CLI_SCOPES
    )
    return f"<fieldset><legend>What the key may do</legend>{boxes}</fieldset>"


def _chosen_scopes(state: DemoState, req: Request) -> list[str] | None:
    if state.device_scopes != "narrow":
        return None
    form = parse_qs(req.body.decode("utf-8", "replace"))
    return form.get("scope", [])


def authorize_page(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET|POST /cli/authorize`: sign in, pick a project, approve."""
    session = current_session(state, req)
    user = state.data.user(session.email) if session and session.email else None
    if req.method == "GET":
        response = _page(200, "Authorize phguide", "")
        token = ensure_csrf_cookie(state, req, response)
        code = req.param("code") or ""
        body = _approve_form(state, token, code, user) if user else _signin_form(token, code)
        page = _page(200, "Authorize phguide", body)
        page.cookies = response.cookies
        return page
    form = req.json()
    cookie = req.cookies.get(CSRF_COOKIE, "")
    sent = str(form.get("csrfmiddlewaretoken", ""))
    if not (cookie and cookie in state.csrf_tokens and same(cookie, sent)):
        return _page(
            403, "Forbidden", "<p>CSRF verification failed. Reload the page and try again.</p>"
        )
    code = str(form.get("code", ""))
    if form.get("step") == "approve" and user is not None:
        try:
            project_id = int(str(form.get("project", "")))
            approve(state, code, user.email, project_id, _chosen_scopes(state, req))
        except (DeviceError, ValueError) as error:
            return _page(
                400, "Authorize phguide", _approve_form(state, cookie, code, user, str(error))
            )
        return _page(
            200,
            "Approved",
            "<p>phguide is approved. You can close this tab and return to your terminal.</p>",
        )
    return _sign_in(state, req, form, cookie, code)


def _sign_in(
    state: DemoState, req: Request, form: dict[str, object], token: str, code: str
) -> Response:
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    otp = str(form.get("otp", "")).strip()
    user = state.data.user(email)

    def again(message: str) -> Response:
        return _page(400, "Authorize phguide", _signin_form(token, code, email, message))

    if user is None or not user.check_password(password):
        return again("Invalid email or password.")
    if not user.is_email_verified:
        return again("Your account is awaiting verification. Check your email.")
    if user.second_factor == "totp":
        secret = user.totp_secret or ""
        if not otp:
            return again("Enter the code from your authenticator app (or a backup code).")
        if otp in user.backup_codes:
            user.backup_codes.remove(otp)
        elif not totp.verify(secret, otp, state.now()):
            return again("Invalid authentication code.")
    elif user.second_factor == "email":
        sent, sent_at = state.page_codes.get(user.email, ("", 0.0))
        if not otp or state.now() > sent_at + CODE_TTL:
            fresh = f"{secrets.randbelow(1_000_000):06d}"
            state.page_codes[user.email] = (fresh, state.now())
            state.emailed[user.email] = fresh
            state.notify(f"emailed sign-in code for {user.email}: {fresh}")
            return again(f"We emailed a 6-digit code to {user.email}. Enter it and continue.")
        if not same(otp, sent):
            return again("That code is not valid.")
        state.page_codes.pop(user.email, None)
    response = _page(200, "Authorize phguide", "")
    _, new_token = start_login(state, req, response, user)
    page = _page(200, "Authorize phguide", _approve_form(state, new_token, code, user))
    page.cookies = response.cookies
    return page
