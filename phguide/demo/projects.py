"""The user, organizations and projects: `/api/users/@me/`, project listings, `reset_token`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from phguide.demo.auth import (
    SCOPED_PROJECTS_ONLY,
    Caller,
    authenticate,
    check_org_access,
    check_project_access,
)
from phguide.demo.clock import iso
from phguide.demo.data import ADMIN, DemoOrg, DemoProject, DemoUser, random_project_token
from phguide.demo.state import REAUTH_WINDOW, DemoState
from phguide.demo.wire import (
    Request,
    Response,
    json_response,
    not_found,
    permission_denied,
)

PAGE_SIZE = 100
"""PostHog's default LimitOffset page size."""


def team_json(project: DemoProject) -> dict[str, Any]:
    """A project as the user's `team` and as a listing row."""
    return {
        "id": project.id,
        "uuid": project.uuid,
        "organization": project.org_id,
        "project_id": project.id,
        "api_token": project.api_token,
        "name": project.name,
        "completed_snippet_onboarding": project.ingested_event,
        "has_completed_onboarding_for": {},
        "ingested_event": project.ingested_event,
        "is_demo": project.is_demo,
        "timezone": project.timezone,
        "access_control": False,
    }


def project_json(state: DemoState, user: DemoUser, project: DemoProject) -> dict[str, Any]:
    """One project in full (`/api/projects/{id}/`)."""
    return {
        **team_json(project),
        "created_at": iso(project.created_at),
        "updated_at": iso(project.created_at),
        "anonymize_ips": False,
        "app_urls": [],
        "session_recording_opt_in": False,
        "effective_membership_level": user.memberships.get(project.org_id),
        "secret_api_token": None,
    }


def org_basic_json(org: DemoOrg, level: int) -> dict[str, Any]:
    """An organization in `/api/users/@me/`'s `organizations`."""
    return {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "logo_media_id": None,
        "membership_level": level,
        "members_can_use_personal_api_keys": org.members_can_use_personal_api_keys,
        "is_active": True,
        "is_not_active_reason": None,
    }


def _org_json(state: DemoState, org: DemoOrg, level: int) -> dict[str, Any]:
    projects = [state.data.projects[pid] for pid in state.data.org_project_ids(org.id)]
    members = sum(1 for u in state.data.users.values() if org.id in u.memberships)
    return {
        **org_basic_json(org, level),
        "created_at": iso(org.created_at),
        "updated_at": iso(org.created_at),
        "plugins_access_level": 9,
        "teams": [team_json(p) for p in projects],
        "projects": [{"id": p.id, "name": p.name, "organization_id": org.id} for p in projects],
        "available_product_features": [],
        "is_member_join_email_enabled": True,
        "metadata": {},
        "customer_id": None,
        "enforce_2fa": org.enforce_2fa,
        "members_can_invite": True,
        "allow_publicly_shared_resources": True,
        "member_count": members,
    }


def current_project(state: DemoState, caller: Caller) -> DemoProject | None:
    """The caller's current project; a key scoped to one project is "in" that project."""
    key = caller.key
    if key is not None and len(key.scoped_teams) == 1:
        return state.data.projects.get(key.scoped_teams[0])
    if caller.user.current_team_id is None:
        return None
    return state.data.projects.get(caller.user.current_team_id)


def current_org(state: DemoState, caller: Caller) -> DemoOrg | None:
    """The organization of the current project, else the user's first one."""
    project = current_project(state, caller)
    if project is not None:
        return state.data.orgs.get(project.org_id)
    first = next(iter(caller.user.memberships), None)
    return state.data.orgs.get(first) if first else None


