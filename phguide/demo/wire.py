"""Requests, responses and PostHog-shaped API errors, independent of the socket plumbing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Final
from urllib.parse import parse_qs

MAX_BODY = 1_000_000
"""Bytes of request body the server reads; more gets 413."""


@dataclass
class Request:
    """One HTTP request as the handlers see it."""

    method: str
    path: str
    """The path without the query string."""
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Lower-case names."""
    body: bytes
    client_ip: str
    default_host: str = "127.0.0.1"
    """`host:port` the server listens on, for requests without a Host header."""

    @property
    def base_url(self) -> str:
        """``http://`` and the Host the client used: what absolute URLs in answers start with."""
        return "http://" + (self.headers.get("host") or self.default_host)

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies the client sent."""
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is the client's problem, not a 500
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (form-encoded bodies are accepted as DRF does).

        Raises:
            ApiError: 400 `parse_error` when the body is not a JSON object.
        """
        if not self.body.strip():
            return {}
        ctype = self.headers.get("content-type", "")
        if ctype.startswith("application/x-www-form-urlencoded"):
            form = parse_qs(self.body.decode("utf-8", "replace"))
            return {name: values[-1] for name, values in form.items()}
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(
                400, "invalid_request", "parse_error", f"JSON parse error - {error}"
            ) from None
        if not isinstance(value, dict):
            raise ApiError(
                400, "validation_error", "invalid_input", "Expected a JSON object.", None
            )
        return value


@dataclass
class Response:
    """What a handler answers; the server adds latency, faults and the socket work."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[str] = field(default_factory=list)
    """Complete `Set-Cookie` header values."""

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        max_age: int | None = None,
        http_only: bool = False,
        same_site: str = "Lax",
    ) -> None:
        """Add a cookie: host-only (no Domain) and without Secure, since the demo speaks http."""
        parts = [f"{name}={value}", "Path=/", f"SameSite={same_site}"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if http_only:
            parts.append("HttpOnly")
        self.cookies.append("; ".join(parts))

    def delete_cookie(self, name: str) -> None:
        """Tell the client to forget a cookie."""
        self.cookies.append(f'{name}=""; Path=/; Max-Age=0; expires=Thu, 01 Jan 1970 00:00:00 GMT')


def json_response(status: int, value: object) -> Response:
    """A JSON response."""
    return Response(status, json.dumps(value).encode())


def text_response(status: int, text: str, content_type: str = "text/plain") -> Response:
    """A plain-text (or HTML) response in UTF-8."""
    return Response(status, text.encode(), f"{content_type}; charset=utf-8")


class ApiError(Exception):
    """A PostHog error body `{"type", "code", "detail", "attr"}` with its HTTP status.

    Args:
        status: The HTTP status.
        type: `validation_error`, `authentication_error`, `invalid_request`, `server_error` or
            `throttled_error`.
        code: The machine-readable code.
        detail: The human text.
        attr: The field a validation error is about.
        headers: Extra response headers (Retry-After).
    """

    def __init__(
        self,
        status: int,
        type: str,
        code: str,
        detail: str,
        attr: str | None = None,
        *,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type
        self.code = code
        self.detail = detail
        self.attr = attr
        self.headers = headers or []

    def response(self) -> Response:
        """The error as PostHog sends it."""
        body = {"type": self.type, "code": self.code, "detail": self.detail, "attr": self.attr}
        response = json_response(self.status, body)
        response.headers.extend(self.headers)
        return response


def invalid(detail: str, attr: str | None = None, code: str = "invalid_input") -> ApiError:
    """400 `validation_error`."""
    return ApiError(400, "validation_error", code, detail, attr)


def required(attr: str) -> ApiError:
    """400 `required`: a field is missing."""
    return ApiError(400, "validation_error", "required", "This field is required.", attr)


def blank(attr: str) -> ApiError:
    """400 `blank`: a field is empty."""
    return ApiError(400, "validation_error", "blank", "This field may not be blank.", attr)


def not_authenticated() -> ApiError:
    """401 `not_authenticated`: no credentials at all."""
    return ApiError(
        401,
        "authentication_error",
        "not_authenticated",
        "Authentication credentials were not provided.",
    )


def permission_denied(detail: str) -> ApiError:
    """403 `permission_denied`."""
    return ApiError(403, "authentication_error", "permission_denied", detail)


def not_found() -> ApiError:
    """404 `not_found`."""
    return ApiError(404, "invalid_request", "not_found", "Not found.")


def method_not_allowed(method: str) -> ApiError:
    """405 `method_not_allowed`."""
    return ApiError(405, "invalid_request", "method_not_allowed", f'Method "{method}" not allowed.')


def throttled(seconds: int) -> ApiError:
    """429 `throttled` with Retry-After."""
    return ApiError(
        429,
        "throttled_error",
        "throttled",
        f"Request was throttled. Expected available in {seconds} seconds.",
        headers=[("Retry-After", str(seconds))],
    )


def server_error() -> ApiError:
    """500 `server_error`: what an unexpected exception in a handler becomes."""
    return ApiError(500, "server_error", "error", "A server error occurred.")


def text_field(body: dict[str, Any], name: str, *, max_length: int | None = None) -> str:
    """A required, non-blank string field of a request body.

    Raises:
        ApiError: 400 `required`, `blank` or `invalid_input` with `attr` set to the field.
    """
    if name not in body or body[name] is None:
        raise required(name)
    value = body[name]
    # DRF's CharField takes numbers as their text, and refuses booleans, lists and objects.
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise invalid("Not a valid string.", name)
    if not value.strip():
        raise blank(name)
    if max_length is not None and len(value) > max_length:
        # DRF would say `max_length`; the contract's table promises `invalid_input`.
        raise invalid(f"Ensure this field has no more than {max_length} characters.", name)
    return value


LABEL_MAX: Final = 40
"""A key's label (personal or project secret key): PostHog's `CharField(max_length=40)`."""


def label_field(body: dict[str, Any]) -> str:
    """A key's required `label`, at most `LABEL_MAX` characters.

    Raises:
        ApiError: 400 as `text_field` says.
    """
    return text_field(body, "label", max_length=LABEL_MAX)


def blocked(status: int) -> ApiError:
    """`access_blocked`: PostHog's security rules refused the request (403 login, 401 else)."""
    return ApiError(
        status,
        "authentication_error",
        "access_blocked",
        "This request has been blocked by PostHog's security rules.",
    )
