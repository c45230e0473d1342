"""What the SDKs send (contract §7): events, remote config, and the bodies they compress."""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs

from phguide.demo.state import DemoState
from phguide.demo.wire import (
    MAX_BODY,
    ApiError,
    Request,
    Response,
    json_response,
    text_response,
)

MAX_RECORDED: Final = 10_000
"""Events and flag calls the server remembers (oldest dropped first)."""

CORS_PATHS: Final = (
    "/batch",
    "/e",
    "/i/v0/e",
    "/capture",
    "/track",
    "/flags",
    "/array",
    "/decide",
    "/static",
)
"""Public paths a browser page calls from another origin (the private `/api/` is not one)."""


@dataclass(frozen=True)
class CapturedEvent:
    """One event as it arrived, for tests to assert on."""

    event: str
    distinct_id: str | None
    token: str | None
    """The project key the event was sent with (known or not: capture accepts any)."""
    path: str
    """Where it arrived: `/batch/`, `/e/`, `/i/v0/e/`."""
    properties: dict[str, Any] = field(default_factory=dict)
    project_id: int | None = None
    """The project of `token`, None for an unknown key."""


@dataclass(frozen=True)
class FlagCall:
    """One `/flags` or flag-definitions request as it arrived."""

    path: str
    token: str | None
    distinct_id: str | None
    """None for a definitions request."""
    key_mask: str | None = None
    """The mask of the secret or personal key a definitions request was authorised with."""


def remember(items: list[Any], item: object) -> None:
    """Append, dropping the oldest past `MAX_RECORDED`."""
    items.append(item)
    del items[:-MAX_RECORDED]


def _gunzip(body: bytes) -> bytes:
    # Bounded: a small gzip bomb must not take the server's memory.
    return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_BODY * 10)


def decode_payload(req: Request) -> Any:
    """The JSON a capture or flags request carries, however the SDK packed it.

    posthog-node and posthog-python gzip with `Content-Encoding: gzip`; posthog-js marks its
    compression in the query (`compression=gzip-js`, or `base64` in a form field `data`).

    Raises:
        ApiError: 400 when the body cannot be read.
    """
    # An old-style GET carries its payload in the `data` query parameter.
    body = req.body or (req.param("data") or "").encode()
    compression = (req.param("compression") or "").lower()
    try:
        if body[:2] == b"\x1f\x8b" or "gzip" in req.headers.get("content-encoding", "").lower():
            body = _gunzip(body)
        ctype = req.headers.get("content-type", "")
        if ctype.startswith("application/x-www-form-urlencoded"):
            form = parse_qs(body.decode("utf-8", "replace"))
            body = (form.get("data") or [""])[-1].encode()
            compression = compression or "base64"
        if compression == "base64" and body and body.lstrip()[:1] not in (b"{", b"["):
            body = base64.b64decode(body + b"=" * (-len(body) % 4))
        return json.loads(body) if body.strip() else {}
    except (OSError, EOFError, zlib.error, binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "validation_error", "invalid_payload", "Malformed request data.", None
        ) from None


def _events(payload: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The events of a payload and the batch-level project key, if any."""
    token = None
    if isinstance(payload, dict) and isinstance(payload.get("batch"), list):
        token = payload.get("api_key")
        rows = payload["batch"]
    elif isinstance(payload, list):
        rows = payload
    else:
        rows = [payload]
    events = [row for row in rows if isinstance(row, dict) and "event" in row]
    return events, token if isinstance(token, str) else None


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def capture(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`/batch/`, `/e/`, `/i/v0/e/`: record each event; any project key gets 200, as on PostHog."""
    events, batch_token = _events(decode_payload(req))
    if not events:
        raise ApiError(400, "validation_error", "invalid_payload", "No events in the request.")
    for event in events:
        properties = event.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        token = (
            _text(event.get("api_key"))
            or batch_token
            or _text(properties.get("token"))
            or _text(event.get("$token"))
            or req.param("token")
            or req.param("api_key")
        )
        if token is None:
            raise ApiError(
                401,
                "authentication_error",
                "invalid_api_key",
                "API key not provided. You can find your project API key in PostHog project "
                "settings.",
            )
        project = state.data.project_by_token(token)
        distinct_id = _text(event.get("distinct_id")) or _text(properties.get("distinct_id"))
        remember(
            state.captured,
            CapturedEvent(
                event=str(event["event"]),
                distinct_id=distinct_id,
                token=token,
                path=req.path,
                properties=properties,
                project_id=project.id if project else None,
            ),
        )
    state.notify(f"captured {len(events)} event(s) at {req.path}")
    return json_response(200, {"status": 1})


def remote_config(token: str) -> dict[str, Any]:
    """PostHog's remote config for a browser: load nothing extra, send events to `/i/v0/e/`."""
    return {
        "token": token,
        "supportedCompression": ["gzip", "gzip-js"],
        "hasFeatureFlags": True,
        "analytics": {"endpoint": "/i/v0/e/"},
        "autocapture_opt_out": True,
        "autocaptureExceptions": False,
        "captureDeadClicks": False,
        "capturePerformance": False,
        "elementsChainAsString": True,
        "heatmaps": False,
        "sessionRecording": False,
        "surveys": False,
        "productTours": False,
        "defaultIdentifiedOnly": True,
        "siteApps": [],
    }


def array_config(state: DemoState, req: Request, params: dict[str, str]) -> Response:
    """`/array/<token>/config` (JSON) and `/array/<token>/config.js` (a script setting it)."""
    token = params["token"]
    if state.data.project_by_token(token) is None:
        return text_response(404, "Not found.")
    config = remote_config(token)
    if params.get("file") == "config.js":
        script = (
            "(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};"
            f"window._POSTHOG_REMOTE_CONFIG[{json.dumps(token)}]="
            f"{json.dumps({'config': config, 'siteApps': []})};}})();"
        )
        return text_response(200, script, "application/javascript")
    return json_response(200, config)


def with_cors(req: Request, response: Response) -> Response:
    """Let a page on another origin read the answer (the browser SDK's calls)."""
    origin = req.headers.get("origin")
    if origin:
        response.headers.append(("Access-Control-Allow-Origin", origin))
        response.headers.append(("Access-Control-Allow-Credentials", "true"))
        response.headers.append(("Vary", "Origin"))
    return response


def preflight(req: Request) -> Response:
    """Answer a CORS preflight for a public path."""
    response = Response(204, b"", content_type="")
    response.headers.append(("Access-Control-Allow-Methods", "GET, POST, OPTIONS"))
    asked = req.headers.get("access-control-request-headers")
    response.headers.append(("Access-Control-Allow-Headers", asked or "Content-Type"))
    response.headers.append(("Access-Control-Max-Age", "600"))
    return with_cors(req, response)


def is_public(path: str) -> bool:
    """True for the paths the SDKs call (CORS applies), False for `/api/` and the pages."""
    return any(path == p or path.startswith(p + "/") for p in CORS_PATHS)
