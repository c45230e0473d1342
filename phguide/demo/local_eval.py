"""Local flag evaluation (§6b): flag definitions for a project secret key or a personal key."""

from __future__ import annotations

from typing import Any, Final

from phguide.demo import auth
from phguide.demo.data import DemoProject, mask_key
from phguide.demo.ingest import FlagCall, remember
from phguide.demo.state import DemoState
from phguide.demo.wire import (
    ApiError,
    Request,
    Response,
    json_response,
    not_authenticated,
    permission_denied,
)

WRONG_TOKEN: Final = "Incorrect authentication credentials."
"""The 401 detail when the key is good but `token` names another (or no) project."""


def bad_key() -> ApiError:
    """401 for a secret or personal key the server does not know (PostHog's wording for both)."""
    return ApiError(
        401,
        "authentication_error",
        "authentication_failed",
        "Personal API key found in request Authorization header is invalid.",
    )


def wrong_token() -> ApiError:
    """401 for a good key with a project token that is not its project's."""
    return ApiError(401, "authentication_error", "authentication_failed", WRONG_TOKEN)


def _header_key(req: Request) -> str | None:
    # Only the header: a secret key in a query string is exactly what phguide never sends.
    scheme, _, value = req.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _flag(number: int, project: DemoProject, key: str, value: bool | str) -> dict[str, Any]:
    variants = None
    if isinstance(value, str):
        variants = {"variants": [{"key": value, "name": value, "rollout_percentage": 100}]}
    return {
        "id": number,
        "team_id": project.id,
        "name": "",
        "key": key,
        "active": True,
        "deleted": False,
        "ensure_experience_continuity": False,
        "version": 1,
        "filters": {
            "groups": [
                {"properties": [], "rollout_percentage": 100 if value else 0, "variant": None}
            ],
            "payloads": {},
            "multivariate": variants,
        },
    }


def _secret_key_project(state: DemoState, value: str, token: str | None) -> DemoProject:
    key = state.data.secret_keys.find(value)
    if key is None:
        raise bad_key()
    if not auth.scope_allows(key.scopes, "feature_flag:read"):
        raise permission_denied("API key missing required scope 'feature_flag:read'")
    project = state.data.projects.get(key.project_id)
    # A secret key names its project: `token` may be left out, but must match when given.
    if project is None or (token is not None and token != project.api_token):
        raise wrong_token()
    key.last_used_at = state.now()
    return project


def _personal_key_project(state: DemoState, req: Request, token: str | None) -> DemoProject:
    caller = auth.authenticate(state, req, scope="feature_flag:read")
    if token is None:
        project = state.data.projects.get(caller.user.current_team_id or -1)
    else:
        project = state.data.project_by_token(token)
    if project is None:
        raise wrong_token()
    auth.check_project_access(state, caller, project)
    return project


def definitions(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`GET /flags/definitions` and `GET /api/feature_flag/local_evaluation/`.

    `Authorization: Bearer phs_…` (or a personal key) and `?token=<phc_>&send_cohorts`: 200 with
    `flags`; 401 with one detail for a bad key and another for a wrong project token.
    """
    value = _header_key(req)
    if value is None:
        raise not_authenticated()
    token = req.param("token") or None
    if value.startswith("phs_"):
        project = _secret_key_project(state, value, token)
    else:
        project = _personal_key_project(state, req, token)
    remember(state.flag_calls, FlagCall(req.path, project.api_token, None, mask_key(value)))
    flags = [
        _flag(number, project, name, flag)
        for number, (name, flag) in enumerate(sorted(project.flags.items()), start=1)
    ]
    return json_response(200, {"flags": flags, "group_type_mapping": {}, "cohorts": {}})
