"""The one place phguide touches httpx: requests, cookies, redirects, retries, network errors.

Only `phguide.api.client` imports this module, and only when a client is built, so importing
the client (or the models and errors) stays free of httpx.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import http.cookiejar
import json as jsonlib
import logging
import math
import os
import re
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import urljoin, urlsplit

import httpx

from phguide import __version__
from phguide.api.errors import (
    PostHogError,
    TransportError,
    bad_answer,
    error_for_response,
    seconds_in_detail,
)
from phguide.core.hosts import Host, is_loopback
from phguide.core.secret import Secret

log = logging.getLogger("phguide.api")

Sleep = Callable[[float], Awaitable[None]]
Expect = Literal["json", "text", "none"]

CSRF_COOKIE: Final = "posthog_csrftoken"
"""PostHog renames Django's CSRF cookie (`CSRF_COOKIE_NAME`)."""

_RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_REDIRECTS: Final = 5
MAX_ANSWER_BYTES: Final = 8 * 1024 * 1024
"""The largest answer phguide reads: far above any real PostHog answer (a page of 100 projects
is well under 1 MB), small enough that a hostile server cannot fill the memory."""
MAX_RETRY_AFTER: Final = 86_400.0
"""The longest `Retry-After` taken at its word; longer (or infinite) values mean a day."""

Origin = tuple[str, str, int]


@functools.lru_cache(maxsize=4)
def tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """The TLS settings every client shares: building them reads the CA bundle (~20 ms).

    httpx reads SSL_CERT_FILE and SSL_CERT_DIR itself; they are the arguments only so that a
    change of either builds a new context.
    """
    return httpx.create_ssl_context(trust_env=True)


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


def origin_of(url: str) -> Origin:
    """Scheme, host and port: two URLs may share credentials only when these are equal."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def server_name(url: str) -> str:
    """The host (and port) of a URL, for messages."""
    return urlsplit(url).netloc or url


@dataclass(frozen=True)
class Reply:
    """A response after transport concerns are handled."""

    status: int
    """The HTTP status."""
    data: Any
    """The parsed JSON body, or None (empty or not JSON)."""
    text: str
    """The body as text; read only for `/flags`' plain-text 401."""
    server: str
    """The host that answered, for messages."""
    retry_after: float | None
    """Seconds from a `Retry-After` header."""


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """httpx's jar stores and sends nothing: `Transport` keeps the cookies, for one host only.

    A domain-scoped jar would follow a redirect's rules and has quirks for `localhost`; a jar
    tied to the one app host cannot leak a cookie anywhere else by construction.
    """

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


def _parse_set_cookie(header: str, now: float) -> tuple[str, str | None] | None:
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


