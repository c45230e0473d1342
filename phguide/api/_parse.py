"""Defensive parsing of PostHog's JSON into the frozen models.

PostHog adds fields often and self-hosted instances lag behind, so unknown fields are ignored,
wrong types fall back to defaults, and only data phguide cannot work without raises `Malformed`.
Every text field passes through `phguide.core.text.clean` here, once: names, labels and emails
are typed by other people and must never drive the terminal (secrets are not text and are kept
as sent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from phguide.api.models import (
    DeviceAuthorization,
    DeviceCode,
    NewPersonalApiKey,
    NewProjectSecretKey,
    Organization,
    PersonalApiKey,
    Precheck,
    Project,
    ProjectSecretKey,
    User,
)
from phguide.core.secret import Secret
from phguide.core.text import clean

log = logging.getLogger("phguide.api")

T = TypeVar("T")


class Malformed(Exception):
    """A successful answer lacks data phguide needs; the client turns it into a TransportError.

    The text names the missing field only, never a value from the body.
    """


def as_dict(data: object, what: str) -> Mapping[str, Any]:
    """Require a JSON object.

    Args:
        data: The parsed JSON.
        what: What the object should be, for the error.

    Returns:
        The object.

    Raises:
        Malformed: It is not an object.
    """
    if not isinstance(data, Mapping):
        raise Malformed(f"{what} is not an object")
    return data


def as_list(data: object, what: str) -> list[Any]:
    """Require a JSON array, or a paginated object's `results` (either shape is accepted).

    Raises:
        Malformed: It is neither.
    """
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        return list(data["results"])
    raise Malformed(f"{what} is not a list")


def req_str(data: Mapping[str, Any], key: str) -> str:
    """A required text field; numbers are accepted and turned into text (ids vary by version).

    Raises:
        Malformed: Missing, empty or of another type.
    """
    value = data.get(key)
    if isinstance(value, bool):
        raise Malformed(f"{key} is missing")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or not value:
        raise Malformed(f"{key} is missing")
    return clean(value)


def _raw_str(data: Mapping[str, Any], key: str) -> str:
    """A required secret, as sent: a secret is never shown, so it is not cleaned.

    Raises:
        Malformed: Missing, empty or not text.
    """
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise Malformed(f"{key} is missing")
    return value


def opt_str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    """An optional text field: anything but text gives the default."""
    value = data.get(key)
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return default


def opt_nullable_str(data: Mapping[str, Any], key: str) -> str | None:
    """An optional text field that may be null (timestamps, ids)."""
    value = data.get(key)
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _to_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def req_int(data: Mapping[str, Any], key: str) -> int:
    """A required integer field; a string of digits is accepted (the device flow sends one).

    Raises:
        Malformed: Missing or not a whole number.
    """
    value = _to_int(data.get(key))
    if value is None:
        raise Malformed(f"{key} is missing")
    return value


def opt_int(data: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    """An optional integer field."""
    value = _to_int(data.get(key))
    return default if value is None else value


def opt_bool(data: Mapping[str, Any], key: str, default: bool) -> bool:
    """An optional boolean field: anything but a JSON boolean gives the default."""
    value = data.get(key)
    return value if isinstance(value, bool) else default


def str_tuple(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings; other items are skipped."""
    value = data.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(
        clean(item if isinstance(item, str) else str(item)) for item in value if item is not None
    )


def int_tuple(data: Mapping[str, Any], key: str) -> tuple[int, ...]:
    """A list of integers; other items are skipped."""
    value = data.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(number for number in map(_to_int, value) if number is not None)


def each(rows: list[Any], parse: Callable[[Any], T], what: str) -> list[T]:
    """Parse every row of a list, skipping rows that lack what phguide needs.

    One odd row (a project half-created on an old instance) must not hide all the others.
    """
    parsed: list[T] = []
    for row in rows:
        try:
            parsed.append(parse(row))
        except Malformed as error:
            log.debug("skipped a %s row PostHog sent: %s", what, error)
    return parsed


def organization(data: object) -> Organization:
    """An organization from `/api/users/@me/` (`organization` or an `organizations` row)."""
    row = as_dict(data, "organization")
    return Organization(
        id=req_str(row, "id"),
        name=opt_str(row, "name"),
        slug=opt_str(row, "slug"),
        membership_level=opt_int(row, "membership_level"),
        members_can_use_personal_api_keys=opt_bool(row, "members_can_use_personal_api_keys", True),
        is_active=opt_bool(row, "is_active", True),
    )


def project(data: object) -> Project:
    """A project row (`/api/projects/{id}/`, a page of an organization's projects, `team`)."""
    row = as_dict(data, "project")
    return Project(
        id=req_int(row, "id"),
        name=opt_str(row, "name"),
        api_token=req_str(row, "api_token"),
        organization=opt_str(row, "organization"),
        uuid=opt_str(row, "uuid"),
        is_demo=opt_bool(row, "is_demo", False),
        timezone=opt_str(row, "timezone", "UTC") or "UTC",
        ingested_event=opt_bool(row, "ingested_event", False),
    )


