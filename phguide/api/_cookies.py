"""Cookies for one host only, and never in a log.

Part of the transport: imported only when a client is built.
"""

from __future__ import annotations

import email.utils
import http.cookiejar
import logging
import re
from typing import Any, Final

_SENSITIVE_HEADER: Final = re.compile(
    r"""((?:b)?['"](?:set-cookie|cookie|authorization|x-csrftoken)['"],\s*(?:b)?['"])[^'"]*""",
    re.IGNORECASE,
)


class _RedactHeaders(logging.Filter):
    """Blank credential headers in httpcore's DEBUG trace.

    httpcore logs every response's headers at DEBUG, Set-Cookie included, so a user who turns
    on debug logging would write session and remember cookies to their log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SENSITIVE_HEADER.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_REDACT: Final = _RedactHeaders()
for _name in ("httpcore.http11", "httpcore.http2", "httpcore.connection", "httpcore.proxy"):
    # A logger's filters see only records made on that very logger, hence each one by name.
    _logger = logging.getLogger(_name)
    if _REDACT not in _logger.filters:
        _logger.addFilter(_REDACT)


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """httpx's jar stores and sends nothing: `Transport` keeps the cookies, for one host only.

    A domain-scoped jar would follow a redirect's rules and has quirks for `localhost`; a jar
    tied to the one app host cannot leak a cookie anywhere else by construction.
    """

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def parse_set_cookie(header: str, now: float) -> tuple[str, str | None] | None:
    """One Set-Cookie header: `(name, value)`, value None when the server deletes the cookie.

    Only name, value and expiry matter: the jar belongs to a single host, so Domain and Path
    cannot widen where a cookie goes.
    """
    first, _, attributes = header.partition(";")
    name, sep, value = first.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        return None
    for attribute in attributes.split(";"):
        key, _, arg = attribute.partition("=")
        key, arg = key.strip().lower(), arg.strip()
        if key == "max-age":
            try:
                if int(arg) <= 0:
                    return name, None
            except ValueError:
                continue
        elif key == "expires":
            try:
                when = email.utils.parsedate_to_datetime(arg)
            except (TypeError, ValueError, IndexError):
                continue
            if when.timestamp() <= now:
                return name, None
    return name, value
