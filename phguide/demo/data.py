"""The demo server's state: users, organizations, projects and personal keys, and their seeds."""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Final, Literal

from phguide.demo.secret_keys import SecretKeys
from phguide.demo.totp import same

SecondFactor = Literal["none", "totp", "email"]

DEMO_PASSWORD: Final = "hedgehog-demo-pass"
"""The password of every seeded account."""
DEMO_EMAIL: Final = "max@hedgehoglabs.example"
"""The main demo user: no second factor, two organizations, three personal keys."""
TOTP_EMAIL: Final = "tess@hedgehoglabs.example"
"""A user with authenticator-app 2FA and backup codes."""
EMAIL_CODE_EMAIL: Final = "eli@hedgehoglabs.example"
"""A user whose login needs a 6-digit code "emailed" by the server."""
UNVERIFIED_EMAIL: Final = "una@hedgehoglabs.example"
"""A user whose email address is not verified yet (login gives `not_verified`)."""
SSO_DOMAIN: Final = "acme-sso.example"
"""Every address at this domain must sign in through SSO."""
SSO_PROVIDER: Final = "google-oauth2"
SSO_EMAIL: Final = f"sam@{SSO_DOMAIN}"
"""A user whose domain enforces SSO (password login gives `sso_enforced`)."""
EU_EMAIL: Final = "eva@igel.example"
"""The user of the EU data set; the US accounts do not exist there, and vice versa."""

MEMBER: Final = 1
ADMIN: Final = 8
OWNER: Final = 15
"""PostHog's `OrganizationMembership.Level` values."""

MAX_KEYS_PER_USER: Final = 10
_ALNUM: Final = string.ascii_letters + string.digits

_DAY: Final = 86_400.0


def hash_key(value: str) -> str:
    """How the server stores a personal key: its sha256, never the value."""
    return hashlib.sha256(value.encode()).hexdigest()


def mask_key(value: str) -> str:
    """PostHog's mask of a key: the first 4 and the last 4 characters."""
    return f"{value[:4]}...{value[-4:]}"


def new_personal_key_value(
    suffix: str = "", rng: random.Random | None = None, *, prefix: str = "phx_"
) -> str:
    """A fresh random key: ``phx_`` (or ``phs_``) and 35 letters and digits.

    Args:
        suffix: Fixed last characters (seeded keys use this so their masks stay stable).
        rng: A seeded generator to draw from instead of `secrets` (repeatable screenshots).
        prefix: The key's prefix: ``phs_`` for a project secret key.
    """
    choice = secrets.choice if rng is None else rng.choice
    random_part = "".join(choice(_ALNUM) for _ in range(35 - len(suffix)))
    return prefix + random_part + suffix


def _base62(digest: bytes, length: int) -> str:
    number = int.from_bytes(digest, "big")
    chars: list[str] = []
    while len(chars) < length:
        number, rest = divmod(number, 62)
        chars.append(_ALNUM[rest])
    return "".join(chars)


def project_token(seed: str) -> str:
    """A deterministic project key (``phc_`` + 43 characters): stable screenshots."""
    return "phc_" + _base62(hashlib.sha256(f"phguide-demo:{seed}".encode()).digest(), 43)


def random_project_token() -> str:
    """A fresh random project key (a reset token)."""
    return "phc_" + "".join(secrets.choice(_ALNUM) for _ in range(43))


def _seeded_uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://phguide.demo/{name}"))