def me(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET /api/users/@me/`."""
    caller = authenticate(state, req, scope="user:read")
    user = caller.user
    team = current_project(state, caller)
    org = current_org(state, caller)
    orgs = [
        org_basic_json(state.data.orgs[org_id], level)
        for org_id, level in user.memberships.items()
        if org_id in state.data.orgs
    ]
    reauth_until = None
    if caller.session is not None:
        reauth_until = iso(caller.session.login_at + REAUTH_WINDOW)
    return json_response(
        200,
        {
            "date_joined": iso(user.date_joined),
            "uuid": user.uuid,
            "distinct_id": user.uuid,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.served_email,
            "pending_email": None,
            "is_email_verified": user.is_email_verified,
            "notification_settings": {},
            "anonymize_data": False,
            "toolbar_mode": "toolbar",
            "has_password": True,
            "is_staff": False,
            "is_impersonated": False,
            "is_2fa_enabled": user.second_factor == "totp",
            "has_social_auth": False,
            "has_sso_enforcement": False,
            "sensitive_session_expires_at": reauth_until,
            "team": team_json(team) if team else None,
            "organization": _org_json(state, org, user.memberships[org.id]) if org else None,
            "organizations": orgs,
            "scene_personalisation": [],
            "theme_mode": None,
            "role_at_organization": None,
        },
    )


def _paginate(state: DemoState, req: Request, ids: list[int]) -> Response:
    """DRF's LimitOffsetPagination: `count`, absolute `next`/`previous` from the Host header."""
    limit = _int_param(req.param("limit"), PAGE_SIZE, minimum=1)
    offset = _int_param(req.param("offset"), 0, minimum=0)
    count = len(ids)

    def url(new_offset: int | None) -> str:
        query = {name: values[-1] for name, values in req.query.items()}
        query["limit"] = str(limit)
        if new_offset is None:
            query.pop("offset", None)
        else:
            query["offset"] = str(new_offset)
        return f"{req.base_url}{req.path}?{urlencode(query)}"

    next_url = url(offset + limit) if offset + limit < count else None
    previous_url = None
    if offset > 0:
        previous_url = url(None if offset - limit <= 0 else offset - limit)
    return json_response(
        200,
        {
            "count": count,
            "next": next_url,
            "previous": previous_url,
            "results": [
                team_json(state.data.projects[pid]) for pid in ids[offset : offset + limit]
            ],
        },
    )


def _int_param(text: str | None, default: int, *, minimum: int) -> int:
    # DRF ignores a limit or offset it cannot read rather than failing.
    try:
        value = int(text) if text is not None else default
    except ValueError:
        return default
    return value if value >= minimum else default


def org_projects(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET /api/organizations/{id|@current}/projects/`."""
    caller = authenticate(state, req, scope="project:read")
    org_id = params["org"]
    org = current_org(state, caller) if org_id == "@current" else state.data.orgs.get(org_id)
    if org is None:
        raise not_found()
    check_org_access(state, caller, org, org_view=True)
    return _paginate(state, req, state.data.org_project_ids(org.id))


def projects(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET /api/projects/`: the projects of the current organization."""
    caller = authenticate(state, req, scope="project:read")
    if caller.key is not None and caller.key.scoped_teams:
        raise permission_denied(SCOPED_PROJECTS_ONLY)
    org = current_org(state, caller)
    if org is None:
        return _paginate(state, req, [])
    check_org_access(state, caller, org, org_view=True)
    return _paginate(state, req, state.data.org_project_ids(org.id))


def _project(state: DemoState, caller: Caller, ref: str) -> DemoProject:
    if ref == "@current":
        project = current_project(state, caller)
    else:
        project = state.data.projects.get(int(ref)) if ref.isdigit() else None
    if project is None:
        raise not_found()
    check_project_access(state, caller, project)
    return project


def project(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET /api/projects/{id|@current}/`."""
    caller = authenticate(state, req, scope="project:read")
    found = _project(state, caller, params["project"])
    return json_response(200, project_json(state, caller.user, found))


def reset_token(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`PATCH /api/projects/{id}/reset_token/`: a new project key (admins only)."""
    caller = authenticate(state, req, scope="project:write")
    found = _project(state, caller, params["project"])
    if caller.user.memberships.get(found.org_id, 0) < ADMIN:
        raise permission_denied("You do not have admin access to this resource.")
    found.api_token = random_project_token()
    return json_response(200, project_json(state, caller.user, found))
