"""Personal API keys: list, create, get, update, delete, roll and `@current`."""

from __future__ import annotations

import uuid
from typing import Any, Final

from phguide.demo.auth import KEY_NOT_SUPPORTED, Caller, authenticate, require_recent_login
from phguide.demo.clock import iso
from phguide.demo.data import MAX_KEYS_PER_USER, DemoKey, DemoUser
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

SCOPE_OBJECTS: Final = frozenset(
    {
        "access_control",
        "action",
        "activity_log",
        "alert",
        "dataset",
        "endpoint",
        "insight_variable",
        "integration",
        "llm_gateway",
        "llm_prompt",
        "logs",
        "product_tour",
        "task",
        "warehouse_table",
        "warehouse_view",
        "annotation",
        "batch_export",
        "cohort",
        "dashboard",
        "dashboard_template",
        "early_access_feature",
        "error_tracking",
        "event_definition",
        "experiment",
        "export",
        "feature_flag",
        "group",
        "hog_function",
        "insight",
        "notebook",
        "organization",
        "organization_member",
        "person",
        "plugin",
        "project",
        "property_definition",
        "query",
        "session_recording",
        "session_recording_playlist",
        "sharing_configuration",
        "subscription",
        "survey",
        "user",
        "webhook",
    }
)
"""Objects a scope may name (a subset of PostHog's ever-changing list)."""
SCOPE_ACTIONS: Final = frozenset({"read", "write"})


def key_json(key: DemoKey, user: DemoUser, value: str | None = None) -> dict[str, Any]:
    """A key row; `value` is the plain key on create and roll only."""
    return {
        "id": key.id,
        "label": key.label,
        "value": value,
        "mask_value": key.mask_value,
        "created_at": iso(key.created_at),
        "last_used_at": iso(key.last_used_at) if key.last_used_at is not None else None,
        "last_rolled_at": iso(key.last_rolled_at) if key.last_rolled_at is not None else None,
        "user_id": user.id,
        # No scopes is no access since 2026-03; PostHog shows null as [].
        "scopes": list(key.scopes),
        "scoped_teams": key.scoped_teams,
        "scoped_organizations": key.scoped_organizations,
    }


def _session_caller(state: DemoState, req: Request) -> Caller:
    return authenticate(state, req, allow_key=False)


def _validated(
    state: DemoState, user: DemoUser, body: dict[str, Any], *, partial: bool
) -> dict[str, Any]:
    """The writable fields of a create or update body, checked as PostHog's serializer does."""
    fields: dict[str, Any] = {}
    if not partial or "label" in body:
        fields["label"] = label_field(body)
    if not partial or "scopes" in body:
        fields["scopes"] = _scopes(body.get("scopes"), "scopes" in body)
    if "scoped_teams" in body:
        fields["scoped_teams"] = _scoped_teams(state, user, body["scoped_teams"])
    elif not partial:
        fields["scoped_teams"] = []
    if "scoped_organizations" in body:
        fields["scoped_organizations"] = _scoped_orgs(user, body["scoped_organizations"])
    elif not partial:
        fields["scoped_organizations"] = []
    return fields


def _list_of(value: object, attr: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(f'Expected a list of items but got type "{type(value).__name__}".', attr)
    return value


def _scopes(value: object, present: bool) -> list[str]:
    if not present or value is None:
        raise required("scopes")
    scopes = _list_of(value, "scopes")
    if not scopes:
        # PostHog refuses a key with no scopes: it could do nothing.
        raise invalid("This list may not be empty.", "scopes")
    for scope in scopes:
        if scope == "*":
            continue
        obj, sep, action = str(scope).partition(":")
        if not (
            isinstance(scope, str) and sep and obj in SCOPE_OBJECTS and action in SCOPE_ACTIONS
        ):
            raise invalid(f"Invalid scope: {scope}", "scopes")
    return [str(scope) for scope in scopes]


def _scoped_teams(state: DemoState, user: DemoUser, value: object) -> list[int]:
    teams = _list_of(value, "scoped_teams")
    if not all(isinstance(t, int) and not isinstance(t, bool) for t in teams):
        raise invalid("A valid integer is required.", "scoped_teams")
    mine = set(state.data.user_project_ids(user))
    if any(t not in mine for t in teams):
        raise invalid(
            "You must be a member of all teams that you are scoping the key to.", "scoped_teams"
        )
    return list(teams)


def _scoped_orgs(user: DemoUser, value: object) -> list[str]:
    orgs = _list_of(value, "scoped_organizations")
    for org_id in orgs:
        try:
            uuid.UUID(str(org_id))
        except ValueError:
            raise invalid("Invalid organization UUID", "scoped_organizations") from None
        if org_id not in user.memberships:
            raise invalid(
                "You must be a member of all organizations that you are scoping the key to.",
                "scoped_organizations",
            )
    return [str(org_id) for org_id in orgs]


def list_or_create(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET|POST /api/personal_api_keys/`."""
    caller = _session_caller(state, req)
    user = caller.user
    if req.method == "GET":
        return json_response(200, [key_json(k, user) for k in state.data.user_keys(user.email)])
    require_recent_login(state, caller)
    fields = _validated(state, user, req.json(), partial=False)
    if len(state.data.user_keys(user.email)) >= MAX_KEYS_PER_USER:
        raise invalid(
            f"You can only have {MAX_KEYS_PER_USER} personal API keys. "
            "Remove an existing key before creating a new one."
        )
    key, value = state.data.create_key(
        user,
        fields["label"],
        fields["scopes"],
        scoped_teams=fields["scoped_teams"],
        scoped_organizations=fields["scoped_organizations"],
        created_at=state.now(),
    )
    return json_response(201, key_json(key, user, value))


def _own_key(state: DemoState, caller: Caller, key_id: str) -> DemoKey:
    key = state.data.keys.get(key_id)
    if key is None or key.user_email != caller.user.email:
        raise not_found()
    return key


def detail(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET|PATCH|DELETE /api/personal_api_keys/{id}/`, and `GET @current` with a key."""
    key_id = params["key"]
    if key_id == "@current":
        if req.method != "GET":
            raise permission_denied(KEY_NOT_SUPPORTED)
        caller = authenticate(state, req)
        if caller.key is None:
            raise not_found()
        return json_response(200, key_json(caller.key, caller.user))
    caller = _session_caller(state, req)
    key = _own_key(state, caller, key_id)
    if req.method == "GET":
        return json_response(200, key_json(key, caller.user))
    require_recent_login(state, caller)
    if req.method == "DELETE":
        state.data.delete_key(key)
        return Response(204, b"", "")
    fields = _validated(state, caller.user, req.json(), partial=True)
    for name, value in fields.items():
        setattr(key, name, value)
    return json_response(200, key_json(key, caller.user))


def roll(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`POST /api/personal_api_keys/{id}/roll/`: a new value; the old one stops working."""
    caller = _session_caller(state, req)
    key = _own_key(state, caller, params["key"])
    require_recent_login(state, caller)
    value = state.data.roll_key(key, state.now())
    return json_response(200, key_json(key, caller.user, value))
