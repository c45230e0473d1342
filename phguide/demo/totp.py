"""RFC 6238 time-based one-time passwords with the standard library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

STEP = 30
"""Seconds per TOTP code."""
DIGITS = 6


def totp(secret_b32: str, at: float, *, step: int = STEP, digits: int = DIGITS) -> str:
    """The TOTP code for a base32 secret at a moment.

    Args:
        secret_b32: The shared secret, base32 as authenticator apps take it.
        at: Epoch seconds.
        step: Seconds per code.
        digits: Code length.

    Returns:
        The zero-padded code.
    """
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = struct.pack(">Q", int(at // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two strings of any characters (user input may be non-ASCII)."""
    return hmac.compare_digest(a.encode(), b.encode())


def verify(secret_b32: str, code: str, at: float, *, tolerance: int = 1) -> bool:
    """True when a code matches the current step or one `tolerance` steps away.

    A step either side is what django-otp accepts too, so a code typed at a step boundary works.
    """
    candidate = code.strip().replace(" ", "")
    if not (candidate.isdigit() and len(candidate) == DIGITS):
        return False
    return any(
        same(totp(secret_b32, at + drift * STEP), candidate)
        for drift in range(-tolerance, tolerance + 1)
    )
