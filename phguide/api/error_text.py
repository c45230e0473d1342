"""What each PostHog error code means, in words a user can act on: (message, fix).

Messages say what happened; fixes say what to do. Errors are matched on status and code only:
PostHog's `detail` wording drifts between versions (contract §2).
"""

from __future__ import annotations

from typing import Final

CODE_TEXT: Final[dict[str, tuple[str, str]]] = {
    "invalid_credentials": (
        "Invalid email or password.",
        "Check the email and password.",
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
        "Check that it was copied whole and has not been deleted or rolled.",
    ),
    "too_many_failed_attempts": (
        "Too many failed sign-ins: PostHog has locked sign-in for 10 minutes.",
        "Wait 10 minutes, or use browser approval.",
    ),
    "permission_denied": (
        "PostHog refused this action.",
        "Check the key's scopes and projects, or ask an organization admin for access.",
    ),
    "sensitive_action_required_reauth": (
        "Managing keys needs a sign-in less than 2 hours old.",
        "Sign in again with your email and password, then retry.",
    ),
    "two_factor_setup_required": (
        "Your organization requires two-factor authentication, and it is not set up.",
        "Set up 2FA in PostHog's account settings in the browser, then sign in again.",
    ),
    "two_factor_verification_required": (
        "Your organization requires a two-factor check for this session.",
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
    "invalid": ("PostHog rejected a value.", "Correct it and try again."),
    "access_blocked": (
        "PostHog blocked this request: its security rules refused it.",
        "This is not something to retry. Contact PostHog support (posthog.com/questions or "
        "the in-app help) and say when it happened.",
    ),
    # The browser approval page (contract §5) shows these; a poll or a retry may carry them.
    "expired": (
        "The browser approval code has expired.",
        "Start browser approval again to get a new code.",
    ),
    "already_authorized": (
        "This browser approval code was already approved.",
        "Each code hands out one key. Start browser approval again for a new code.",
    ),
    "session_revoked": (
        "The browser sign-in that approved this code was signed out.",
        "Start browser approval again and sign in once more in the browser.",
    ),
    "invalid_project": (
        "PostHog refused the project picked for this approval.",
        "Start browser approval again and pick a project you are a member of.",
    ),
    "access_denied": (
        "The approval was declined in the browser.",
        "Start browser approval again and approve it, or sign in with a password or a key.",
    ),
    "invalid_scope": (
        "PostHog refused the scopes asked for in this approval.",
        "Start browser approval again and keep the suggested scopes ticked.",
    ),
}
