"""PostHogClient: every call of the contract on one `httpx.AsyncClient`.

INTERFACE STUB: the foundation helper implements the bodies; the signatures are the contract
the screens and subcommands are written against.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from phguide.api.models import (
    DeviceAuthorization,
    DeviceCode,
    FlagsCheck,
    NewPersonalApiKey,
    OrgProjects,
    PersonalApiKey,
    Precheck,
    Project,
    User,
)
from phguide.hosts import Host
from phguide.secret import Secret

AuthKind = Literal["none", "session", "key"]


class PostHogClient:
    """An async client for one PostHog host.

    Args:
        host: The PostHog to talk to.
        personal_key: Authenticate with this personal API key (Bearer) instead of a session.
        remember_cookies: `remember-cookie_*` cookies from an earlier login (skip the 2nd factor).
        timeout: Seconds for each request (connect, read, write, pool).
        retries: Extra attempts for 429 and 502/503/504 on idempotent calls.
        transport: An httpx transport for tests of faults the demo server cannot make.
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
    ) -> None:
        raise NotImplementedError

    host: Host
    auth_kind: AuthKind

    async def aclose(self) -> None: ...
    async def __aenter__(self) -> PostHogClient: ...
    async def __aexit__(self, *exc: object) -> None: ...

    def use_personal_key(self, key: Secret) -> None:
        """Authenticate later calls with this key (and drop any session)."""

    @property
    def personal_key(self) -> Secret | None:
        """The key in use, if any."""

    def remember_cookies(self) -> dict[str, Secret]:
        """The `remember-cookie_*` cookies the last login set, for the keyring."""

    # -- password login (contract §3) -------------------------------------------------------
    async def precheck(self, email: str) -> Precheck: ...
    async def login(self, email: str, password: Secret) -> None:
        """GET /login for CSRF, then POST /api/login.

        Raises:
            SecondFactorRequired: kind "totp" or "email"; call `login_token` or `verify_email_code`.
            SsoEnforced, ApiError, TransportError, ServerError.
        """

    async def login_token(self, token: str) -> None: ...
    async def verify_email_code(self, email: str, code: str) -> None: ...
    async def resend_email_code(self, email: str) -> None: ...
    async def logout(self) -> None: ...

    # -- device flow (contract §5) ----------------------------------------------------------
    async def start_device_flow(self) -> DeviceCode:
        """Raises DeviceFlowUnsupported on 404."""

    async def poll_device(self, device_code: str) -> DeviceAuthorization | None:
        """One poll: None while pending. Raises DeviceCodeExpired."""

    async def wait_for_device_approval(
        self,
        code: DeviceCode,
        *,
        on_tick: Callable[[float], Awaitable[None] | None] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> DeviceAuthorization:
        """Poll every `interval` seconds until approved; cancel the task to stop.

        `on_tick(seconds_left)` is called after each poll. On success the key is also
        adopted (`use_personal_key`). Raises DeviceCodeExpired.
        """

    # -- reading (contract §4) --------------------------------------------------------------
    async def me(self) -> User: ...
    async def org_projects(self, org_id: str) -> list[Project]:
        """Every project of an organisation: all pages (fetched concurrently by offset)."""

    async def all_projects(self, user: User) -> list[OrgProjects]:
        """Every organisation's projects, concurrently; a forbidden org carries an error."""

    async def project(self, project_id: int | str) -> Project:
        """One project (`@current` allowed)."""

    async def reset_project_token(self, project_id: int) -> Project: ...

    # -- personal keys (contract §6) --------------------------------------------------------
    async def list_keys(self) -> list[PersonalApiKey]: ...
    async def create_key(
        self,
        label: str,
        scopes: Sequence[str],
        scoped_teams: Sequence[int] = (),
        scoped_organizations: Sequence[str] = (),
    ) -> NewPersonalApiKey: ...
    async def get_key(self, key_id: str) -> PersonalApiKey: ...
    async def update_key(self, key_id: str, **fields: Any) -> PersonalApiKey: ...
    async def delete_key(self, key_id: str) -> None: ...
    async def roll_key(self, key_id: str) -> NewPersonalApiKey: ...
    async def current_key(self) -> PersonalApiKey:
        """`@current`: the key this client authenticates with (key auth only)."""

    # -- checking a project key (contract §7) -----------------------------------------------
    async def check_project_key(self, token: str) -> FlagsCheck:
        """POST {ingest}/flags?v=2; valid on 200, invalid on 401 (plain text)."""
