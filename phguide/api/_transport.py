"""The one place phguide sends requests: credentials to one host only, redirects, the retry loop.

Its helpers, each for one job: `_answers` (an answer read within the size limit, decoded),
`_retry` (when and how long to wait), `_cookies` (the one-host jar, no cookie in a log) and
`_network_errors` (a failure in words). Only `phguide.api.client` imports this module, and only
when a client is built, so importing the client (or the models and errors) stays free of httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.cookiejar
import importlib
import logging
import os
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import httpx

from phguide import __version__
from phguide.api._answers import MAX_ANSWER_BYTES, Expect, decode, read_capped
from phguide.api._cookies import NoCookies, parse_set_cookie
from phguide.api._network_errors import server_name, transport_error
from phguide.api._retry import backoff, retry_after_header, retry_wait
from phguide.api.errors import PostHogError, TransportError, bad_answer, error_for_response
from phguide.core.hosts import Host, is_loopback
from phguide.core.secret import Secret

log = logging.getLogger("phguide.api")

Sleep = Callable[[float], Awaitable[None]]

CSRF_COOKIE: Final = "posthog_csrftoken"
"""PostHog renames Django's CSRF cookie (`CSRF_COOKIE_NAME`)."""

_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_REDIRECTS: Final = 5

Origin = tuple[str, str, int]


@functools.lru_cache(maxsize=4)
def tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """The TLS settings every client shares: building them reads the CA bundle (~20 ms).

    httpx reads SSL_CERT_FILE and SSL_CERT_DIR itself; they are the arguments only so that a
    change of either builds a new context.
    """
    return httpx.create_ssl_context(trust_env=True)


def tls_for(host: Host) -> ssl.SSLContext:
    """The TLS settings for a client of `host`: none worth reading for a plain-HTTP PostHog.

    A client sends requests to the host's app and ingestion URLs only (a redirect elsewhere
    is refused), so with both on http:// no TLS handshake can happen: it gets a context that
    trusts no certificate at all, any handshake fails, and the CA bundle is not read (~20–60
    ms on a returning user's path to the key, for a PostHog on this machine).
    """
    if all(urlsplit(url).scheme.lower() == "http" for url in (host.app_url, host.ingest_url)):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, with nothing to trust
    return tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


def origin_of(url: str) -> Origin:
    """Scheme, host and port: two URLs may share credentials only when these are equal."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


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


def load_network() -> None:
    """Import what a client's first request would: httpcore's asyncio network backend.

    httpcore picks its backend when the first request starts and imports it then (~30 ms),
    on the event loop, before the request goes out. A thread that builds a client can load it
    ahead. Only a warm-up: should the modules move, the first request loads what it needs.
    """
    for module in ("anyio._backends._asyncio", "httpcore._backends.anyio"):
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


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
            # NO_PROXY for it). SSL_CERT_FILE / SSL_CERT_DIR are honoured either way (see
            # `tls_for`); TLS verification stays on: there is deliberately no switch for it.
            trust_env=not is_loopback(urlsplit(host.app_url).hostname or ""),
            verify=tls_for(host),
            transport=transport,
            cookies=http.cookiejar.CookieJar(policy=NoCookies()),
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
            parsed = parse_set_cookie(header, now)
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
                request = self._http.build_request(method, url, json=body, headers=headers)
                response = await read_capped(self._http, request, url, self.max_answer)
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
            except httpx.InvalidURL:
                # A link the server sent (a `next` page) that httpx refuses to send to: a
                # control character, or longer than it allows. Not an HTTPError.
                log.debug("%s: the server's link is not a URL httpx accepts", method)
                raise bad_answer() from None
            except httpx.HTTPError as error:
                log.debug("%s %s failed: %s", method, urlsplit(url).path, type(error).__name__)
                dropped = isinstance(
                    error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError
                )
                if safe and dropped and attempt <= self.retries:
                    await self.sleep(backoff(attempt, self.max_retry_wait))
                    continue
                raise transport_error(error, url, self.timeout) from error
            data, text = decode(response, expect)
            reply = Reply(
                status=response.status_code,
                data=data,
                text=text,
                server=server_name(final_url),
                retry_after=retry_after_header(response),
            )
            if safe:
                wait = retry_wait(
                    reply.status,
                    reply.data,
                    reply.retry_after,
                    attempt,
                    self.retries,
                    self.max_retry_wait,
                )
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
