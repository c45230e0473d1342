"""The HTTP layer of the demo server: the threaded socket server and the request handler.

The handler reads a request, applies latency and faults, hands it to `DemoServer` to answer,
and writes the answer (or misbehaves the way a fault says).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from phguide.demo.faults import Fault
from phguide.demo.wire import MAX_BODY, ApiError, Request, Response, text_response

if TYPE_CHECKING:
    from phguide.demo.server import DemoServer

Conn = socket.socket | tuple[bytes, socket.socket]


class HttpServer(ThreadingHTTPServer):
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
        super().__init__(address, RequestHandler)

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

    def process_request(self, request: Conn, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self.connections_lock:
                self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Conn) -> None:
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


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "phguide-demo"
    sys_version = ""
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle and delayed ACKs
    # add ~40 ms to every loopback response, which would swamp the 50 ms latency benchmarks.
    disable_nagle_algorithm = True
    server: HttpServer

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
            demo._sleep(fault.delay, fault.released)
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
