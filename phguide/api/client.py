"""PostHogClient: every call of the API contract on one `httpx.AsyncClient`.

Importing this module does not import httpx: the transport loads when the first client is built,
so `phguide --version` and the first screen never wait for it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from phguide.api import _parse
from phguide.api.errors import (
    DeviceCodeExpired,
    DeviceFlowUnsupported,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PostHogError,
    ServerError,
    TransportError,
    TwoFactorEnforced,
    bad_answer,
    clean_text,
)
from phguide.api.models import (
    DeviceAuthorization,
    DeviceCode,
    FlagsCheck,
    NewPersonalApiKey,
    Organization,
    OrgProjects,
    PersonalApiKey,
    Precheck,
    Project,
    User,
)
from phguide.core.hosts import Host
from phguide.core.secret import Secret, key_text_problem

if TYPE_CHECKING:
    from phguide.api._transport import Expect, Reply, Transport

AuthKind = Literal["none", "session", "key"]

T = TypeVar("T")

log = logging.getLogger("phguide.api")

PAGE_SIZE: Final = 100
"""PostHog's default and largest useful page of projects."""
PAGE_CONCURRENCY: Final = 8
"""Pages of one organisation fetched at once: enough to hide latency, gentle on the server."""
MAX_PAGES: Final = 200
"""A guard against a server whose `next` links never end (20,000 projects at 100 a page)."""
REMEMBER_PREFIX: Final = "remember-cookie_"
"""The cookie that lets a browser skip the second factor for 30 days: a credential."""
FLAGS_DISTINCT_ID: Final = "phguide-key-check"
"""The distinct id of a key check: `/flags` evaluates flags for it and ingests nothing."""

_KEY_FIELDS: Final = frozenset({"label", "scopes", "scoped_teams", "scoped_organizations"})
_ORG_ERRORS: Final = (PermissionDenied, NotFound, TwoFactorEnforced)
"""Failures that belong to one organisation; anything else is about the whole session."""


def _malformed(error: _parse.Malformed) -> TransportError:
    log.debug("could not read PostHog's answer: %s", error)
    return bad_answer()


def _expired(status: int | None = None) -> DeviceCodeExpired:
    return DeviceCodeExpired(
        "The browser approval code has expired.",
        "Start browser approval again to get a new code.",
        code="expired_token",
        status=status,
    )


def _ended_early(status: int | None) -> DeviceCodeExpired:
    return DeviceCodeExpired(
        "PostHog ended this browser approval before its code expired. If you approved it, "
        "the answer carrying your new personal API key was lost on the way, and PostHog "
        "never hands a key out twice.",
        "A key labelled “CLI - …” may now exist that phguide never received: delete it under "
        "Personal API keys (phguide's step 4, or in PostHog), then start browser approval again.",
        code="expired_token",
        status=status,
    )


