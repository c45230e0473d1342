"""DemoServer: the embedded PostHog-compatible HTTP server, its routes, latency and faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import NamedTuple

from phguide.demo import auth, device, ingest, totp
from phguide.demo.clock import DemoClock
from phguide.demo.data import DemoData, DemoUser, demo_data
from phguide.demo.faults import FaultPlan
from phguide.demo.http_server import HttpServer
from phguide.demo.ingest import CapturedEvent, FlagCall
from phguide.demo.routes import ROUTES
from phguide.demo.state import DemoState, DeviceScopes
from phguide.demo.wire import (
    ApiError,
    Request,
    Response,
    method_not_allowed,
    not_found,
    server_error,
    text_response,
)


class RequestTiming(NamedTuple):
    """One request as the server saw it, for counting sequential round trips."""

    method: str
    path: str
    started: float
    """`time.monotonic()` when the request line had been read."""
    finished: float
    """`time.monotonic()` when the answer had been written."""


class DemoServer:
    """A PostHog-compatible server on loopback, faithful to `posthog-api.md`.

    Args:
        data: The accounts to serve; default `demo_data()`.
        host: The address to listen on.
        port: The port; 0 picks a free one (kept across `stop` and `start`).
        latency: Seconds added to every response.
        device_interval: The poll interval the device flow tells clients.
        clock: The server's clock; default real time, movable with `advance`.
        login_csrf: Require the CSRF token on the login calls too (stricter than PostHog).
        rate_limits: Requests a personal key may make per minute and per hour.
        on_event: Called with a line for each request and for emailed codes (the console).
        device_scopes: ``"narrow"`` plays a PostHog whose browser approval grants only the
            fixed `CLI_SCOPES` (no `user:read`, no `project:read`) unless more are ticked.
    """

    def __init__(
        self,
        data: DemoData | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        device_interval: int = 5,
        clock: DemoClock | None = None,
        login_csrf: bool = True,
        rate_limits: tuple[int, int] = (480, 4800),
        on_event: Callable[[str], None] | None = None,
        device_scopes: DeviceScopes = "full",
    ) -> None:
        self.data = data if data is not None else demo_data()
        """The live state: users, organizations, projects and keys."""
        self.host = host
        self.port = port
        """The bound port (after `start`)."""
        self.latency = latency
        """Seconds added to every response; settable while running."""
        self.clock = clock or DemoClock()
        """The server's notion of time: `advance` it instead of sleeping."""
        self.faults = FaultPlan()
        """Planned misbehaviour."""
        self.on_event = on_event
        self.state = DemoState(
            self.data,
            self.clock,
            device_interval=device_interval,
            login_csrf=login_csrf,
            rate_limits=rate_limits,
            notify=self._event,
            device_scopes=device_scopes,
        )
        """Sessions, CSRF tokens, codes and counters."""
        self._log: list[tuple[str, str]] = []
        self._timeline: list[RequestTiming] = []
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: HttpServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://HOST:PORT``, no trailing slash."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """True between `start` and `stop`."""
        return self._httpd is not None

    def start(self) -> DemoServer:
        """Bind (the same port as before after a `stop`) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = HttpServer((self.host, self.port), self)
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_until_stopped,
            name=f"phguide-demo-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket and every open connection; `start` may follow."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.stop_serving()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        httpd.server_close()
        httpd.close_connections()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what tests and the console need --------------------------------------------------------
    @property
    def requests_log(self) -> list[tuple[str, str]]:
        """Every request seen as (method, path): no query strings, bodies or headers."""
        with self._log_lock:
            return list(self._log)

    @property
    def requests_timeline(self) -> list[RequestTiming]:
        """Every answered request with when it arrived and when its answer was sent.

        The times are `time.monotonic()` (latency included), so a benchmark can tell which
        requests ran one after the other and which at the same time.
        """
        with self._log_lock:
            return list(self._timeline)

    def clear_requests_log(self) -> None:
        """Forget the requests seen so far (to count the round trips of one action)."""
        with self._log_lock:
            self._log.clear()
            self._timeline.clear()

    def captured_events(self, token: str | None = None) -> list[CapturedEvent]:
        """The events the SDKs delivered, oldest first; only those sent with `token` if given."""
        with self.data.lock:
            events = list(self.state.captured)
        return [e for e in events if token is None or e.token == token]

    def flag_calls(self) -> list[FlagCall]:
        """The `/flags` and flag-definitions requests that were answered 200, oldest first."""
        with self.data.lock:
            return list(self.state.flag_calls)

    def issue_secret_key(
        self, project_id: int, label: str = "Test secret key", scopes: Iterable[str] = ()
    ) -> str:
        """Create a project secret key directly (no HTTP) and return its plain value, for tests.

        The scopes default to the `local_evaluation` preset (`feature_flag:read`).
        """
        with self.data.lock:
            _, value = self.data.secret_keys.create(
                project_id,
                label,
                list(scopes) or ["feature_flag:read"],
                created_at=self.clock.now(),
            )
        return value

    def _user(self, email: str) -> DemoUser:
        user = self.data.user(email)
        if user is None:
            raise KeyError(f"no demo user {email}")
        return user

    def current_totp(self, email: str) -> str:
        """The TOTP code that is valid now, on the demo clock, for a 2FA user."""
        with self.data.lock:
            secret = self._user(email).totp_secret
        if secret is None:
            raise ValueError(f"{email} has no authenticator app")
        return totp.totp(secret, self.clock.now())

    def totp_secret(self, email: str) -> str | None:
        """A 2FA user's base32 secret (to add the demo account to a real authenticator app)."""
        with self.data.lock:
            return self._user(email).totp_secret

    def backup_codes(self, email: str) -> list[str]:
        """A 2FA user's unused backup codes."""
        with self.data.lock:
            return list(self._user(email).backup_codes)

    def last_emailed_code(self, email: str) -> str | None:
        """The last 6-digit code the server "emailed" to this address, if any."""
        with self.data.lock:
            return self.state.emailed.get(email.lower()) or self.state.emailed.get(email)

    def approve_device(
        self, user_code: str, email: str, project_id: int, scopes: Iterable[str] | None = None
    ) -> None:
        """Approve a device code as `/cli/authorize` does, with `scopes` ticked (None: the
        default grant). Raises ValueError as the page refuses (code, project, 10 keys)."""
        with self.data.lock:
            device.approve(
                self.state, user_code, email, project_id, None if scopes is None else list(scopes)
            )

    def issue_key(
        self,
        email: str,
        label: str = "Test key",
        scopes: Iterable[str] = ("*",),
        *,
        scoped_teams: Iterable[int] = (),
        scoped_organizations: Iterable[str] = (),
    ) -> str:
        """Create a personal key directly (no HTTP) and return its plain value, for tests."""
        with self.data.lock:
            _, value = self.data.create_key(
                self._user(email),
                label,
                list(scopes),
                scoped_teams=list(scoped_teams),
                scoped_organizations=list(scoped_organizations),
                created_at=self.clock.now(),
            )
        return value

    def login_cookies(self, email: str) -> dict[str, str]:
        """Cookies of a fresh logged-in session (`sessionid`, `posthog_csrftoken`), for tests."""
        with self.data.lock:
            session = self.state.new_session(self._user(email).email)
            token = self.state.new_csrf_token()
        return {auth.SESSION_COOKIE: session.id, auth.CSRF_COOKIE: token}

    # -- plumbing -------------------------------------------------------------------------------
    def _record(self, method: str, path: str) -> None:
        with self._log_lock:
            self._log.append((method, path))

    def _timed(self, method: str, path: str, started: float) -> None:
        finished = time.monotonic()
        with self._log_lock:
            self._timeline.append(RequestTiming(method, path, started, finished))

    def _event(self, line: str) -> None:
        if self.on_event is not None:
            self.on_event(line)

    def _sleep(self, seconds: float, released: threading.Event | None = None) -> None:
        # Wakes early when the server stops, so `stop` never waits on a slow fault, and when
        # the test releases the fault.
        if seconds <= 0:
            return
        if released is None:
            self._stopping.wait(seconds)
            return
        deadline = time.monotonic() + seconds
        while not (self._stopping.is_set() or released.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            released.wait(min(left, 0.05))

    def _dispatch(self, request: Request) -> Response:
        """Route a request; the SDKs' public paths answer a browser on another origin too."""
        if not ingest.is_public(request.path):
            return self._route(request)
        if request.method == "OPTIONS":
            return ingest.preflight(request)
        return ingest.with_cors(request, self._route(request))

    def _route(self, request: Request) -> Response:
        """Route a request; every failure becomes a PostHog-shaped answer, never a traceback."""
        is_api = request.path.startswith("/api/")
        try:
            for route in ROUTES:
                match = route.pattern.match(request.path)
                if match is None:
                    continue
                handler = route.methods.get(request.method)
                if handler is None:
                    error = method_not_allowed(request.method).response()
                    error.headers.append(("Allow", ", ".join(sorted(route.methods))))
                    return error
                with self.data.lock:
                    return handler(self.state, request, match.groupdict())
            if is_api:
                raise not_found()
            if request.path == "/":
                return auth.login_page(self.state, request, {})
            return text_response(404, "Not found.")
        except ApiError as error:
            return error.response()
        except Exception as error:  # the contract: never a traceback in a response
            self._event(f"{request.method} {request.path} handler error: {type(error).__name__}")
            return server_error().response()
