"""The plumbing every part of `PostHogClient` shares: the transport, credentials, one `_call`.

Importing this module does not import httpx: the transport loads when the first client is built.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit

from phguide.api import _parse
from phguide.api.errors import NotAuthenticated, TransportError, bad_answer
from phguide.core.hosts import Host
from phguide.core.secret import Secret, key_text_problem

if TYPE_CHECKING:
    from phguide.api._answers import Expect
    from phguide.api._transport import Reply, Transport

AuthKind = Literal["none", "session", "key"]

T = TypeVar("T")
P = TypeVar("P")

log = logging.getLogger("phguide.api")

REMEMBER_PREFIX: Final = "remember-cookie_"
"""The cookie that lets a browser skip the second factor for 30 days: a credential."""


def malformed(error: _parse.Malformed) -> TransportError:
    """The error for a successful answer that lacks what phguide needs."""
    log.debug("could not read PostHog's answer: %s", error)
    return bad_answer()


def parsed(parse: Callable[[Any], P], data: object) -> P:
    """Parse an answer, turning `Malformed` into the user-facing `TransportError`."""
    try:
        return parse(data)
    except _parse.Malformed as error:
        raise malformed(error) from None


async def run_all(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run coroutines concurrently and return their results in order.

    The first failure cancels the rest and is raised as itself (not an ExceptionGroup), so
    callers catch the same typed errors as for a single call.
    """
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as group_error:
        first = group_error.exceptions[0]
        if isinstance(first, BaseExceptionGroup):
            raise
        raise first from None
    return [task.result() for task in tasks]


class ClientBase:
    """The plumbing of `PostHogClient`: one transport, its credentials, one `_call`.

    Args:
        host: The PostHog to talk to.
        personal_key: Authenticate with this personal API key (Bearer) instead of a session.
        remember_cookies: `remember-cookie_*` cookies from an earlier login (skip the 2nd factor).
        timeout: Seconds for each request (connect, read, write, pool).
        retries: Extra attempts for 429 and 502/503/504 on idempotent calls.
        transport: An httpx transport for tests of faults the demo server cannot make.
        sleep: How to wait between retries and device polls; tests pass one that does not wait.
        max_retry_wait: The longest `Retry-After` phguide waits out by itself (seconds); a
            longer one is raised as `Throttled` at once.
        max_concurrency: The most requests in flight at once.
    """

    def __init__(
        self,
        host: Host,
        *,
        personal_key: Secret | None = None,
        remember_cookies: dict[str, Secret] | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        transport: Any = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_retry_wait: float = 30.0,
        max_concurrency: int = 10,
    ) -> None:
        from phguide.api._transport import Transport

        self.host = host
        """The PostHog this client talks to."""
        self._sleep = sleep or asyncio.sleep
        self._t: Transport = Transport(
            host,
            timeout=timeout,
            retries=retries,
            transport=transport,
            sleep=self._sleep,
            max_retry_wait=max_retry_wait,
            max_concurrency=max_concurrency,
        )
        self._session = False
        for name, value in (remember_cookies or {}).items():
            if name.startswith(REMEMBER_PREFIX):
                self._t.cookies[name] = value
        if personal_key is not None:
            self.use_personal_key(personal_key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.host.app_url!r}, auth={self.auth_kind!r})"

    @property
    def auth_kind(self) -> AuthKind:
        """How calls authenticate: a personal key, a signed-in session, or not at all."""
        if self._t.personal_key is not None:
            return "key"
        return "session" if self._session else "none"

    def load_network(self) -> None:
        """Import now what the first request would import as it starts (httpcore's asyncio
        backend, ~30 ms on the event loop): for a client built in a thread, to call there."""
        from phguide.api._transport import load_network

        load_network()

    async def aclose(self) -> None:
        """Close the connections. The client cannot be used afterwards."""
        await self._t.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def use_personal_key(self, key: Secret) -> None:
        """Authenticate later calls with this key (and drop any session).

        The remember cookies stay: they are not a session, and a later login may use them.

        Raises:
            NotAuthenticated: The key holds a character no PostHog key has (it is refused
                before any request: such a key cannot go in a header as it is).
        """
        reason = key_text_problem(key.reveal())
        if reason is not None:
            raise NotAuthenticated(
                f"This personal API key {reason}.",
                "Copy the key again, exactly as PostHog shows it.",
                code="invalid_key_text",
            )
        self._t.personal_key = key
        self._session = False
        self._t.cookies = {
            name: value
            for name, value in self._t.cookies.items()
            if name.startswith(REMEMBER_PREFIX)
        }

    @property
    def personal_key(self) -> Secret | None:
        """The key in use, if any."""
        return self._t.personal_key

    def remember_cookies(self) -> dict[str, Secret]:
        """The `remember-cookie_*` cookies the last login set, for the keyring."""
        return {
            name: value
            for name, value in self._t.cookies.items()
            if name.startswith(REMEMBER_PREFIX)
        }

    # -- plumbing ---------------------------------------------------------------------------

    def _own_url(self, url: str) -> str:
        """A pagination link moved onto this client's host.

        A `next` link is only trusted for its path and query: behind a TLS-terminating proxy
        PostHog often writes http:// or an internal host name into it, and a link to another
        host must never receive our credentials.
        """
        absolute = self._t.url(url) if url.startswith("/") else url
        if self._t.is_own(absolute):
            return absolute
        parts = urlsplit(absolute)
        base = urlsplit(self.host.app_url)
        log.debug("pagination link pointed elsewhere; kept its path only")
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        referer: str | None = None,
        retry: bool | None = None,
        accept: tuple[int, ...] = (),
        credentials: bool = True,
        session_only: bool = False,
        expect: Expect = "json",
    ) -> Reply:
        return await self._t.request(
            method,
            self._t.url(path),
            json=json,
            referer=referer,
            retry=retry,
            accept=accept,
            credentials=credentials,
            session_only=session_only,
            expect=expect,
        )
