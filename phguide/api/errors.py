"""Typed errors: every failure of PostHog, the network or the server, in words a user can act on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Final, TypedDict

from phguide.api.error_text import CODE_TEXT

_GENERIC_PERMISSION_DETAIL: Final = "You do not have permission to perform this action."
"""DRF's stock 403 text: PostHog's own wording is more specific whenever it differs."""

_DETAIL_LIMIT: Final = 300
"""Server text is cut to this many characters: a detail is a sentence, not a page."""

_TOKEN_PATTERN: Final = re.compile(r"\b(ph[cxsar]_)[A-Za-z0-9_-]{6,}")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES: Final = re.compile(r"\s+")
_SECONDS: Final = re.compile(r"(\d+(?:\.\d+)?)\s*seconds?")
_SSO_PROVIDER: Final = re.compile(r"\(([a-z0-9_-]+)\)\s*\.?\s*$", re.IGNORECASE)
_SCOPE_NAMED: Final = re.compile(r"'([a-z_]+:(?:read|write))'")


class PostHogError(Exception):
    """Anything that went wrong talking to PostHog, with a message and a fix.

    The exception text is the message only: it never holds a secret, HTML or a traceback.

    Args:
        message: What happened, in one sentence.
        fix: What the user can do about it.
        code: PostHog's error code, or phguide's own code for transport failures.
        status: The HTTP status, when there was a response.
        attr: The field a validation error is about.
        detail: PostHog's own text, already cleaned by `clean_text`.
    """

    def __init__(
        self,
        message: str,
        fix: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        attr: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        """What happened, in one sentence."""
        self.fix = fix
        """What the user can do about it."""
        self.code = code
        """PostHog's error `code`, or a phguide code for transport failures."""
        self.status = status
        """The HTTP status, when there was a response."""
        self.attr = attr
        """The field a validation error is about."""
        self.detail = detail
        """PostHog's own `detail` text (plain text, to be escaped before display)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r})"

    @property
    def acted(self) -> bool | None:
        """Whether the server did what was asked: False for an error answer (it refused).

        `TransportError` and `ServerError` say None when the answer was lost: the request
        may have been done, so a change must be checked by listing again.
        """
        return False

    @property
    def maybe_wrong_region(self) -> bool:
        """True when this failure is how a wrong region looks (bad password, unknown key)."""
        return self.code in ("invalid_credentials", "authentication_failed")


class ApiError(PostHogError):
    """PostHog answered with an error body `{"type", "code", "detail", "attr"}`."""


class InvalidCredentials(ApiError):
    """400 `invalid_credentials`: wrong email or password (or the other region)."""


class InvalidInput(ApiError):
    """400 `required`, `blank`, `invalid_input`: a field is missing or bad; see `attr`."""


class SecondFactorRequired(ApiError):
    """The password was right; a second factor is needed.

    `kind` is ``"totp"`` (authenticator or backup code: call `login_token`) or ``"email"``
    (emailed code: call `verify_email_code`).
    """

    def __init__(
        self,
        kind: str,
        message: str,
        fix: str,
        *,
        code: str | None = None,
        status: int | None = None,
        attr: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, fix, code=code, status=status, attr=attr, detail=detail)
        self.kind = kind
        """``"totp"`` or ``"email"``."""


class SecondFactorInvalid(ApiError):
    """`2fa_invalid` / `invalid_code`: the code was wrong; ask for it again."""


class LoginExpired(ApiError):
    """`2fa_expired` / `no_pending_verification`: start the sign-in again from the password."""


class LockedOut(ApiError):
    """Too many failed attempts (`too_many_failed_attempts`, `2fa_too_many_attempts`,
    `too_many_attempts`): sign-in is blocked for a while."""


class SsoEnforced(ApiError):
    """The account must sign in through SSO; `provider` names it when PostHog said which."""

    def __init__(
        self,
        provider: str,
        message: str,
        fix: str,
        *,
        code: str | None = None,
        status: int | None = None,
        attr: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, fix, code=code, status=status, attr=attr, detail=detail)
        self.provider = provider
        """`google-oauth2`, `github`, `gitlab`, `saml`, or empty when unknown."""


class NotAuthenticated(ApiError):
    """401 `not_authenticated` / `authentication_failed`: no session, or the key is not valid."""


class ReauthRequired(ApiError):
    """A key write needs a fresher sign-in (`sensitive_action_required_reauth`)."""


class PermissionDenied(ApiError):
    """403 `permission_denied`: missing scope, key not allowed here, or no access.

    The message is PostHog's own `detail` whenever it says more than DRF's stock text.
    """

    @property
    def missing_scope(self) -> str | None:
        """The scope PostHog named as missing, for wording only (never to decide a branch).

        Callers decide by status, code and which call failed; this only puts a name in the
        sentence when PostHog's text carries one.
        """
        match = _SCOPE_NAMED.search(self.detail or "")
        return match.group(1) if match else None


class SessionRequired(PermissionDenied):
    """A personal key called a call only a session may make (key management).

    Newer PostHog answers 401 there and older 403: both mean "sign in with a password", never
    "this key is invalid" (contract §2, §6).
    """

    @property
    def acted(self) -> bool | None:
        """Whether the server did what was asked: False for an error answer (it refused).

        `TransportError` and `ServerError` say None when the answer was lost: the request
        may have been done, so a change must be checked by listing again.
        """
        return False

    @property
    def maybe_wrong_region(self) -> bool:
        """Never: the key was accepted; only this call is closed to keys."""
        return False


class AccessBlocked(ApiError):
    """`access_blocked`: PostHog's security rules refused the request (403 on login, 401 on
    session and key requests). Not the user's credentials; not to be retried."""


