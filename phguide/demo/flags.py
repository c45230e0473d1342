"""`/flags`: a project key checked without a personal key, and what the SDKs ask for (§7)."""

from __future__ import annotations

import uuid
from typing import Any

from phguide.demo.data import DemoProject
from phguide.demo.ingest import FlagCall, decode_payload, remember, remote_config
from phguide.demo.state import DemoState
from phguide.demo.wire import ApiError, Request, Response, json_response, text_response


def _v2_rows(project: DemoProject) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for number, (name, value) in enumerate(sorted(project.flags.items()), start=1):
        rows[name] = {
            "key": name,
            "enabled": bool(value),
            "variant": value if isinstance(value, str) else None,
            "reason": {
                "code": "condition_match" if value else "no_condition_match",
                "condition_index": 0,
                "description": "Matched condition set 1" if value else "No matching condition set",
            },
            "metadata": {"id": number, "version": 1, "payload": None, "description": None},
        }
    return rows


def _version(req: Request) -> int:
    try:
        return int(req.param("v") or 1)
    except ValueError:
        return 1


def flags(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """Answer a flags request: the project's flags for a known key, a plain-text 401 otherwise.

    `v=2` and later (posthog-js asks 2, posthog-python 4) get the `flags` shape; `config=true`
    adds the remote config, as PostHog does for the browser SDK.
    """
    try:
        body = decode_payload(req)
    except ApiError:
        body = {}
    if not isinstance(body, dict):
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
    distinct_id = body.get("distinct_id")
    remember(
        state.flag_calls,
        FlagCall(req.path, token, str(distinct_id) if distinct_id is not None else None),
    )
    answer: dict[str, Any]
    # /decide is the older endpoint: its answers keep the featureFlags shape at any version.
    if _version(req) >= 2 and not req.path.startswith("/decide"):
        answer = {"flags": _v2_rows(project), "errorsWhileComputingFlags": False}
    else:
        answer = {
            "featureFlags": dict(project.flags),
            "featureFlagPayloads": {},
            "errorsWhileComputingFlags": False,
        }
    answer["requestId"] = str(uuid.uuid4())
    if (req.param("config") or "").lower() == "true":
        answer = {**remote_config(token), **answer}
    return json_response(200, answer)