async def _all(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
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


class PostHogClient:
    """An async client for one PostHog host.

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
        return f"PostHogClient({self.host.app_url!r}, auth={self.auth_kind!r})"

    @property
    def auth_kind(self) -> AuthKind:
        """How calls authenticate: a personal key, a signed-in session, or not at all."""
        if self._t.personal_key is not None:
            return "key"
        return "session" if self._session else "none"

    async def aclose(self) -> None:
        """Close the connections. The client cannot be used afterwards."""
        await self._t.aclose()

    async def __aenter__(self) -> PostHogClient:
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

    async def _login_post(self, path: str, body: dict[str, str]) -> None:
        """A login step: a session write with the login page as Referer; never retried.

        When the answer is lost (network, proxy error), the server may have signed in and
        rotated its CSRF token all the same: the token is dropped so that the next step
        fetches the login page for a fresh one instead of failing on a stale one.
        """
        if self._t.csrf_token is None:
            await self._prime_csrf()
        try:
            await self._call(
                "POST",
                path,
                json=body,
                referer=f"{self.host.app_url}/login",
                retry=False,
                session_only=True,
            )
        except (TransportError, ServerError):
            self._t.forget_csrf_token()
            raise

    async def _prime_csrf(self) -> None:
        """GET /login so that PostHog sets `posthog_csrftoken`.

        Only the cookie matters: a 404 page (an instance without the route) is fine, since
        the contract says the token is harmless when not needed.
        """
        await self._call("GET", "/login", accept=(404,), expect="none", session_only=True)

    # -- password login (contract §3) -------------------------------------------------------

    async def precheck(self, email: str) -> Precheck:
        """Ask whether an account must sign in through SSO.

        The login page is fetched at the same time, so the CSRF cookie is ready for `login`
        without another round trip.

        Args:
            email: The account's email.

        Returns:
            The SSO enforcement, if any.

        Raises:
            PostHogError: The typed failure.
        """
        answer: list[Reply] = []

        async def check() -> None:
            # Read-only on the server, so safe to repeat after a 429 or a proxy's 502.
            answer.append(
                await self._call(
                    "POST",
                    "/api/login/precheck",
                    json={"email": email},
                    retry=True,
                    session_only=True,
                )
            )

        async def prime() -> None:
            if self._t.csrf_token is not None:
                return
            try:
                await self._prime_csrf()
            except PostHogError as error:
                # Only a head start for `login`, which tries again and reports the failure.
                log.debug("could not fetch the login page early: %s", error.code)

        await _all([check(), prime()])
        try:
            return _parse.precheck(answer[0].data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    async def login(self, email: str, password: Secret) -> None:
        """GET /login for CSRF (unless `precheck` already did), then POST /api/login.

        Args:
            email: The account's email.
            password: The password; sent in the request body only.

        Raises:
            SecondFactorRequired: kind "totp" or "email"; call `login_token` or `verify_email_code`.
            SsoEnforced: The account must use SSO (browser approval).
            InvalidCredentials: Wrong email or password (or the other region).
            LockedOut: Too many failed sign-ins.
            PostHogError: Any other typed failure.
        """
        await self._login_post("/api/login", {"email": email, "password": password.reveal()})
        self._signed_in()

    def _signed_in(self) -> None:
        # A session replaces a key: key endpoints answer 403 to a Bearer key even with a session.
        self._t.personal_key = None
        self._session = True

    async def login_token(self, token: str) -> None:
        """Finish a login with a TOTP or a backup code (after `SecondFactorRequired("totp")`).

        Raises:
            SecondFactorInvalid: The code was wrong.
            LoginExpired: More than 10 minutes since the password: call `login` again.
            LockedOut: Too many wrong codes.
        """
        await self._login_post("/api/login/token", {"token": token.strip()})
        self._signed_in()

    async def verify_email_code(self, email: str, code: str) -> None:
        """Finish a login with the emailed code (after `SecondFactorRequired("email")`).

        Raises:
            SecondFactorInvalid: The code was wrong.
            LockedOut: Too many wrong codes.
            LoginExpired: No login is waiting for a code: call `login` again.
        """
        await self._login_post(
            "/api/login/code-based-verification/", {"code": code.strip(), "email": email}
        )
        self._signed_in()

    async def resend_email_code(self, email: str) -> None:
        """Ask PostHog to email a new sign-in code (once a minute).

        Raises:
            Throttled: Asked again too soon (`too_soon`); `retry_after` when PostHog says.
        """
        await self._login_post("/api/login/code-based-verification/resend/", {"email": email})

    async def logout(self) -> None:
        """End the session on the server (best effort) and forget every credential here.

        The remember cookies go too: a caller that keeps them should read `remember_cookies`
        before logging out.
        """
        if self._session:
            try:
                await self._call(
                    "POST", "/logout", retry=False, accept=(302, 404, 405), session_only=True
                )
            except PostHogError as error:
                # The local credentials go anyway; the server's session simply expires.
                log.debug("logout request failed: %s", error.code)
        self._t.cookies = {}
        self._t.personal_key = None
        self._session = False

    # -- device flow (contract §5) ----------------------------------------------------------

    async def start_device_flow(self) -> DeviceCode:
        """Get a one-time code for browser approval.

        Returns:
            The code and the URL to show the user.

        Raises:
            DeviceFlowUnsupported: The instance answered 404 (too old for browser approval).
        """
        try:
            reply = await self._call(
                "POST", "/api/cli-auth/device-code/", credentials=False, retry=False
            )
        except PostHogError as error:
            if error.status not in (404, 405):
                raise
            raise DeviceFlowUnsupported(
                f"{self.host.label} does not offer browser approval.",
                "Sign in with your email and password, or paste a personal API key.",
                code="device_flow_unsupported",
                status=error.status,
            ) from None
        try:
            return _parse.device_code(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    async def _poll(self, device_code: str) -> DeviceAuthorization | Literal["pending", "slow"]:
        reply = await self._call(
            "POST",
            "/api/cli-auth/poll/",
            json={"device_code": device_code},
            credentials=False,
            # The server hands the key over once; a retry after a lost answer finds it gone
            # either way, and pending answers are safe to repeat.
            retry=True,
            accept=(400,),
        )
        body = reply.data if isinstance(reply.data, dict) else {}
        status = body.get("status")
        error = body.get("error")
        if reply.status == 400:
            if status == "expired" or error == "expired_token":
                raise _expired(status=400)
            if error == "authorization_pending":
                return "pending"
            if error == "slow_down":
                return "slow"
            raise self._t.error_for(reply)
        if status == "authorized" or body.get("personal_api_key"):
            try:
                return _parse.device_authorization(body)
            except _parse.Malformed as problem:
                raise _malformed(problem) from None
        if reply.status in (200, 202) and status in (None, "pending", "authorization_pending"):
            return "pending"
        raise _malformed(_parse.Malformed(f"unknown poll status {str(status)[:20]!r}"))

    async def poll_device(self, device_code: str) -> DeviceAuthorization | None:
        """One poll: None while pending.

        Args:
            device_code: `DeviceCode.device_code`.

        Returns:
            The key once the user approved, else None.

        Raises:
            DeviceCodeExpired: The code expired; start again.
        """
        result = await self._poll(device_code)
        return result if isinstance(result, DeviceAuthorization) else None

    async def wait_for_device_approval(
        self,
        code: DeviceCode,
        *,
        on_tick: Callable[[float], Awaitable[None] | None] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> DeviceAuthorization:
        """Poll every `interval` seconds until approved; cancel the task to stop.

        `on_tick(seconds_left)` is called after each poll. On success the key is also
        adopted (`use_personal_key`). Cancellation propagates as `CancelledError` from the
        current sleep or request, leaving nothing running.

        Args:
            code: What `start_device_flow` returned.
            on_tick: Called with the seconds left after each poll (may be async).
            sleep: How to wait between polls (default: the client's sleep).

        Returns:
            The key, which the caller must save before anything else (PostHog forgets it).

        Raises:
            DeviceCodeExpired: The code expired before the user approved.
            PostHogError: Polling failed even after retries; the code stays valid until it
                expires, so calling again with it resumes the wait.
        """
        wait = sleep or self._sleep
        interval = float(code.interval)
        # Time is counted as slept plus spent in requests, so an injected sleep in tests moves
        # the deadline exactly as real waiting would.
        elapsed = 0.0
        while True:
            await wait(interval)
            elapsed += interval
            started = time.monotonic()
            try:
                result = await self._poll(code.device_code)
            except DeviceCodeExpired as expired:
                if elapsed + interval >= code.expires_in:
                    raise
                # PostHog forgets a code when it hands its key over: an "expired" this early
                # most likely means that answer was lost on the way, and a key now exists.
                raise _ended_early(expired.status) from None
            elapsed += time.monotonic() - started
            if isinstance(result, DeviceAuthorization):
                self.use_personal_key(result.personal_api_key)
                return result
            if result == "slow":
                # RFC 8628: a server that says slow_down wants 5 more seconds between polls.
                interval += 5
            left = max(0.0, code.expires_in - elapsed)
            if on_tick is not None:
                ticked = on_tick(left)
                if inspect.isawaitable(ticked):
                    await ticked
            if left <= 0:
                raise _expired()

    # -- reading (contract §4) --------------------------------------------------------------

    async def me(self) -> User:
        """The signed-in user, their current project and organisations.

        Raises:
            NotAuthenticated: No session, or the key is not valid.
            PermissionDenied: The key lacks `user:read`.
        """
        reply = await self._call("GET", "/api/users/@me/")
        try:
            return _parse.user(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

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

    async def _page(self, url: str) -> tuple[int | None, str | None, list[Any]]:
        reply = await self._t.request("GET", url)
        try:
            return _parse.page(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    @staticmethod
    def _offset_pages(next_url: str, count: int | None) -> list[str] | None:
        """Every remaining page's URL when `next` is offset-style and `count` is known."""
        if count is None:
            return None
        parts = urlsplit(next_url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        values = dict(query)
        try:
            offset, limit = int(values["offset"]), int(values["limit"])
        except (KeyError, ValueError):
            return None
        if limit <= 0 or offset < 0 or (count - offset) / limit > MAX_PAGES:
            return None
        urls = []
        for start in range(offset, count, limit):
            rebuilt = [(k, str(start) if k == "offset" else v) for k, v in query]
            urls.append(urlunsplit(parts._replace(query=urlencode(rebuilt))))
        return urls

    async def org_projects(self, org_id: str) -> list[Project]:
        """Every project of an organisation: all pages (fetched concurrently by offset).

        Args:
            org_id: The organisation's id, or `@current`.

        Returns:
            The projects in PostHog's order, each once.

        Raises:
            PermissionDenied: The key cannot list this organisation (project-scoped key,
                personal keys forbidden there, missing scope).
        """
        path = f"/api/organizations/{quote(org_id, safe='@')}/projects/?limit={PAGE_SIZE}"
        count, next_url, rows = await self._page(self._t.url(path))
        pages = [rows]
        seen_urls: set[str] = set()
        planned = self._offset_pages(self._own_url(next_url), count) if next_url else None
        if planned:
            slots = asyncio.Semaphore(PAGE_CONCURRENCY)

            async def fetch(url: str) -> tuple[int | None, str | None, list[Any]]:
                async with slots:
                    return await self._page(url)

            results = await _all(fetch(url) for url in planned)
            pages.extend(result[2] for result in results)
            seen_urls.update(planned)
            # Projects created while we read make the last page point further: follow that.
            next_url = results[-1][1]
        while next_url:
            url = self._own_url(next_url)
            if url in seen_urls:
                log.debug("stopped following pagination links that repeat")
                break
            if len(pages) >= MAX_PAGES:
                raise TransportError(
                    f"The server at {self.host.label} listed more than {MAX_PAGES} pages of "
                    "projects, phguide's limit.",
                    "Check that the address points at PostHog itself; a real organisation "
                    "has far fewer projects.",
                    code="too_many_pages",
                )
            seen_urls.add(url)
            _, next_url, rows = await self._page(url)
            pages.append(rows)
        projects: list[Project] = []
        ids: set[int] = set()
        for page in pages:
            for project in _parse.each(page, _parse.project, "project"):
                # Offsets shift when a project is created or deleted mid-listing.
                if project.id not in ids:
                    ids.add(project.id)
                    projects.append(project)
        return projects

    async def all_projects(self, user: User) -> list[OrgProjects]:
        """Every organisation's projects, concurrently; a forbidden org carries an error.

        Args:
            user: From `me`: its organisations are listed (or its current one).

        Returns:
            One entry per organisation, in the user's order. An organisation the caller may
            not list (403, 404, enforced 2FA) has `error` set; the others still list.

        Raises:
            PostHogError: A failure that is not about one organisation (network, session).
        """
        organizations: Sequence[Organization] = user.organizations
        if not organizations and user.organization is not None:
            organizations = (user.organization,)

        async def one(organization: Organization) -> OrgProjects:
            try:
                projects = await self.org_projects(organization.id)
            except _ORG_ERRORS as error:
                return OrgProjects(organization, error=error.message)
            return OrgProjects(organization, tuple(projects))

        return await _all(one(organization) for organization in organizations)

    async def project(self, project_id: int | str) -> Project:
        """One project (`@current` allowed).

        Raises:
            PermissionDenied: The key is scoped to other projects or lacks `project:read`.
            NotFound: No such project.
        """
        reply = await self._call("GET", f"/api/projects/{quote(str(project_id), safe='@')}/")
        try:
            return _parse.project(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    async def reset_project_token(self, project_id: int) -> Project:
        """Rotate a project's API key (admins only): every SDK on the old key stops working.

        Returns:
            The project with its new key.
        """
        reply = await self._call(
            "PATCH", f"/api/projects/{quote(str(project_id), safe='@')}/reset_token/", retry=False
        )
        try:
            return _parse.project(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    # -- personal keys (contract §6) --------------------------------------------------------

    async def list_keys(self) -> list[PersonalApiKey]:
        """The user's personal keys, newest first (a session is required).

        Raises:
            PermissionDenied: Called with a personal key instead of a session.
        """
        reply = await self._call("GET", "/api/personal_api_keys/")
        try:
            rows = _parse.as_list(reply.data, "personal API keys")
        except _parse.Malformed as error:
            raise _malformed(error) from None
        return _parse.each(rows, _parse.personal_key, "personal API key")

    def _new_key(self, reply: Reply) -> NewPersonalApiKey:
        try:
            return _parse.new_personal_key(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    async def create_key(
        self,
        label: str,
        scopes: Sequence[str],
        scoped_teams: Sequence[int] = (),
        scoped_organizations: Sequence[str] = (),
    ) -> NewPersonalApiKey:
        """Create a personal key; its value is in the answer once and never again.

        Args:
            label: 1 to 40 characters.
            scopes: `"*"` or `"<object>:read|write"` entries.
            scoped_teams: Project ids to limit the key to (empty: all).
            scoped_organizations: Organisation ids to limit the key to (empty: all).

        Returns:
            The key and its plain value.

        Raises:
            InvalidInput: A bad label or scope, or the 10-key limit.
            ReauthRequired: The sign-in is over 2 hours old.
            PermissionDenied: Called with a personal key instead of a session.
        """
        reply = await self._call(
            "POST",
            "/api/personal_api_keys/",
            json={
                "label": label,
                "scopes": list(scopes),
                "scoped_teams": list(scoped_teams),
                "scoped_organizations": list(scoped_organizations),
            },
            retry=False,
        )
        return self._new_key(reply)

    @staticmethod
    def _key_path(key_id: str, suffix: str = "") -> str:
        return f"/api/personal_api_keys/{quote(key_id, safe='@')}/{suffix}"

    async def get_key(self, key_id: str) -> PersonalApiKey:
        """One personal key (without its value)."""
        reply = await self._call("GET", self._key_path(key_id))
        try:
            return _parse.personal_key(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    async def update_key(self, key_id: str, **fields: Any) -> PersonalApiKey:
        """Change a key's `label`, `scopes`, `scoped_teams` or `scoped_organizations`.

        Raises:
            ValueError: Another field was given (a programming error, not a PostHog one).
        """
        unknown = set(fields) - _KEY_FIELDS
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))} of a personal key")
        body = {
            name: list(value) if isinstance(value, tuple | list | set | frozenset) else value
            for name, value in fields.items()
        }
        reply = await self._call("PATCH", self._key_path(key_id), json=body, retry=False)
        try:
            return _parse.personal_key(reply.data)
        except _parse.Malformed as error:
            raise _malformed(error) from None

    async def delete_key(self, key_id: str) -> None:
        """Delete a key: everything using it stops working."""
        await self._call("DELETE", self._key_path(key_id), retry=False)

    async def roll_key(self, key_id: str) -> NewPersonalApiKey:
        """Replace a key's value: the old value stops working, the new one is shown once."""
        reply = await self._call("POST", self._key_path(key_id, "roll/"), retry=False)
        return self._new_key(reply)

    async def current_key(self) -> PersonalApiKey:
        """`@current`: the key this client authenticates with (key auth only)."""
        return await self.get_key("@current")

    # -- checking a project key (contract §7) -----------------------------------------------

    async def check_project_key(self, token: str) -> FlagsCheck:
        """POST {ingest}/flags?v=2; valid on 200, invalid on 401 (plain text).

        No cookie and no personal key go with it: the ingestion host needs neither.

        Args:
            token: The project API key to check.

        Returns:
            `valid` True on 200 (and on 402: the key exists but its billing limit is hit),
            False on 400/401/403 with PostHog's text in `detail`.

        Raises:
            Throttled: 429 after the retries.
            ServerError: 5xx after the retries.
        """
        reply = await self._t.request(
            "POST",
            f"{self.host.ingest_url}/flags?v=2",
            json={"token": token.strip(), "distinct_id": FLAGS_DISTINCT_ID},
            credentials=False,
            # /flags only evaluates: repeating it after a 429 or a 502 changes nothing.
            retry=True,
            accept=(400, 401, 402, 403),
            expect="text",
        )
        body = reply.data if isinstance(reply.data, dict) else {}
        if reply.status == 200:
            flags = body.get("flags", body.get("featureFlags"))
            if not isinstance(reply.data, dict):
                raise _malformed(_parse.Malformed("flags answer is not an object"))
            return FlagsCheck(
                valid=True,
                status=200,
                flag_count=len(flags) if isinstance(flags, dict | list) else 0,
            )
        detail = body.get("detail") if isinstance(body.get("detail"), str) else None
        if detail is None and not reply.text.lstrip().startswith("<"):
            # The 401 is plain text; a proxy's HTML page is never kept.
            detail = reply.text
        return FlagsCheck(
            valid=reply.status == 402,
            status=reply.status,
            detail=clean_text(detail or ""),
        )
