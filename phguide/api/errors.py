"""Typed errors: every failure of PostHog, the network or the server, in words a user can act on."""

from __future__ import annotations

from typing import Final

# code -> (message, fix). Messages say what happened; fixes say what to do.
_CODE_TEXT: Final[dict[str, tuple[str, str]]] = {
    "invalid_credentials": (
        "Invalid email or password.",
        "Check the email and password. If they are right, your account may be in the other region.",
    ),
    "sso_enforced": (
        "This account must sign in with single sign-on (SSO).",
        "Use browser approval: phguide opens PostHog in your browser, where SSO works.",
    ),
    "not_verified": (
        "This email address is not verified yet.",
        "Open the verification email PostHog sent you, then sign in again.",
    ),
    "2fa_required": (
        "Two-factor authentication is required.",
        "Enter the 6-digit code from your authenticator app, or a backup code.",
    ),
    "code_based_verification_required": (
        "PostHog emailed you a 6-digit sign-in code.",
        "Enter the code from the email (it can be sent again after a minute).",
    ),
    "2fa_invalid": (
        "That two-factor code is not valid.",
        "Enter the current code from your authenticator app, or a backup code.",
    ),
    "2fa_too_many_attempts": (
        "Too many wrong two-factor codes.",
        "Wait a few minutes, then sign in again.",
    ),
    "2fa_expired": (
        "The sign-in took too long and has expired.",
        "Sign in again with your email and password.",
    ),
    "invalid_code": (
        "That emailed code is not valid.",
        "Check the latest email from PostHog and enter its 6-digit code.",
    ),
    "too_many_attempts": (
        "Too many wrong codes.",
        "Sign in again to get a new code.",
    ),
    "no_pending_verification": (
        "There is no sign-in waiting for a code.",
        "Sign in again with your email and password.",
    ),
    "too_soon": (
        "A code was sent less than a minute ago.",
        "Wait a minute before asking for another code.",
    ),
    "not_authenticated": (
        "You are not signed in.",
        "Sign in again.",
    ),
    "authentication_failed": (
        "The personal API key is not valid.",
        "Check that it was copied whole and has not been deleted or rolled. "
        "It may also belong to the other region.",
    ),
    "too_many_failed_attempts": (
        "Too many failed sign-ins: PostHog has locked sign-in for 10 minutes.",
        "Wait 10 minutes, or use browser approval.",
    ),
    "permission_denied": (
        "PostHog refused this action.",
        "Check the key's scopes and projects, or ask an organisation admin for access.",
    ),
    "sensitive_action_required_reauth": (
        "Managing keys needs a sign-in less than 2 hours old.",
        "Sign in again with your email and password, then retry.",
    ),
    "two_factor_setup_required": (
        "Your organisation requires two-factor authentication, and it is not set up.",
        "Set up 2FA in PostHog's account settings in the browser, then sign in again.",
    ),
    "two_factor_verification_required": (
        "Your organisation requires a two-factor check for this session.",
        "Sign in again and enter your two-factor code.",
    ),
    "not_found": (
        "PostHog could not find that.",
        "It may have been deleted, or belong to a project you cannot see.",
    ),
    "throttled": (
        "PostHog is rate-limiting these requests.",
        "Wait a little and try again.",
    ),
    "required": ("A required field is missing.", "Fill it in and try again."),
    "blank": ("A required field is empty.", "Fill it in and try again."),
    "invalid_input": ("PostHog rejected a value.", "Correct it and try again."),
    "expired_token": (
        "The browser approval code has expired.",
        "Start browser approval again to get a new code.",
    ),
}


class PostHogError(Exception):
    """Anything that went wrong talking to PostHog, with a message and a fix.

    The exception text is the message only: it never holds a secret, HTML or a traceback.
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
    def maybe_wrong_region(self) -> bool:
        """True when this failure is how a wrong region looks (bad password, unknown key)."""
        return self.code in ("invalid_credentials", "authentication_failed")


class ApiError(PostHogError):
    """PostHog answered with an error body `{"type", "code", "detail", "attr"}`."""


class SecondFactorRequired(ApiError):
    """The password was right; a second factor is needed.

    `kind` is ``"totp"`` (authenticator or backup code) or ``"email"`` (emailed code).
    """

    def __init__(self, kind: str, message: str, fix: str, **kwargs: object) -> None:
        super().__init__(message, fix, **kwargs)  # type: ignore[arg-type]
        self.kind = kind


class SsoEnforced(ApiError):
    """The account must sign in through SSO; `provider` names it."""

    def __init__(self, provider: str, message: str, fix: str, **kwargs: object) -> None:
        super().__init__(message, fix, **kwargs)  # type: ignore[arg-type]
        self.provider = provider


class ReauthRequired(ApiError):
    """A key write needs a fresher sign-in (`sensitive_action_required_reauth`)."""


class PermissionDenied(ApiError):
    """403 `permission_denied`: missing scope, key not allowed here, or no access."""


class Throttled(ApiError):
    """429: `retry_after` is the wait in seconds, when PostHog said it."""

    def __init__(self, message: str, fix: str, *, retry_after: float | None, **kwargs: object) -> None:
        super().__init__(message, fix, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class DeviceFlowUnsupported(PostHogError):
    """This instance does not offer browser approval (404 on the device-code call)."""


class DeviceCodeExpired(PostHogError):
    """The device code expired before the user approved it."""


class TransportError(PostHogError):
    """No usable answer: refused, timed out, TLS failed, dropped, or not PostHog's JSON."""


class ServerError(PostHogError):
    """The server (or a proxy in front of it) answered with a 5xx status."""


def text_for_code(code: str | None) -> tuple[str, str] | None:
    """The default message and fix for a PostHog error code, if phguide knows it."""
    if code is None:
        return None
    return _CODE_TEXT.get(code)