def _password_hash(password: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


@dataclass
class DemoOrg:
    """An organization."""

    id: str
    """A UUID string."""
    name: str
    slug: str
    members_can_use_personal_api_keys: bool = True
    enforce_2fa: bool = False
    created_at: float = 0.0


@dataclass
class DemoProject:
    """A project (PostHog's team) with its public project key."""

    id: int
    uuid: str
    org_id: str
    name: str
    api_token: str
    timezone: str = "UTC"
    is_demo: bool = False
    ingested_event: bool = True
    created_at: float = 0.0
    flags: dict[str, bool | str] = field(default_factory=dict)
    """Feature flags `/flags` answers for this project's key."""


@dataclass
class DemoKey:
    """A personal API key as the server stores it: hashed, never the plain value."""

    id: str
    user_email: str
    label: str
    secure_value: str
    """sha256 of the plain value."""
    mask_value: str
    scopes: list[str]
    scoped_teams: list[int] = field(default_factory=list)
    scoped_organizations: list[str] = field(default_factory=list)
    created_at: float = 0.0
    last_used_at: float | None = None
    last_rolled_at: float | None = None


@dataclass
class DemoUser:
    """A user account."""

    id: int
    """The numeric primary key (a key row's `user_id`)."""
    uuid: str
    email: str
    first_name: str
    last_name: str
    password_hash: str
    password_salt: str
    memberships: dict[str, int]
    """Organization id -> membership level."""
    current_team_id: int | None
    second_factor: SecondFactor = "none"
    totp_secret: str | None = None
    """Base32 TOTP secret for `second_factor == "totp"`."""
    backup_codes: list[str] = field(default_factory=list)
    """Unused backup codes; each works once."""
    is_email_verified: bool = True
    date_joined: float = 0.0
    shown_email: str | None = None
    """The email the server's answers give, when it says other than the one signed in with (a
    hostile server may say anything: hostile mode)."""

    @property
    def served_email(self) -> str:
        """The email `/users/@me/` and key rows give."""
        return self.shown_email or self.email

    def check_password(self, password: str) -> bool:
        """True when the password is this user's."""
        return same(_password_hash(password, self.password_salt), self.password_hash)


class DemoData:
    """Everything the demo server knows; handlers hold `lock` while they read or change it.

    Args:
        region: ``"us"`` or ``"eu"``: which cloud this data set plays.
        now: The moment seeded timestamps are relative to (default: the real time).
    """

    def __init__(self, region: str = "us", *, now: float | None = None) -> None:
        self.region = region
        """The region this data set plays (region-mistake demos run one server per region)."""
        self.lock = threading.RLock()
        """Guards every attribute below."""
        self.users: dict[str, DemoUser] = {}
        """By lower-case email."""
        self.orgs: dict[str, DemoOrg] = {}
        self.projects: dict[int, DemoProject] = {}
        self.keys: dict[str, DemoKey] = {}
        """Personal keys by id."""
        self.secret_keys = SecretKeys(lambda: self.random)
        """Project secret API keys (`phs_`, §6b)."""
        self.sso_domains: dict[str, str] = {}
        """Email domain -> enforced SSO provider."""
        self.saml_domains: set[str] = set()
        self._keys_by_hash: dict[str, str] = {}
        self._org_projects: dict[str, list[int]] = {}
        self._next_project_id = 1
        self.seeded_at = time.time() if now is None else now
        """The moment seeded timestamps are relative to."""
        self.approval_query = ""
        """Added to the browser-approval URL the device flow gives (hostile mode's markup)."""
        self.random: random.Random | None = None
        """A seeded generator for new key values and device codes, so screenshots come out the
        same every run; None draws them from `secrets`."""

    # -- building -------------------------------------------------------------------------------
    def add_org(self, name: str, *, members_can_use_personal_api_keys: bool = True) -> DemoOrg:
        """Add an organization with a stable id derived from its name."""
        slug = name.lower().replace(" ", "-")
        org = DemoOrg(
            id=_seeded_uuid(f"{self.region}/org/{slug}"),
            name=name,
            slug=slug,
            members_can_use_personal_api_keys=members_can_use_personal_api_keys,
            created_at=self.seeded_at - 400 * _DAY,
        )
        self.orgs[org.id] = org
        self._org_projects[org.id] = []
        return org

    def add_project(
        self,
        org: DemoOrg,
        name: str,
        *,
        project_id: int | None = None,
        ingested_event: bool = True,
        flags: dict[str, bool | str] | None = None,
    ) -> DemoProject:
        """Add a project with a stable project key derived from the region and its id."""
        pid = self._next_project_id if project_id is None else project_id
        self._next_project_id = max(self._next_project_id, pid + 1)
        project = DemoProject(
            id=pid,
            uuid=_seeded_uuid(f"{self.region}/project/{pid}"),
            org_id=org.id,
            name=name,
            api_token=project_token(f"{self.region}/{pid}"),
            ingested_event=ingested_event,
            created_at=org.created_at + pid,
            flags=dict(flags or {}),
        )
        self.projects[pid] = project
        self._org_projects[org.id].append(pid)
        return project

    def add_user(
        self,
        email: str,
        first_name: str,
        last_name: str,
        memberships: dict[str, int],
        current_team_id: int | None,
        *,
        password: str = DEMO_PASSWORD,
        second_factor: SecondFactor = "none",
        is_email_verified: bool = True,
    ) -> DemoUser:
        """Add a user; a TOTP user gets a stable secret and ten backup codes."""
        salt = hashlib.sha256(email.encode()).hexdigest()[:16]
        user = DemoUser(
            id=len(self.users) + 1,
            uuid=_seeded_uuid(f"{self.region}/user/{email}"),
            email=email,
            first_name=first_name,
            last_name=last_name,
            password_hash=_password_hash(password, salt),
            password_salt=salt,
            memberships=dict(memberships),
            current_team_id=current_team_id,
            second_factor=second_factor,
            is_email_verified=is_email_verified,
            date_joined=self.seeded_at - 300 * _DAY,
        )
        if second_factor == "totp":
            # Derived, not random, so the demo's printed hints and screenshots stay stable.
            digest = hashlib.sha256(f"totp:{email}".encode()).digest()
            user.totp_secret = base64_secret(digest[:20])
            user.backup_codes = [
                hashlib.sha256(f"backup:{email}:{n}".encode()).hexdigest()[:8] for n in range(10)
            ]
        self.users[email.lower()] = user
        return user

    # -- reading --------------------------------------------------------------------------------
    def user(self, email: str) -> DemoUser | None:
        """The user with this email (case-insensitive), if any."""
        return self.users.get(email.strip().lower())

    def org_project_ids(self, org_id: str) -> list[int]:
        """An organization's project ids, oldest first."""
        return self._org_projects.get(org_id, [])

    def user_project_ids(self, user: DemoUser) -> list[int]:
        """Every project of every organization the user belongs to."""
        return [pid for org_id in user.memberships for pid in self.org_project_ids(org_id)]

    def user_keys(self, email: str) -> list[DemoKey]:
        """A user's personal keys, newest first."""
        mine = [key for key in self.keys.values() if key.user_email == email]
        # Creation order breaks ties between keys made in the same instant.
        order = sorted(enumerate(mine), key=lambda pair: (pair[1].created_at, pair[0]))
        return [key for _, key in reversed(order)]

    def project_by_token(self, token: str) -> DemoProject | None:
        """The project whose project key this is."""
        return next((p for p in self.projects.values() if p.api_token == token), None)

    # -- personal keys --------------------------------------------------------------------------
    def create_key(
        self,
        user: DemoUser,
        label: str,
        scopes: list[str],
        *,
        scoped_teams: list[int] | None = None,
        scoped_organizations: list[str] | None = None,
        created_at: float,
        last_used_at: float | None = None,
        stable_mask: bool = False,
    ) -> tuple[DemoKey, str]:
        """Create a key; returns it and its plain value, which only the caller ever sees.

        Args:
            stable_mask: Derive the last 4 characters from the label so the mask is the same
                every run (seeded keys, screenshots); the rest stays random.
        """
        suffix = ""
        if stable_mask:
            suffix = _base62(hashlib.sha256(f"mask:{user.email}:{label}".encode()).digest(), 4)
        value = new_personal_key_value(suffix, self.random)
        key = DemoKey(
            id=str(uuid.uuid4()),
            user_email=user.email,
            label=label,
            secure_value=hash_key(value),
            mask_value=mask_key(value),
            scopes=list(scopes),
            scoped_teams=list(scoped_teams or []),
            scoped_organizations=list(scoped_organizations or []),
            created_at=created_at,
            last_used_at=last_used_at,
        )
        self.keys[key.id] = key
        self._keys_by_hash[key.secure_value] = key.id
        return key, value

    def find_key(self, value: str) -> DemoKey | None:
        """The key with this plain value, looked up by its hash."""
        key_id = self._keys_by_hash.get(hash_key(value))
        return None if key_id is None else self.keys.get(key_id)

    def roll_key(self, key: DemoKey, now: float) -> str:
        """Give a key a new value; the old one stops working at once."""
        self._keys_by_hash.pop(key.secure_value, None)
        value = new_personal_key_value(rng=self.random)
        key.secure_value = hash_key(value)
        key.mask_value = mask_key(value)
        key.last_rolled_at = now
        self._keys_by_hash[key.secure_value] = key.id
        return value

    def delete_key(self, key: DemoKey) -> None:
        """Delete a key."""
        self._keys_by_hash.pop(key.secure_value, None)
        self.keys.pop(key.id, None)


def base64_secret(raw: bytes) -> str:
    """Base32 without padding, as authenticator apps take a TOTP secret."""
    return base64.b32encode(raw).decode().rstrip("=")


def demo_data(region: str = "us", *, now: float | None = None) -> DemoData:
    """The seeded demo accounts.

    Args:
        region: ``"us"`` for the main demo accounts; ``"eu"`` for a different account set, so a
            US user who picks EU gets `invalid_credentials` as on the real clouds.
        now: The moment the seeded timestamps are relative to (default: the real time).

    Returns:
        Fresh, independent state.
    """
    data = DemoData(region, now=now)
    now = data.seeded_at
    if region == "eu":
        igel = data.add_org("Igel GmbH")
        shop = data.add_project(igel, "Webshop", project_id=5001, flags={"checkout-v2": True})
        data.add_project(igel, "App", project_id=5002)
        eva = data.add_user(EU_EMAIL, "Eva", "Igel", {igel.id: OWNER}, shop.id)
        data.create_key(
            eva,
            "Reporting",
            ["query:read", "insight:read"],
            created_at=now - 20 * _DAY,
            stable_mask=True,
        )
        return data

    labs = data.add_org("Hedgehog Labs")
    acme = data.add_org("Acme Corp", members_can_use_personal_api_keys=False)
    web = data.add_project(
        labs,
        "Web app",
        project_id=1001,
        flags={"new-onboarding": True, "pricing-page": "variant-b", "dark-mode": False},
    )
    mobile = data.add_project(labs, "Mobile app", project_id=1002, flags={"new-onboarding": True})
    data.add_project(labs, "Staging", project_id=1003, ingested_event=False)
    store = data.add_project(acme, "Acme Storefront", project_id=2001, flags={"sale-banner": True})
    data.add_project(acme, "Acme Internal Tools", project_id=2002)

    max_user = data.add_user(
        DEMO_EMAIL, "Max", "Hedgehog", {labs.id: OWNER, acme.id: MEMBER}, web.id
    )
    data.add_user(TOTP_EMAIL, "Tess", "Totp", {labs.id: ADMIN}, web.id, second_factor="totp")
    data.add_user(
        EMAIL_CODE_EMAIL, "Eli", "Mailer", {labs.id: MEMBER}, mobile.id, second_factor="email"
    )
    data.add_user(
        UNVERIFIED_EMAIL, "Una", "Verified", {labs.id: MEMBER}, web.id, is_email_verified=False
    )
    data.add_user(SSO_EMAIL, "Sam", "Single", {acme.id: ADMIN}, store.id)
    data.sso_domains[SSO_DOMAIN] = SSO_PROVIDER
    data.saml_domains.add(SSO_DOMAIN)

    data.create_key(
        max_user,
        "Local development",
        ["*"],
        created_at=now - 90 * _DAY,
        last_used_at=now - 2 * 3600,
        stable_mask=True,
    )
    data.create_key(
        max_user,
        "CI feature flags",
        ["feature_flag:read", "project:read"],
        scoped_teams=[web.id],
        created_at=now - 30 * _DAY,
        last_used_at=now - 3 * _DAY,
        stable_mask=True,
    )
    analytics, _ = data.create_key(
        max_user,
        "Analytics export",
        ["query:read", "insight:read", "user:read"],
        scoped_organizations=[labs.id],
        created_at=now - 10 * _DAY,
        stable_mask=True,
    )
    analytics.last_rolled_at = now - 5 * _DAY
    return data


def scale_data(orgs: int = 100, projects_per_org: int = 100) -> DemoData:
    """One user (`DEMO_EMAIL`, `DEMO_PASSWORD`) who belongs to many organizations, for benchmarks.

    Args:
        orgs: How many organizations.
        projects_per_org: How many projects each has.
    """
    data = DemoData("us")
    memberships: dict[str, int] = {}
    first_project: int | None = None
    for o in range(1, orgs + 1):
        org = data.add_org(f"Org {o:03d}")
        memberships[org.id] = ADMIN
        for p in range(1, projects_per_org + 1):
            project = data.add_project(org, f"Project {o:03d}-{p:03d}")
            first_project = first_project or project.id
    data.add_user(DEMO_EMAIL, "Max", "Hedgehog", memberships, first_project)
    return data
