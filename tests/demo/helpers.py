"""A small cookie-keeping HTTP client for the demo server's tests (urllib, not the app's client)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from http.cookiejar import Cookie, CookieJar
from typing import Any
from urllib.error import HTTPError
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

from phguide.demo import DEMO_PASSWORD

WRITE = {"POST", "PATCH", "PUT", "DELETE"}


@dataclass
class Reply:
    """One response."""

    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode()

    def error(self) -> tuple[int, str, str | None]:
        """(status, code, attr) of a PostHog error body, checking its shape on the way."""
        body = self.json()
        assert set(body) == {"type", "code", "detail", "attr"}, body
        assert body["type"] in {
            "validation_error",
            "authentication_error",
            "invalid_request",
            "server_error",
            "throttled_error",
        }
        return self.status, body["code"], body["attr"]


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Http:
    """A browser-like client: a cookie jar, and the CSRF header on session writes."""

    def __init__(self, base_url: str, *, bearer: str | None = None) -> None:
        self.base_url = base_url
        self.bearer = bearer
        self.jar = CookieJar()
        self._opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirect())

    def cookie(self, name: str) -> str | None:
        """A cookie's value in the jar."""
        return next((c.value for c in self.jar if c.name == name), None)

    def cookies(self) -> dict[str, Cookie]:
        """Every cookie in the jar by name."""
        return {c.name: c for c in self.jar}

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
        raw: bytes | None = None,
        timeout: float = 5.0,
    ) -> Reply:
        """Send a request; a 4xx or 5xx is returned, not raised."""
        url = path if path.startswith("http") else self.base_url + path
        data = raw
        sent = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        elif method in WRITE and data is None:
            data = b""
        if self.bearer:
            sent.setdefault("Authorization", f"Bearer {self.bearer}")
        token = self.cookie("posthog_csrftoken")
        if csrf and method in WRITE and token and not self.bearer:
            sent.setdefault("X-CSRFToken", token)
            sent.setdefault("Referer", self.base_url + "/")
        request = Request(url, data=data, headers=sent, method=method)
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return Reply(response.status, response.headers, response.read())
        except HTTPError as error:
            with error:
                return Reply(error.code, error.headers, error.read())

    def get(self, path: str, **kwargs: Any) -> Reply:
        """GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        """POST JSON."""
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        """PATCH JSON."""
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        """DELETE."""
        return self.request("DELETE", path, **kwargs)

    def login(self, email: str, password: str = DEMO_PASSWORD) -> Reply:
        """`GET /login` for the CSRF cookie, then `POST /api/login`, as the contract says."""
        assert self.get("/login").status == 200
        return self.post("/api/login", {"email": email, "password": password})
