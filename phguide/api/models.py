"""Typed, frozen views of what PostHog's API returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

# Re-exported: they live in key_kinds, light enough for `check` to import alone.
from phguide.api.key_kinds import key_kind as key_kind
from phguide.core.secret import Secret

if TYPE_CHECKING:
    from phguide.api.key_kinds import KeyKind as KeyKind


@dataclass(frozen=True)
class Organization:
    """An organization the user belongs to."""

    id: str
    """A UUID string."""
    name: str
    slug: str = ""
    membership_level: int | None = None
    """1 = member, 8 = admin, 15 = owner (PostHog's `OrganizationMembership.Level`)."""
    members_can_use_personal_api_keys: bool = True
    is_active: bool = True

    @property
    def is_admin(self) -> bool:
        """True for admins and owners, whom the personal-key setting does not restrict."""
        return (self.membership_level or 0) >= 8


@dataclass(frozen=True)
class Project:
    """A project (PostHog's `Team`) and its public project API key."""

    id: int
    name: str
    api_token: str
    """The project API key (`phc_…`): public, safe in frontend code."""
    organization: str = ""
    """The organization's id."""
    uuid: str = ""
    is_demo: bool = False
    timezone: str = "UTC"
    ingested_event: bool = False


@dataclass(frozen=True)
class User:
    """The signed-in user (`/api/users/@me/`)."""

    uuid: str
    email: str
    first_name: str = ""
    last_name: str = ""
    is_2fa_enabled: bool = False
    team: Project | None = None
    """The current project."""
    organization: Organization | None = None
    """The current organization."""
    organizations: tuple[Organization, ...] = ()

    @property
    def display_name(self) -> str:
        """First and last name, or the email when there is no name."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email


@dataclass(frozen=True)
class PersonalApiKey:
    """A personal API key as listed: the plain value is never here."""

    id: str
    label: str
    mask_value: str
    scopes: tuple[str, ...] = ()
    scoped_teams: tuple[int, ...] = ()
    scoped_organizations: tuple[str, ...] = ()
    created_at: str | None = None
    last_used_at: str | None = None
    last_rolled_at: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class NewPersonalApiKey:
    """A key just created or rolled: the only time its value exists outside the server."""

    key: PersonalApiKey
    value: Secret


@dataclass(frozen=True)
class ProjectSecretKey:
    """A project secret API key (`phs_`, contract §6b) as listed: never its plain value."""

    id: str
    label: str
    mask_value: str
    scopes: tuple[str, ...] = ()
    created_at: str | None = None
    last_used_at: str | None = None
    last_rolled_at: str | None = None
    created_by: str | None = None
    """The creator's email, when PostHog says it."""


@dataclass(frozen=True)
class NewProjectSecretKey:
    """A project secret key just created or rolled: its value exists only now."""

    key: ProjectSecretKey
    value: Secret


@dataclass(frozen=True)
class Precheck:
    """What `/api/login/precheck` says about an email."""

    sso_enforcement: str | None
    """None, or the provider the account must use (`google-oauth2`, `github`, `gitlab`, `saml`)."""
    saml_available: bool = False


@dataclass(frozen=True)
class DeviceCode:
    """A device-flow code to show the user (`/api/cli-auth/device-code/`)."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int

    @property
    def browser_url(self) -> str:
        """The page to open: the complete URI with PostHog's `use_cases` hint."""
        sep = "&" if "?" in self.verification_uri_complete else "?"
        return f"{self.verification_uri_complete}{sep}use_cases=agent-cli"


@dataclass(frozen=True)
class DeviceAuthorization:
    """The key the device flow hands over, once."""

    personal_api_key: Secret
    label: str
    project_id: int | None
    scopes: tuple[str, ...] | None = None
    """The scopes PostHog granted, or None when the poll answer did not say (older versions)."""


@dataclass(frozen=True)
class OrgProjects:
    """One organization's projects, or why they could not be listed."""

    organization: Organization
    projects: tuple[Project, ...] = ()
    error: str | None = None
    """A user-facing reason when the listing failed (for example, personal keys forbidden)."""


@dataclass(frozen=True)
class FlagsCheck:
    """The result of checking a project key through `/flags`."""

    valid: bool
    status: int
    flag_count: int = 0
    detail: str = ""
    code: str = ""
    """PostHog's error code, when the answer was its JSON."""
