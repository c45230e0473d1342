"""What a keyring failure means, in words: its state, its message and what to do about it."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from phguide.core.secret import mask
from phguide.core.text import clean

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

StoreState = Literal["ok", "no-backend", "locked", "timeout", "denied", "error"]
"""What happened to a keyring call: `ok`, or why the secret could not be stored or read."""

Operation = Literal["save", "load", "delete", "forget"]
"""What phguide was doing when the keyring failed."""


def no_backend_fix(operation: Operation) -> str:
    if sys.platform.startswith("linux"):
        install = (
            "Install and unlock a Secret Service (for example `apt install gnome-keyring`, "
            "then log in to a desktop session or run `gnome-keyring-daemon --unlock`)"
        )
    else:
        install = "Make sure the system keychain or credential manager is available"
    if operation == "load":
        return f"{install}, or set POSTHOG_PERSONAL_API_KEY in your environment."
    return f"{install}, or set POSTHOG_PERSONAL_API_KEY in your environment. For now, copy the key."


def fix_for(state: StoreState, operation: Operation) -> str:
    advice = {
        "ok": "",
        "no-backend": no_backend_fix(operation),
        "locked": "Unlock your keyring (log in to the desktop, or run `gnome-keyring-daemon "
        "--unlock`) and try again, or set POSTHOG_PERSONAL_API_KEY.",
        "timeout": "If a keyring prompt is open somewhere, answer it and try again; otherwise "
        "set POSTHOG_PERSONAL_API_KEY.",
        "denied": "Allow phguide when the keyring asks, and try again.",
        "error": "Try again, or set POSTHOG_PERSONAL_API_KEY in your environment.",
    }[state]
    # A key that is being saved may exist nowhere else: say so, whatever went wrong.
    if operation == "save" and state not in ("ok", "no-backend"):
        advice += " Copy the key now so you do not lose it."
    return advice


def describe(error: BaseException, secrets: Iterable[str]) -> str:
    """A short description of an exception with any secret value in it masked."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    for value in secrets:
        # A misbehaving backend could echo the value it was given, whole, in part, escaped,
        # as bytes, hex or base64: any 8 characters of it in any of those forms hide the
        # whole message.
        if not value:
            continue
        text = text.replace(value, mask(value))
        if _holds_part_of(text, value):
            return f"{type(error).__name__} (its message is not shown: it held a secret)"
    return clean(text if len(text) <= 200 else text[:197] + "...")


_WINDOW = 8
"""Characters of a secret in a row that make a message unsafe to show."""


def _holds_part_of(text: str, value: str) -> bool:
    import base64
    import json

    forms = {
        value,
        repr(value)[1:-1],
        json.dumps(value)[1:-1],
        value.encode().hex(),
        base64.b64encode(value.encode()).decode(),
    }
    lowered = text.lower()
    for form in forms:
        form = form.lower()
        if len(form) <= _WINDOW:
            if form in lowered:
                return True
            continue
        # PostHog's mask (`phx_...abcd`) holds no 8 characters in a row of the key.
        for start in range(len(form) - _WINDOW + 1):
            if form[start : start + _WINDOW] in lowered:
                return True
    return False


def classify(error: BaseException) -> StoreState:
    """Map an exception from keyring, SecretStorage, jeepney or an OS API to a state."""
    names = {cls.__name__ for cls in type(error).__mro__}
    dbus_name = str(getattr(error, "name", "") or "")
    text = str(error).lower()
    if "NoKeyringError" in names or "SecretServiceNotAvailableException" in names:
        return "no-backend"
    if "PromptDismissedException" in names:
        return "denied"
    if "KeyringLocked" in names or "LockedException" in names:
        return "locked"
    # D-Bus errors from jeepney carry the error name, e.g. org.freedesktop.DBus.Error.NoReply.
    suffix = dbus_name.rpartition(".")[2]
    if suffix in ("AccessDenied", "NotAuthorized"):
        return "denied"
    if suffix == "IsLocked":
        return "locked"
    if suffix in ("ServiceUnknown", "NoServer", "NameHasNoOwner"):
        return "no-backend"
    if suffix in ("NoReply", "Timeout", "TimedOut"):
        return "timeout"
    # macOS: errSecAuthFailed (-25293), userCanceled (-128); Windows: ERROR_ACCESS_DENIED (5).
    if any(marker in text for marker in ("denied", "-25293", "-128", "cancel", "not allowed")):
        return "denied"
    return "error"


def message_for(
    state: StoreState, operation: Operation, store: str, detail: str, timeout: float
) -> str:
    what = {
        "save": "save the key in the keyring",
        "load": "read from the keyring",
        "delete": "delete from the keyring",
        "forget": "remove phguide's entries from the keyring",
    }[operation]
    if state == "no-backend":
        return f"No keyring is available on this machine, so phguide cannot {what} ({detail})."
    if state == "locked":
        return f"The keyring ({store}) is locked, so phguide cannot {what}."
    if state == "timeout":
        maybe = " The key may or may not have been saved." if operation == "save" else ""
        return f"The keyring ({store}) did not answer within {timeout:g} s.{maybe}"
    if state == "denied":
        return f"The keyring ({store}) refused access, so phguide cannot {what} ({detail})."
    return f"phguide could not {what} ({store}: {detail})."


def friendly_name(backend: KeyringBackend) -> str:
    """A name users recognise for a keyring backend."""
    module = type(backend).__module__
    known = {
        "keyring.backends.SecretService": "Secret Service",
        "keyring.backends.libsecret": "Secret Service (libsecret)",
        "keyring.backends.kwallet": "KWallet",
        "keyring.backends.macOS": "macOS Keychain",
        "keyring.backends.Windows": "Windows Credential Manager",
        "keyring.backends.fail": "no keyring",
        "keyring.backends.null": "no keyring (null backend)",
    }
    if module == "keyring.backends.chainer":
        inner = getattr(backend, "backends", [])
        return " + ".join(friendly_name(b) for b in inner) or "no keyring"
    for prefix, label in known.items():
        if module == prefix or module.startswith(prefix + "."):
            return label
    return str(getattr(backend, "name", type(backend).__name__))


def unusable(backend: KeyringBackend) -> str | None:
    """Why a backend cannot keep a secret, or None when it can.

    The null backend accepts every write and forgets it, which would silently lose a
    fresh key; the fail backend and an empty chainer raise on every call.
    """
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "no keyring backend found"
    if module == "keyring.backends.null":
        return "the null keyring backend is configured and stores nothing"
    if module == "keyring.backends.chainer":
        inner = list(getattr(backend, "backends", []))
        if not inner:
            return "no keyring backend found"
        reasons = [unusable(b) for b in inner]
        if all(reasons):
            return reasons[0]
    return None