def user(data: object) -> User:
    """`/api/users/@me/`: only the email is required; odd sub-objects are dropped."""
    row = as_dict(data, "user")
    team: Project | None = None
    if row.get("team") is not None:
        try:
            team = project(row["team"])
        except Malformed as error:
            log.debug("ignored the current project PostHog sent: %s", error)
    current: Organization | None = None
    if row.get("organization") is not None:
        try:
            current = organization(row["organization"])
        except Malformed as error:
            log.debug("ignored the current organization PostHog sent: %s", error)
    organizations = row.get("organizations")
    return User(
        uuid=opt_str(row, "uuid"),
        email=req_str(row, "email"),
        first_name=opt_str(row, "first_name"),
        last_name=opt_str(row, "last_name"),
        is_2fa_enabled=opt_bool(row, "is_2fa_enabled", False),
        team=team,
        organization=current,
        organizations=tuple(
            each(organizations if isinstance(organizations, list) else [], organization, "org")
        ),
    )


def personal_key(data: object) -> PersonalApiKey:
    """A personal API key row; its `value` is deliberately not read here."""
    row = as_dict(data, "personal API key")
    return PersonalApiKey(
        id=req_str(row, "id"),
        label=opt_str(row, "label"),
        mask_value=opt_str(row, "mask_value"),
        scopes=str_tuple(row, "scopes"),
        scoped_teams=int_tuple(row, "scoped_teams"),
        scoped_organizations=str_tuple(row, "scoped_organizations"),
        created_at=opt_nullable_str(row, "created_at"),
        last_used_at=opt_nullable_str(row, "last_used_at"),
        last_rolled_at=opt_nullable_str(row, "last_rolled_at"),
        user_id=opt_nullable_str(row, "user_id"),
    )


def new_personal_key(data: object) -> NewPersonalApiKey:
    """A key just created or rolled: the plain `value` is required (it is shown only now).

    Raises:
        Malformed: No value came back.
    """
    row = as_dict(data, "personal API key")
    value = Secret(_raw_str(row, "value"))
    key = personal_key(row)
    if not key.mask_value:
        # Older instances leave mask_value out of the create answer; PostHog's mask is 4+4.
        key = replace(key, mask_value=value.masked)
    return NewPersonalApiKey(key=key, value=value)


def precheck(data: object) -> Precheck:
    """`/api/login/precheck`."""
    row = as_dict(data, "precheck")
    enforcement = row.get("sso_enforcement")
    return Precheck(
        sso_enforcement=clean(enforcement)
        if isinstance(enforcement, str) and enforcement
        else None,
        saml_available=opt_bool(row, "saml_available", False),
    )


def device_code(data: object) -> DeviceCode:
    """`/api/cli-auth/device-code/`."""
    row = as_dict(data, "device code")
    uri = req_str(row, "verification_uri")
    user_code = req_str(row, "user_code")
    return DeviceCode(
        device_code=req_str(row, "device_code"),
        user_code=user_code,
        verification_uri=uri,
        verification_uri_complete=opt_str(row, "verification_uri_complete")
        or f"{uri}?code={user_code}",
        expires_in=max(1, opt_int(row, "expires_in", 600) or 600),
        # An interval of 0 would poll in a tight loop; PostHog's default is 5.
        interval=max(1, opt_int(row, "interval", 5) or 5),
    )


def device_authorization(data: Mapping[str, Any]) -> DeviceAuthorization:
    """The `authorized` answer of `/api/cli-auth/poll/`.

    Raises:
        Malformed: No key came back.
    """
    return DeviceAuthorization(
        personal_api_key=Secret(_raw_str(data, "personal_api_key")),
        label=opt_str(data, "label"),
        project_id=opt_int(data, "project_id"),
        # Absent and empty differ: an empty list means "no access" (contract §6).
        scopes=str_tuple(data, "scopes") if isinstance(data.get("scopes"), list) else None,
    )


def secret_key(data: object) -> ProjectSecretKey:
    """A project secret key row (contract §6b); a `value` is never read here."""
    row = as_dict(data, "project secret API key")
    creator = row.get("created_by")
    return ProjectSecretKey(
        id=req_str(row, "id"),
        label=opt_str(row, "label"),
        mask_value=opt_str(row, "mask_value"),
        scopes=str_tuple(row, "scopes"),
        created_at=opt_nullable_str(row, "created_at"),
        last_used_at=opt_nullable_str(row, "last_used_at"),
        last_rolled_at=opt_nullable_str(row, "last_rolled_at"),
        created_by=opt_str(creator, "email") or None if isinstance(creator, Mapping) else None,
    )


def new_secret_key(data: object) -> NewProjectSecretKey:
    """A project secret key just created or rolled: the plain `value` is required.

    Raises:
        Malformed: No value came back.
    """
    row = as_dict(data, "project secret API key")
    value = Secret(_raw_str(row, "value"))
    key = secret_key(row)
    if not key.mask_value:
        key = replace(key, mask_value=value.masked)
    return NewProjectSecretKey(key=key, value=value)


def page(data: object) -> tuple[int | None, str | None, list[Any]]:
    """One page of a paginated list: `(count, next, results)`.

    Raises:
        Malformed: No `results` list.
    """
    if isinstance(data, list):
        # Not paginated after all (an older instance): the whole list in one answer.
        return len(data), None, data
    row = as_dict(data, "page")
    results = row.get("results")
    if not isinstance(results, list):
        raise Malformed("results is missing")
    next_url = row.get("next")
    return (
        opt_int(row, "count"),
        next_url if isinstance(next_url, str) and next_url else None,
        results,
    )