class DeviceApprovalRefused(ApiError):
    """The browser approval page refused the code (`already_authorized`, `session_revoked`,
    `invalid_project`, `access_denied`, `invalid_scope`): start browser approval again."""


class TwoFactorEnforced(ApiError):
    """403 `two_factor_setup_required` / `two_factor_verification_required`."""


class NotFound(ApiError):
    """404 `not_found`."""


class Throttled(ApiError):
    """429 (or `too_soon`): `retry_after` is the wait in seconds, when PostHog said it."""

    def __init__(
        self,
        message: str,
        fix: str,
        *,
        retry_after: float | None,
        code: str | None = None,
        status: int | None = None,
        attr: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, fix, code=code, status=status, attr=attr, detail=detail)
        self.retry_after = retry_after
        """Seconds to wait before trying again, or None when PostHog did not say."""


class DeviceFlowUnsupported(PostHogError):
    """This instance does not offer browser approval (404 on the device-code call)."""


class DeviceCodeExpired(PostHogError):
    """The device code expired before the user approved it."""


class TransportError(PostHogError):
    """No usable answer: refused, timed out, TLS failed, dropped, or not PostHog's JSON."""

    NEVER_SENT: ClassVar[frozenset[str]] = frozenset({"proxy", "tls", "dns", "refused", "connect"})
    """Failures before the request left this machine: the server cannot have acted on it."""

    @property
    def acted(self) -> bool | None:
        """False when the request never left; None when it may have been done (answer lost)."""
        return False if self.code in self.NEVER_SENT else None


class ServerError(PostHogError):
    """The server (or a proxy in front of it) answered with a 5xx status."""

    @property
    def acted(self) -> bool | None:
        """A 5xx says nothing about whether the work was done before it failed."""
        return None


def bad_answer(status: int | None = None) -> TransportError:
    """The error for an answer that is not the JSON PostHog sends (a portal page, cut-off JSON).

    Args:
        status: The HTTP status of the answer, when there was one.
    """
    return TransportError(
        "PostHog sent an answer phguide does not understand.",
        "Check that the address points at PostHog itself, not another web app or a login "
        "portal. If it does, try again: the server may be mid-upgrade.",
        code="bad_response",
        status=status,
    )


def text_for_code(code: str | None) -> tuple[str, str] | None:
    """The default message and fix for a PostHog error code, if phguide knows it."""
    if code is None:
        return None
    return CODE_TEXT.get(code)


