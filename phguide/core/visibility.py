"""What a key or a session can see: organizations, projects, and what it may not list.

One function for the CLI, the project screen and the key check: a project-scoped key (browser
approval makes one) cannot list an organization (contract §5), so its own projects are read
one by one; everything else lists every organization, each failing on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from phguide.api.errors import PermissionDenied, PostHogError
from phguide.api.models import Organization, OrgProjects, PersonalApiKey, Project, User

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient

UNKNOWN_ORGANIZATION = "(organization this key cannot read)"
"""The name shown for an organization known only by the id on its project."""


@dataclass(frozen=True)
class Failure:
    """Something the caller could not list, and why (PostHog's words, cleaned)."""

    what: str
    """"project 42", or an organization's name."""
    reason: str
    error: PostHogError = field(compare=False, repr=False)


@dataclass(frozen=True)
class Visible:
    """Everything one set of credentials can see."""

    organizations: tuple[OrgProjects, ...]
    """Each organization with its projects, or its `error` when it could not be listed."""
    user: User | None
    """None when the key lacks `user:read`."""
    key: PersonalApiKey | None = None
    """The personal key in use, when it is a key and PostHog described it."""
    scoped: bool = False
    """True when the key is limited to projects: only those are listed."""
    failures: tuple[Failure, ...] = ()
    """Projects the key names but cannot read."""
    user_error: PermissionDenied | None = None
    """Why the user could not be read (a key without `user:read`)."""

    @property
    def projects(self) -> list[Project]:
        """Every project seen, in order."""
        return [project for org in self.organizations for project in org.projects]


async def _gather_projects(
    client: PostHogClient, targets: Sequence[int | str]
) -> tuple[list[Project], list[Failure]]:
    results = await asyncio.gather(
        *(client.project(target) for target in targets), return_exceptions=True
    )
    projects: list[Project] = []
    failures: list[Failure] = []
    for target, result in zip(targets, results, strict=True):
        if isinstance(result, Project):
            projects.append(result)
        elif isinstance(result, PostHogError):
            failures.append(Failure(f"project {target}", result.message, result))
        elif isinstance(result, BaseException):
            raise result  # a bug or a cancellation is not a listing failure
    return projects, failures


def _by_organization(projects: Sequence[Project], user: User | None) -> list[OrgProjects]:
    known: dict[str, Organization] = {}
    if user is not None:
        if user.organization is not None:
            known[user.organization.id] = user.organization
        known.update((org.id, org) for org in user.organizations)
    groups: dict[str, list[Project]] = {}
    for project in projects:
        groups.setdefault(project.organization, []).append(project)
    return [
        OrgProjects(known.get(org_id) or Organization(org_id, UNKNOWN_ORGANIZATION), tuple(group))
        for org_id, group in groups.items()
    ]


async def what_can_see(
    client: PostHogClient,
    *,
    user: User | None = None,
    project_id: int | None = None,
) -> Visible:
    """List what the client's credentials can see.

    Args:
        client: Signed in with a session or a personal key.
        user: The user, when already read (saves a round trip).
        project_id: A project the key is known to be for (the browser approval's), used
            when the key does not say which projects it is scoped to.

    Returns:
        What is visible. Per-organization and per-project refusals are inside it.

    Raises:
        PostHogError: A failure about the credentials as a whole (invalid key, network).
    """
    user_error: PermissionDenied | None = None
    key: PersonalApiKey | None = None
    if client.auth_kind == "key":
        me_task = asyncio.ensure_future(client.me()) if user is None else None
        try:
            key = await client.current_key()
        except PermissionDenied:
            key = None  # an older server may refuse `@current`: decide from what else is known
        except BaseException:
            if me_task is not None:
                me_task.cancel()
            raise
        if me_task is not None:
            try:
                user = await me_task
            except PermissionDenied as error:
                user_error = error  # a valid key without `user:read`
    elif user is None:
        user = await client.me()

    teams: tuple[int, ...] = key.scoped_teams if key is not None else ()
    if not teams and user is None and project_id is not None:
        teams = (project_id,)
    if teams:
        projects, failures = await _gather_projects(client, teams)
        return Visible(
            tuple(_by_organization(projects, user)),
            user,
            key,
            scoped=True,
            failures=tuple(failures),
            user_error=user_error,
        )
    if user is None:
        # Not scoped, yet the user cannot be read: the current project is all there is.
        projects, failures = await _gather_projects(client, ["@current"])
        return Visible(
            tuple(_by_organization(projects, None)),
            None,
            key,
            failures=tuple(failures),
            user_error=user_error,
        )
    listing = await client.all_projects(user)
    return Visible(tuple(listing), user, key, user_error=user_error)
