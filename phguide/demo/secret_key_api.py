"""Project secret API keys over HTTP (contract §6b): list, create, roll, delete.

The keys themselves live in `DemoData.secret_keys` (hashed); this is the management API.
Reads need access to the project; writes need a project admin and a login under two hours
old (so a personal key cannot write: it has no login).
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlencode

from phguide.demo.auth import Caller, authenticate, check_project_access, require_recent_login
from phguide.demo.clock import iso
from phguide.demo.data import ADMIN, DemoProject
from phguide.demo.secret_keys import MAX_SECRET_KEYS_PER_PROJECT, DemoSecretKey
from phguide.demo.state import DemoState
from phguide.demo.wire import (
    Request,
    Response,
    invalid,
    json_response,
    label_field,
    not_found,
    permission_denied,
    required,
)

ALLOWED_SCOPES: Final = frozenset(
    {
        "feature_flag:read",
        "endpoint:read",
        "account:read",
        "experiment:read",
        "loop:write",
        "hog_flow:write",
    }
)
"""What a project secret key may be granted; `*` is refused."""
PAGE_SIZE: Final = 100


def secret_key_json(key: DemoSecretKey, value: str | None = None) -> dict[str, Any]:
    """A key row: `value` is the plain key on create and roll only."""
    row: dict[str, Any] = {
        "id": key.id,
        "label": key.label,
        "mask_value": key.mask_value,
        "scopes": list(key.scopes),
        "created_at": iso(key.created_at),
        "created_by": {"email": key.created_by} if key.created_by else None,
        "last_used_at": iso(key.last_used_at) if key.last_used_at is not None else None,
        "last_rolled_at": iso(key.last_rolled_at) if key.last_rolled_at is not None else None,
    }
    if value is not None:
        row["value"] = value
    return row


def _project(state: DemoState, req: Request, ref: str, scope: str) -> tuple[Caller, DemoProject]:
    caller = authenticate(state, req, scope=scope)
    project = state.data.projects.get(int(ref)) if ref.isdigit() else None
    if project is None:
        raise not_found()
    check_project_access(state, caller, project)
    return caller, project


def _writer(state: DemoState, req: Request, ref: str) -> tuple[Caller, DemoProject]:
    caller, project = _project(state, req, ref, "project:write")
    if caller.user.memberships.get(project.org_id, 0) < ADMIN:
        raise permission_denied("You do not have admin access to this resource.")
    require_recent_login(state, caller)
    return caller, project


def _scopes(value: object) -> list[str]:
    if value is None:
        raise required("scopes")
    if not isinstance(value, list) or not value:
        raise invalid("Pick at least one scope.", "scopes")
    for scope in value:
        if scope == "*":
            raise invalid("Project secret API keys cannot have the * scope.", "scopes")
        if not isinstance(scope, str) or scope not in ALLOWED_SCOPES:
            raise invalid(f"Invalid scope: {scope}", "scopes")
    return list(dict.fromkeys(value))


def _page(req: Request, rows: list[dict[str, Any]]) -> Response:
    try:
        limit = max(1, int(req.param("limit") or PAGE_SIZE))
        offset = max(0, int(req.param("offset") or 0))
    except ValueError:
        limit, offset = PAGE_SIZE, 0

    def url(start: int) -> str:
        return f"{req.base_url}{req.path}?{urlencode({'limit': limit, 'offset': start})}"

    return json_response(
        200,
        {
            "count": len(rows),
            "next": url(offset + limit) if offset + limit < len(rows) else None,
            "previous": url(max(0, offset - limit)) if offset > 0 else None,
            "results": rows[offset : offset + limit],
        },
    )


def list_or_create(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET|POST /api/projects/{id}/project_secret_api_keys/`."""
    if req.method == "GET":
        _, project = _project(state, req, params["project"], "project:read")
        keys = state.data.secret_keys.of_project(project.id)
        return _page(req, [secret_key_json(key) for key in keys])
    caller, project = _writer(state, req, params["project"])
    body = req.json()
    label = label_field(body)
    scopes = _scopes(body.get("scopes"))
    existing = state.data.secret_keys.of_project(project.id)
    if any(key.label == label for key in existing):
        raise invalid("A secret API key with this label already exists.", "label")
    if len(existing) >= MAX_SECRET_KEYS_PER_PROJECT:
        raise invalid(
            f"A project can have at most {MAX_SECRET_KEYS_PER_PROJECT} secret API keys. "
            "Delete one before creating another."
        )
    key, value = state.data.secret_keys.create(
        project.id, label, scopes, created_at=state.now(), created_by=caller.user.served_email
    )
    return json_response(201, secret_key_json(key, value))


def _own(state: DemoState, project: DemoProject, key_id: str) -> DemoSecretKey:
    key = state.data.secret_keys.by_id.get(key_id)
    if key is None or key.project_id != project.id:
        raise not_found()
    return key


def delete(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`DELETE /api/projects/{id}/project_secret_api_keys/{key_id}/`."""
    _, project = _writer(state, req, params["project"])
    state.data.secret_keys.delete(_own(state, project, params["key"]))
    return Response(204, b"", "")


def roll(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/projects/{id}/project_secret_api_keys/{key_id}/roll/`: a new value, once."""
    _, project = _writer(state, req, params["project"])
    key = _own(state, project, params["key"])
    value = state.data.secret_keys.roll(key, state.now())
    return json_response(200, secret_key_json(key, value))