def clean_text(text: str, limit: int = _DETAIL_LIMIT) -> str:
    """Make server-supplied text safe to keep in an error: one line, short, no key values.

    Escaping for display stays the interface's job; this only removes what no screen or log
    should carry (control characters, runaway length, anything that looks like a key).

    Args:
        text: Text from a response body.
        limit: The longest result, in characters.

    Returns:
        The cleaned text.
    """
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    # A server that echoes a credential back must not get it into our messages or logs.
    text = _TOKEN_PATTERN.sub(lambda m: f"{m.group(1)}...", text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def seconds_in_detail(detail: str | None) -> float | None:
    """The N of PostHog's "Expected available in N seconds." (None when absent)."""
    if not detail:
        return None
    match = _SECONDS.search(detail)
    return float(match.group(1)) if match else None


_CLASS_FOR_CODE: Final[dict[str, type[ApiError]]] = {
    "invalid_credentials": InvalidCredentials,
    "required": InvalidInput,
    "blank": InvalidInput,
    "invalid_input": InvalidInput,
    "invalid": InvalidInput,
    "not_verified": ApiError,
    "not_authenticated": NotAuthenticated,
    "authentication_failed": NotAuthenticated,
    "too_many_failed_attempts": LockedOut,
    "2fa_too_many_attempts": LockedOut,
    "too_many_attempts": LockedOut,
    "2fa_invalid": SecondFactorInvalid,
    "invalid_code": SecondFactorInvalid,
    "2fa_expired": LoginExpired,
    "no_pending_verification": LoginExpired,
    "permission_denied": PermissionDenied,
    "sensitive_action_required_reauth": ReauthRequired,
    "two_factor_setup_required": TwoFactorEnforced,
    "two_factor_verification_required": TwoFactorEnforced,
    "not_found": NotFound,
    "access_blocked": AccessBlocked,
    "already_authorized": DeviceApprovalRefused,
    "session_revoked": DeviceApprovalRefused,
    "invalid_project": DeviceApprovalRefused,
    "access_denied": DeviceApprovalRefused,
    "invalid_scope": DeviceApprovalRefused,
}

_CLASS_FOR_STATUS: Final[dict[int, type[ApiError]]] = {
    400: InvalidInput,
    401: NotAuthenticated,
    403: PermissionDenied,
    404: NotFound,
}

_SERVER_FIX: Final = (
    "PostHog, or a proxy in front of it, is having trouble. Wait a minute and try again."
)
_STATUS_FIX: Final = "Check that the address points at PostHog. If it does, try again in a minute."


class _Extra(TypedDict):
    code: str | None
    status: int | None
    attr: str | None
    detail: str | None


def _text_field(body: Mapping[str, object], key: str) -> str | None:
    value = body.get(key)
    if isinstance(value, str) and value.strip():
        return clean_text(value)
    return None


def error_for_response(
    status: int,
    body: object,
    *,
    server: str,
    retry_after: float | None = None,
) -> PostHogError:
    """Turn an error answer into the typed error a screen can speak.

    Args:
        status: The HTTP status (400 or more).
        body: The parsed JSON body, or None when the body was not JSON (a proxy's HTML page).
        server: The host name the answer came from, for messages.
        retry_after: Seconds from a `Retry-After` header, if there was one.

    Returns:
        The error to raise: never holds HTML, a traceback or a secret.
    """
    fields: Mapping[str, object] = body if isinstance(body, Mapping) else {}
    code = _text_field(fields, "code")
    if code is None:
        # The device flow answers OAuth style: {"status": "expired", "error": "expired_token"}.
        code = _text_field(fields, "error")
    detail = _text_field(fields, "detail")
    attr = _text_field(fields, "attr")
    kind = _text_field(fields, "type")
    extra = _Extra(code=code, status=status, attr=attr, detail=detail)

    if status >= 500:
        # 2fa_required is typed server_error by PostHog but comes with 401, so the status decides.
        return ServerError(f"The server at {server} answered {status}.", _SERVER_FIX, **extra)

    if status == 429 or code in ("throttled", "too_soon"):
        wait = retry_after if retry_after is not None else seconds_in_detail(detail)
        message, fix = text_for_code(code) or text_for_code("throttled") or ("", "")
        if wait is not None:
            fix = f"Wait {wait:g} seconds and try again."
        return Throttled(message, fix, retry_after=wait, **extra)

    if code == "2fa_required":
        message, fix = CODE_TEXT[code]
        return SecondFactorRequired("totp", message, fix, **extra)
    if code == "code_based_verification_required":
        message, fix = CODE_TEXT[code]
        if detail and "@" in detail and " " not in detail:
            # PostHog puts the address the code went to in `detail`.
            message = f"PostHog emailed a 6-digit sign-in code to {detail}."
        return SecondFactorRequired("email", message, fix, **extra)
    if code == "sso_enforced":
        message, fix = CODE_TEXT[code]
        match = _SSO_PROVIDER.search(detail or "")
        return SsoEnforced(match.group(1) if match else "", message, fix, **extra)
    if code in ("expired_token", "expired"):
        message, fix = CODE_TEXT[code]
        return DeviceCodeExpired(message, fix, **extra)

    cls = _CLASS_FOR_CODE.get(code or "")
    if cls is None:
        cls = _CLASS_FOR_STATUS.get(status, ApiError)
        if cls is InvalidInput and kind not in (None, "validation_error"):
            cls = ApiError
    known = text_for_code(code)

    if not fields:
        # Not PostHog's JSON: a proxy page or an empty body. Say the status, never the body.
        if known is None and code is None:
            known = text_for_code(
                {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}.get(
                    status, ""
                )
            )
        message, fix = known or (f"The server at {server} answered {status}.", _STATUS_FIX)
        return cls(message, fix, **extra)

    if cls is PermissionDenied:
        message, fix = text_for_code("permission_denied") or ("", "")
        if detail and detail != _GENERIC_PERMISSION_DETAIL:
            message = detail
        return cls(message, fix, **extra)

    if cls is InvalidInput:
        # The detail names the problem ("Invalid scope: x", "You can only have 10 ...").
        message, fix = known or text_for_code("invalid_input") or ("", "")
        if detail:
            message = detail
            field = (attr or "").replace("_", " ")
            if field and field.rstrip("s") not in detail.lower():
                # DRF's field messages ("This field is required.") do not say which field.
                message = f"{field.capitalize()}: {detail}"
        return cls(message, fix, **extra)

    if known is not None:
        message, fix = known
    else:
        message = detail or f"PostHog answered {status}" + (f" ({code})." if code else ".")
        fix = _STATUS_FIX
    return cls(message, fix, **extra)
