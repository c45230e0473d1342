"""`POST /flags`: how a project key is checked without a personal key."""

from __future__ import annotations

import uuid
from typing import Any

from phguide.demo.state import DemoState
from phguide.demo.wire import ApiError, Request, Response, json_response, text_response


def flags(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """Answer a flags request: the project's flags for a known key, a plain-text 401 otherwise."""
    try:
        body = req.json()
    except ApiError:
        body = {}
    token = body.get("token") or body.get("api_key") or body.get("$token") or req.param("token")
    if not isinstance(token, str) or not token:
        return text_response(
            401,
            "No project API key provided. You can find your project API key in your PostHog "
            "project settings.",
        )
    project = state.data.project_by_token(token)
    if project is None:
        return text_response(
            401,
            "Project API key invalid. You can find your project API key in your PostHog "
            "project settings.",
        )
    if req.param("v") == "2":
        rows: dict[str, Any] = {}
        for number, (name, value) in enumerate(sorted(project.flags.items()), start=1):
            rows[name] = {
                "key": name,
                "enabled": bool(value),
                "variant": value if isinstance(value, str) else None,
                "reason": {
                    "code": "condition_match" if value else "no_condition_match",
                    "condition_index": 0,
                    "description": "Matched condition set 1"
                    if value
                    else "No matching condition set",
                },
                "metadata": {"id": number, "version": 1, "payload": None, "description": None},
            }
        return json_response(
            200,
            {"flags": rows, "errorsWhileComputingFlags": False, "requestId": str(uuid.uuid4())},
        )
    return json_response(
        200,
        {
            "featureFlags": dict(project.flags),
            "featureFlagPayloads": {},
            "errorsWhileComputingFlags": False,
            "requestId": str(uuid.uuid4()),
        },
    )