def _bounded_wait(seconds: float) -> float | None:
    """A wait phguide can say and sleep: NaN means none given, the rest is kept in 0..1 day."""
    if math.isnan(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def _retry_after_header(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return _bounded_wait(float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _bounded_wait(when.timestamp() - time.time())


def _redirect_target(url: str, response: httpx.Response) -> str | None:
    """Where a redirect points, or None when it is none (or its Location cannot be read)."""
    if not response.has_redirect_location:
        return None
    try:
        target = urljoin(url, response.headers["location"])
        origin_of(target)  # a bad port or IPv6 literal raises here, not later
    except ValueError:
        return None
    return target


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it was raised from (httpx wraps httpcore wraps OSError)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def transport_error(error: httpx.HTTPError, url: str, timeout: float) -> TransportError:
    """Explain a network failure: what happened and what to try, without a traceback.

    Args:
        error: What httpx raised.
        url: The URL of the request (it never holds a secret).
        timeout: The client's timeout in seconds, for the message.

    Returns:
        The error to raise.
    """
    server = server_name(url)
    causes = list(_chain(error))
    text = " ".join(str(cause) for cause in causes)

    def found(kind: type[BaseException]) -> bool:
        return any(isinstance(cause, kind) for cause in causes)

    if isinstance(error, httpx.ProxyError):
        return TransportError(
            f"The proxy refused to connect phguide to {server}.",
            "Check the HTTPS_PROXY / HTTP_PROXY / NO_PROXY settings in your environment.",
            code="proxy",
        )
    if found(ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in text:
        return TransportError(
            f"phguide could not verify the TLS certificate of {server}.",
            "If your network or company uses its own certificate authority, point SSL_CERT_FILE "
            "at its CA bundle (a PEM file) and try again. phguide never turns TLS checks off.",
            code="tls",
        )
    if found(ssl.SSLError) or "[SSL" in text:
        return TransportError(
            f"The secure (TLS) connection to {server} failed.",
            "Check that the address uses the right scheme and port (https:// for TLS). Behind a "
            "proxy that inspects TLS, point SSL_CERT_FILE at its CA bundle (a PEM file).",
            code="tls",
        )
    if isinstance(error, httpx.TimeoutException):
        if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
            message = f"phguide could not connect to {server} within {timeout:g} seconds."
        else:
            message = f"The server at {server} did not answer within {timeout:g} seconds."
        return TransportError(
            message,
            "Check your connection and any proxy or firewall, then try again.",
            code="timeout",
        )
    if found(socket.gaierror) or any(
        marker in text
        for marker in (
            "Name or service not known",
            "nodename nor servname",
            "getaddrinfo failed",
            "Temporary failure in name resolution",
            "No address associated",
        )
    ):
        return TransportError(
            f"phguide could not find the server {server} (the name did not resolve).",
            "Check the address for typos, and that you are online.",
            code="dns",
        )
    if found(ConnectionRefusedError) or "Connection refused" in text or "[Errno 111]" in text:
        return TransportError(
            f"The server at {server} refused the connection.",
            "Check the address and port, and that PostHog is running there.",
            code="refused",
        )
    if isinstance(error, httpx.ConnectError):
        return TransportError(
            f"phguide could not connect to {server}.",
            "Check the address, your connection, and any proxy or firewall.",
            code="connect",
        )
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return TransportError(
            f"The connection to {server} was dropped before the answer was complete.",
            "Try again. If it keeps happening, a proxy or firewall may be cutting connections.",
            code="dropped",
        )
    if isinstance(error, httpx.DecodingError):
        return bad_answer()
    return TransportError(
        f"The request to {server} failed.",
        "Check the address, your connection and any proxy, then try again.",
        code="network",
    )


class Transport:
    """Requests to one PostHog host with its session cookies or personal key.

    Args:
        host: The PostHog to talk to.
        timeout: Seconds for each request phase (connect, read, write, pool).
        deadline: Seconds one attempt may take in all, its whole answer read (a server that
            sends one byte at a time never trips the per-read timeout).
        max_answer: The most bytes of one answer phguide reads.
        retries: Extra attempts for safe calls that meet 429, 502, 503, 504 or a dropped line.
        transport: An httpx transport (tests); None for the real network.
        sleep: How to wait between retries (tests inject one that does not wait).
        max_retry_wait: The longest wait phguide accepts before a retry; longer waits are
            reported as `Throttled` at once.
        max_concurrency: The most requests in flight at once on this client.
    """

    def __init__(
        self,
        host: Host,
        *,
        timeout: float,
        retries: int,
        transport: httpx.AsyncBaseTransport | None,
        sleep: Sleep,
        max_retry_wait: float,
        max_concurrency: int,
        deadline: float | None = None,
        max_answer: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.host = host
        self.timeout = timeout
        self.deadline = deadline if deadline is not None else max(30.0, 3 * timeout)
        self.max_answer = max_answer
        self.retries = max(0, retries)
        self.sleep = sleep
        self.max_retry_wait = max_retry_wait
        self.cookies: dict[str, Secret] = {}
        """This host's cookies (session, CSRF, remember): sent to this host only."""
        self.personal_key: Secret | None = None
        """Sent as `Authorization: Bearer` to this host only; no cookies are sent with it."""
        self._origin = origin_of(host.app_url)
        self._slots = asyncio.Semaphore(max(1, max_concurrency))
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            # Redirects are followed by `_send`, which refuses to carry credentials elsewhere.
            follow_redirects=False,
            # Proxies come from the environment, except for this machine: a proxy has no
            # business seeing the key sent to a loopback PostHog (HTTP_PROXY often lacks a
            # NO_PROXY for it). SSL_CERT_FILE / SSL_CERT_DIR are read below either way; TLS
            # verification stays on: there is deliberately no switch for it.
            trust_env=not is_loopback(urlsplit(host.app_url).hostname or ""),
            verify=tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")),
            transport=transport,
            cookies=http.cookiejar.CookieJar(policy=_NoCookies()),
            headers={"User-Agent": f"phguide/{__version__}", "Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=max(1, max_concurrency),
                max_keepalive_connections=max(1, max_concurrency),
            ),
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    def url(self, path: str) -> str:
        """An absolute URL on the app host."""
        return f"{self.host.app_url}{path}"

    def is_own(self, url: str) -> bool:
        """True when a URL is on the app host (scheme, name and port)."""
        return origin_of(url) == self._origin

    @property
    def csrf_token(self) -> str | None:
        """The current `posthog_csrftoken` cookie."""
        token = self.cookies.get(CSRF_COOKIE)
        return token.reveal() if token else None

    def forget_csrf_token(self) -> None:
        """Drop the CSRF cookie, so that the next login step fetches the login page again."""
        self.cookies.pop(CSRF_COOKIE, None)

    def _headers(
        self, method: str, url: str, credentials: bool, referer: str | None, session_only: bool
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        if not credentials or not self.is_own(url):
            return headers
        if self.personal_key is not None and not session_only:
            headers["Authorization"] = f"Bearer {self.personal_key.reveal()}"
            return headers
        if self.cookies:
            headers["Cookie"] = "; ".join(
                f"{name}={value.reveal()}" for name, value in self.cookies.items()
            )
            token = self.csrf_token
            if method not in _SAFE_METHODS and token:
                headers["X-CSRFToken"] = token
                headers["Referer"] = referer or f"{self.host.app_url}/"
        return headers

    def _take_cookies(self, response: httpx.Response) -> None:
        now = time.time()
        for header in response.headers.get_list("set-cookie"):
            parsed = _parse_set_cookie(header, now)
            if parsed is None:
                continue
            name, value = parsed
            if value is None:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = Secret(value)

    async def _send(
        self,
        method: str,
        url: str,
        body: Any,
        credentials: bool,
        referer: str | None,
        session_only: bool,
    ) -> tuple[httpx.Response, str]:
        """One attempt, following same-origin redirects of GETs; returns the final URL too."""
        for _ in range(_MAX_REDIRECTS + 1):
            headers = self._headers(method, url, credentials, referer, session_only)
            async with self._slots:
                response = await self._fetch(method, url, body, headers)
            log.debug("%s %s -> %d", method, urlsplit(url).path, response.status_code)
            if self.is_own(url):
                # Only the app host may set cookies in this jar: never the ingestion host.
                self._take_cookies(response)
            target = _redirect_target(url, response)
            if target is None or method not in _SAFE_METHODS:
                return response, url
            if origin_of(target) != origin_of(url):
                # Following would send the request (and so our credentials) to another host.
                raise TransportError(
                    f"The server at {server_name(url)} redirected phguide to "
                    f"{server_name(target)}.",
                    f"phguide does not send your credentials to another host. If PostHog has "
                    f"moved, use {urlsplit(target).scheme}://{server_name(target)} as the address.",
                    code="redirect",
                    status=response.status_code,
                )
            url = target
        return response, url

    async def _fetch(
        self, method: str, url: str, body: Any, headers: dict[str, str]
    ) -> httpx.Response:
        """Send one request and read at most `max_answer` bytes of its answer.

        Raises:
            TransportError: The answer is larger than the limit (code `too_large`).
        """
        request = self._http.build_request(method, url, json=body, headers=headers)
        response = await self._http.send(request, stream=True)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_answer:
                    raise TransportError(
                        f"The server at {server_name(url)} sent an answer larger than "
                        f"{self.max_answer // (1024 * 1024)} MB, phguide's limit for one answer.",
                        "Check that the address points at PostHog itself: no PostHog answer "
                        "is that large.",
                        code="too_large",
                        status=response.status_code,
                    )
                chunks.append(chunk)
        finally:
            await response.aclose()
        # The body was read (and decompressed) above within the limit; the response keeps it
        # as if read at once, without the encoding that was already undone.
        kept = httpx.Headers(
            [
                (name, value)
                for name, value in response.headers.multi_items()
                if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
            ]
        )
        return httpx.Response(
            response.status_code,
            headers=kept,
            content=b"".join(chunks),
            request=request,
            extensions={"http_version": response.http_version.encode()},
        )

    def _decode(self, response: httpx.Response, expect: Expect) -> tuple[Any, str]:
        text = response.text if expect == "text" else ""
        if expect == "none" or not response.content.strip():
            return None, text
        try:
            return jsonlib.loads(response.content), text
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: JSON nested deeper than Python's stack (a hostile or broken answer).
            if response.status_code < 400 and expect == "json":
                raise bad_answer(response.status_code) from None
            return None, text

    def _backoff(self, attempt: int) -> float:
        """0.5 s, 1 s, 2 s, ...: enough for a proxy to pick another upstream."""
        return min(self.max_retry_wait, 0.5 * 2.0 ** (attempt - 1))

    def _retry_wait(self, reply: Reply, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None when a retry would not help."""
        if attempt > self.retries or reply.status not in _RETRY_STATUSES:
            return None
        backoff = self._backoff(attempt)
        hint = reply.retry_after
        if hint is None and reply.status == 429:
            detail = reply.data.get("detail") if isinstance(reply.data, dict) else None
            hint = seconds_in_detail(detail if isinstance(detail, str) else None)
        if hint is None:
            return backoff
        # Waiting longer than this would freeze the walkthrough: report it instead.
        return hint if hint <= self.max_retry_wait else None

    async def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        credentials: bool = True,
        session_only: bool = False,
        referer: str | None = None,
        retry: bool | None = None,
        accept: tuple[int, ...] = (),
        expect: Expect = "json",
    ) -> Reply:
        """Send a request and return its answer, or raise the typed error for it.

        Args:
            method: The HTTP method.
            url: An absolute URL.
            json: The JSON body, if any.
            credentials: Send the session cookies or the personal key (to the app host only).
            session_only: Send the cookies even when a personal key is set (the login calls,
                which build a session and must not carry a key).
            referer: The `Referer` for a session write (default: the host's root).
            retry: Whether the call is safe to repeat; default: GET and HEAD are.
            accept: Error statuses to hand back as a `Reply` instead of raising.
            expect: `json` (a non-JSON success is an error), `text` (keep the text too) or
                `none` (ignore the body).

        Returns:
            The answer.

        Raises:
            PostHogError: The subclass for PostHog's error, the status or the network failure.
        """
        method = method.upper()
        safe = method in _SAFE_METHODS if retry is None else retry
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(self.deadline):
                    response, final_url = await self._send(
                        method, url, json, credentials, referer, session_only
                    )
            except TimeoutError:
                raise TransportError(
                    f"The server at {server_name(url)} did not finish answering within "
                    f"{self.deadline:g} seconds, phguide's limit for one request.",
                    "Check your connection and any proxy or firewall, then try again.",
                    code="deadline",
                ) from None
            except httpx.HTTPError as error:
                log.debug("%s %s failed: %s", method, urlsplit(url).path, type(error).__name__)
                dropped = isinstance(
                    error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError
                )
                if safe and dropped and attempt <= self.retries:
                    await self.sleep(self._backoff(attempt))
                    continue
                raise transport_error(error, url, self.timeout) from error
            data, text = self._decode(response, expect)
            reply = Reply(
                status=response.status_code,
                data=data,
                text=text,
                server=server_name(final_url),
                retry_after=_retry_after_header(response),
            )
            if safe:
                wait = self._retry_wait(reply, attempt)
                if wait is not None:
                    log.debug("retrying %s %s in %.1f s", method, urlsplit(url).path, wait)
                    await self.sleep(wait)
                    continue
            if reply.status in accept:
                return reply
            if response.is_redirect:
                target = _redirect_target(final_url, response)
                where = f" to {server_name(target)}{urlsplit(target).path}"[:120] if target else ""
                raise TransportError(
                    f"The server at {reply.server} answered with a redirect{where}.",
                    "Check that the address points at PostHog itself (the full URL of the app).",
                    code="redirect",
                    status=reply.status,
                )
            if reply.status >= 400:
                raise self.error_for(reply)
            if reply.status >= 300:
                raise bad_answer(reply.status)
            return reply

    def error_for(self, reply: Reply) -> PostHogError:
        """The typed error for an error answer."""
        error = error_for_response(
            reply.status, reply.data, server=reply.server, retry_after=reply.retry_after
        )
        # A wrong region looks exactly like a wrong password or an unknown key: on a cloud
        # host, say so and name the other region (a self-hosted instance has none).
        if error.maybe_wrong_region and self.host.is_cloud:
            other = "EU Cloud" if self.host.region == "us" else "US Cloud"
            error.fix = f"{error.fix} If that is right, your account may be in {other}."
        return error
