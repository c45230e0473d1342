"""PostHogClient: every call of the API contract on one `httpx.AsyncClient`.

Importing this module does not import httpx: the transport loads when the first client is built,
so `phguide --version` and the first screen never wait for it. The device flow lives in
`_device`, key management in `_keys`, the shared plumbing in `_base`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from phguide.api import _parse
from phguide.api._base import REMEMBER_PREFIX, AuthKind, malformed, run_all
from phguide.api._device import DeviceFlowMixin
from phguide.api._keys import KeysMixin
from phguide.api.errors import (
    NotFound,
    PermissionDenied,
    PostHogError,
    ServerError,
    TransportError,
    TwoFactorEnforced,
    clean_text,
)
from phguide.api.models import (
    FlagsCheck,
    Organization,
    OrgProjects,
    Precheck,
    Project,
    User,
)
from phguide.core.secret import Secret

if TYPE_CHECKING:
    from phguide.api._transport import Reply

__all__ = ["REMEMBER_PREFIX", "AuthKind", "PostHogClient"]

log = logging.getLogger("phguide.api")

PAGE_SIZE: Final = 100
"""PostHog's default and largest useful page of projects."""
PAGE_CONCURRENCY: Final = 8
"""Pages of one organization fetched at once: enough to hide latency, gentle on the server."""
MAX_PAGES: Final = 200
"""A guard against a server whose `next` links never end (20,000 projects at 100 a page)."""
FLAGS_DISTINCT_ID: Final = "phguide-key-check"
"""The distinct id of a key check: `/flags` evaluates flags for it and ingests nothing."""

_ORG_ERRORS: Final = (PermissionDenied, NotFound, TwoFactorEnforced)
"""Failures that belong to one organization; anything else is about the whole session."""


class PostHogClient(DeviceFlowMixin, KeysMixin):
    """An async client for one PostHog host: every call of the contract.

    Built as `ClientBase` says (host, key or remember cookies, timeouts, retries, transport);
    the device flow comes from `DeviceFlowMixin`, key management from `KeysMixin`.
    """

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

        await run_all([check(), prime()])
        try:
            return _parse.precheck(answer[0].data)
        except _parse.Malformed as error:
            raise malformed(error) from None

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

    # -- reading (contract §4) --------------------------------------------------------------

    async def me(self) -> User:
        """The signed-in user, their current project and organizations.

        Raises:
            NotAuthenticated: No session, or the key is not valid.
            PermissionDenied: The key lacks `user:read`.
        """
        reply = await self._call("GET", "/api/users/@me/")
        try:
            return _parse.user(reply.data)
        except _parse.Malformed as error:
            raise malformed(error) from None

    async def _page(self, url: str) -> tuple[int | None, str | None, list[Any]]:
        reply = await self._t.request("GET", url)
        try:
            return _parse.page(reply.data)
        except _parse.Malformed as error:
            raise malformed(error) from None

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
        """Every project of an organization: all pages (fetched concurrently by offset).

        Args:
            org_id: The organization's id, or `@current`.

        Returns:
            The projects in PostHog's order, each once.

        Raises:
            PermissionDenied: The key cannot list this organization (project-scoped key,
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

            results = await run_all(fetch(url) for url in planned)
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
                    "Check that the address points at PostHog itself; a real organization "
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
        """Every organization's projects, concurrently; a forbidden org carries an error.

        Args:
            user: From `me`: its organizations are listed (or its current one).

        Returns:
            One entry per organization, in the user's order. An organization the caller may
            not list (403, 404, enforced 2FA) has `error` set; the others still list.

        Raises:
            PostHogError: A failure that is not about one organization (network, session).
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

        return await run_all(one(organization) for organization in organizations)

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
            raise malformed(error) from None

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
                raise malformed(_parse.Malformed("flags answer is not an object"))
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

    # -- local flag evaluation (contract §6b) ----------------------------------------------

    async def local_evaluation(self, token: str | None = None) -> FlagsCheck:
        """Fetch flag definitions with this client's key, as a server SDK does.

        The key (a project secret key `phs_`, or a personal key) goes in the header only, to
        this client's own host; the project token (public) names the project in the query.

        Args:
            token: The project API key (`phc_`); None to let a secret key name its project.

        Returns:
            `valid` on 200 with the number of flags; else the status, PostHog's `code` and
            detail (401 for a bad key and for a wrong project token alike: the caller tells
            them apart by asking again).

        Raises:
            Throttled: 429 after the retries.
            ServerError: 5xx after the retries.
        """
        query = "send_cohorts"
        if token:
            query = f"token={quote(token.strip(), safe='')}&send_cohorts"
        reply: Reply | None = None
        for path in ("/api/feature_flag/local_evaluation/", "/flags/definitions"):
            reply = await self._call(
                "GET", f"{path}?{query}", retry=True, accept=(400, 401, 402, 403, 404)
            )
            if reply.status != 404:
                break
        assert reply is not None
        body = reply.data if isinstance(reply.data, dict) else {}
        if reply.status == 200:
            flags = body.get("flags")
            return FlagsCheck(
                valid=True,
                status=200,
                flag_count=len(flags) if isinstance(flags, dict | list) else 0,
            )
        detail = body.get("detail")
        code = body.get("code")
        return FlagsCheck(
            valid=False,
            status=reply.status,
            detail=clean_text(detail) if isinstance(detail, str) else "",
            code=code if isinstance(code, str) else "",
        )
