"""The demo server's routes: each PostHog path (trailing slash optional) and its handlers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from phguide.demo import auth, device, flags, ingest, keys, local_eval, projects, secret_key_api
from phguide.demo.state import DemoState
from phguide.demo.wire import Request, Response

Handler = Callable[[DemoState, Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    """A path pattern (trailing slash optional) and the handler of each method."""

    pattern: re.Pattern[str]
    methods: dict[str, Handler]


def _route(path: str, methods: dict[str, Handler]) -> Route:
    # Every PostHog route answers with and without the trailing slash.
    return Route(re.compile(f"^{path}/?$"), methods)


_ID: Final = r"(?P<{}>[^/]+)"
ROUTES: Final = (
    _route("/login", {"GET": auth.login_page}),
    _route("/logout", {"GET": auth.logout, "POST": auth.logout}),
    _route("/api/login/precheck", {"POST": auth.precheck}),
    _route("/api/login", {"POST": auth.login}),
    _route("/api/login/token", {"POST": auth.login_token}),
    _route("/api/login/code-based-verification", {"POST": auth.verify_code}),
    _route("/api/login/code-based-verification/resend", {"POST": auth.resend_code}),
    _route("/api/users/@me", {"GET": projects.me}),
    _route(f"/api/organizations/{_ID.format('org')}/projects", {"GET": projects.org_projects}),
    _route("/api/projects", {"GET": projects.projects}),
    _route(f"/api/projects/{_ID.format('project')}", {"GET": projects.project}),
    _route(f"/api/projects/{_ID.format('project')}/reset_token", {"PATCH": projects.reset_token}),
    _route(
        f"/api/projects/{_ID.format('project')}/project_secret_api_keys",
        {"GET": secret_key_api.list_or_create, "POST": secret_key_api.list_or_create},
    ),
    _route(
        f"/api/projects/{_ID.format('project')}/project_secret_api_keys/{_ID.format('key')}",
        {"DELETE": secret_key_api.delete},
    ),
    _route(
        f"/api/projects/{_ID.format('project')}/project_secret_api_keys/{_ID.format('key')}/roll",
        {"POST": secret_key_api.roll},
    ),
    _route("/api/personal_api_keys", {"GET": keys.list_or_create, "POST": keys.list_or_create}),
    _route(
        f"/api/personal_api_keys/{_ID.format('key')}",
        {"GET": keys.detail, "PATCH": keys.detail, "DELETE": keys.detail},
    ),
    _route(f"/api/personal_api_keys/{_ID.format('key')}/roll", {"POST": keys.roll}),
    _route("/api/cli-auth/device-code", {"POST": device.device_code}),
    _route("/api/cli-auth/poll", {"POST": device.poll}),
    _route("/cli/authorize", {"GET": device.authorize_page, "POST": device.authorize_page}),
    _route("/flags", {"POST": flags.flags, "GET": flags.flags}),
    _route("/decide", {"POST": flags.flags}),
    _route("/flags/definitions", {"GET": local_eval.definitions}),
    _route("/api/feature_flag/local_evaluation", {"GET": local_eval.definitions}),
    # What the SDKs capture through (§7): posthog-python and -node, then posthog-js.
    *(
        _route(path, {"POST": ingest.capture, "GET": ingest.capture})
        for path in ("/batch", "/e", "/i/v0/e", "/capture", "/track")
    ),
    _route(r"/array/(?P<token>[^/]+)/(?P<file>config(?:\.js)?)", {"GET": ingest.array_config}),
)
