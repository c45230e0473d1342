"""DemoServer: the embedded PostHog-compatible HTTP server, its routes, latency and faults."""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from phguide.demo import auth, device, ingest, totp
from phguide.demo.clock import DemoClock
from phguide.demo.data import DemoData, DemoUser, demo_data
from phguide.demo.faults import Fault, FaultPlan
from phguide.demo.ingest import CapturedEvent, FlagCall
from phguide.demo.routes import ROUTES
from phguide.demo.state import DemoState, DeviceScopes
from phguide.demo.wire import (
    MAX_BODY,
    ApiError,
    Request,
    Response,
    method_not_allowed,
    not_found,
    server_error,
    text_response,
)

_Conn = socket.socket | tuple[bytes, socket.socket]


class RequestTiming(NamedTuple):
    """One request as the server saw it, for counting sequential round trips."""

    method: str
    path: str
    started: float
    """`time.monotonic()` when the request line had been read."""
    finished: float
    """`time.monotonic()` when the answer had been written."""


class _HttpServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its DemoServer and can close every open connection."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 makes a burst of concurrent clients wait for SYN retries.
    request_queue_size = 256

    timeout = 0.0
    """`handle_request` is called only once the socket is readable: it must not wait."""

    def __init__(self, address: tuple[str, int], demo: DemoServer) -> None:
        self.demo = demo
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self._wake_read, self._wake_write = socket.socketpair()
        super().__init__(address, _RequestHandler)

    def serve_until_stopped(self) -> None:
        """Answer connections until `stop_serving`.

        `serve_forever` notices a shutdown only at its next poll (50 ms by default), and every
        test stops two or more servers: a stop here wakes the loop at once.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while True:
                ready = selector.select()
                if any(key.fileobj is self._wake_read for key, _ in ready):
                    return
                self.handle_request()

    def stop_serving(self) -> None:
        """Make `serve_until_stopped` return (from any thread)."""
        with contextlib.suppress(OSError):
            self._wake_write.send(b"x")

    def server_close(self) -> None:
        super().server_close()
        self._wake_read.close()
        self._wake_write.close()

    def process_request(self, request: _Conn, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self.connections_lock:
                self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: _Conn) -> None:
        if isinstance(request, socket.socket):
            with self.connections_lock:
                self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that went away, or a fault that closed the socket: nothing to print.
        pass

    def close_connections(self) -> None:
        """Shut every open client connection, so keep-alive clients see the server stop."""
        with self.connections_lock:
            open_now = list(self.connections)
            self.connections.clear()
        for conn in open_now:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "phguide-demo"
    sys_version = ""
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle and delayed ACKs
    # add ~40 ms to every loopback response, which would swamp the 50 ms latency benchmarks.
    disable_nagle_algorithm = True
    server: _HttpServer

    def do_GET(self) -> None:
        started = time.monotonic()
        try:
            self._handle()
        finally:
            self.server.demo._timed(self.command, urlsplit(self.path).path or "/", started)

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        # The access log goes through DemoServer.on_event; stderr stays quiet in tests.
        pass

    def _handle(self) -> None:
        demo = self.server.demo
        parts = urlsplit(self.path)
        path = parts.path or "/"
        demo._record(self.command, path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            # The body cannot be read (or skipped) safely: answer and close the connection.
            self.close_connection = True
            error = ApiError(400, "invalid_request", "parse_error", "Bad Content-Length.")
            if length > MAX_BODY:
                error = ApiError(413, "invalid_request", "too_large", "Request body too large.")
            self._send(error.response())
            return
        body = self.rfile.read(length) if length > 0 else b""
        request = Request(
            method=self.command,
            path=path,
            query=parse_qs(parts.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            client_ip=self.client_address[0],
            default_host=f"{demo.host}:{demo.port}",
        )
        fault = demo.faults.take(self.command, path)
        if fault is not None and fault.kind == "slow":
            demo._sleep(fault.delay)
            fault = None
        demo._sleep(demo.latency)
        if fault is not None and not fault.after:
            self._misbehave(fault, None)
            return
        response = demo._dispatch(request)
        if fault is not None:
            self._misbehave(fault, response)
            return
        self._send(response)
        demo._event(f"{self.command} {path} {response.status}")

    def _send(self, response: Response, *, declared_length: int | None = None) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(declared_length or len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        for cookie in response.cookies:
            self.send_header("Set-Cookie", cookie)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _misbehave(self, fault: Fault, response: Response | None) -> None:
        """Answer the way a fault says; `response` is the real answer when it ran first."""
        demo = self.server.demo
        demo._event(f"{self.command} {self.path.split('?')[0]} fault:{fault.kind}")
        if fault.kind == "reset":
            self._reset()
        elif fault.kind == "throttle":
            seconds = fault.seconds or fault.retry_after or 1
            error = ApiError(
                429,
                "throttled_error",
                "throttled",
                f"Request was throttled. Expected available in {seconds} seconds.",
            )
            throttled = error.response()
            if fault.retry_after is not None:
                throttled.headers.append(("Retry-After", str(fault.retry_after)))
            self._send(throttled)
        elif fault.kind == "status":
            self._send(text_response(fault.status, fault.html_body(), "text/html"))
        elif fault.kind == "error":
            kind = "validation_error" if fault.status == 400 else "authentication_error"
            self._send(ApiError(fault.status, kind, fault.code, fault.detail).response())
        elif fault.kind == "malformed":
            self._send(Response(200, b'{"results": [{"id": 1, "name": "trunc'))
        elif fault.kind == "drop":
            full = response.body if response is not None and response.body else b'{"results": ['
            partial = Response(
                response.status if response is not None else 200,
                full[: max(1, len(full) // 2)],
                headers=[],
            )
            self.close_connection = True
            self._send(partial, declared_length=len(full) + 64)
            self.wfile.flush()
            self._reset()

    def _reset(self) -> None:
        self.close_connection = True
        try:
            # SO_LINGER 0 makes close() send RST: the client sees a reset, not a clean EOF.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


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
        self._httpd: _HttpServer | None = None
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
        httpd = _HttpServer((self.host, self.port), self)
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

    def _sleep(self, seconds: float) -> None:
        # Wakes early when the server stops, so `stop` never waits on a slow fault.
        if seconds > 0:
            self._stopping.wait(seconds)

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
