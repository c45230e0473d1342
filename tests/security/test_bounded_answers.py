"""A hostile server cannot fill phguide's memory, hold a request forever or page without end.

Each server here is a real socket on loopback that answers the way an attacker would: a 100 MB
body, a chunked body that never ends, one byte every 2 seconds, `next` links that never repeat.
Each must end within phguide's stated limit, with a message that names the limit, and the
memory phguide allocates meanwhile stays near the answer limit (measured with tracemalloc).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from phguide.api._answers import MAX_ANSWER_BYTES
from phguide.api.client import MAX_PAGES, PostHogClient
from phguide.api.errors import TransportError
from phguide.core.hosts import parse_host
from phguide.core.secret import Secret

Handler = Callable[[socket.socket, str], None]


@contextmanager
def raw_server(handler: Handler) -> Iterator[str]:
    """A loopback HTTP server that hands each request's socket and path to `handler`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].decode()
            with contextlib.suppress(OSError):  # phguide hung up: that is the point
                handler(conn, path)

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()


def _head(extra: str = "") -> bytes:
    # The server hangs up after each answer, so it says so: a client that kept the connection
    # for the next page would otherwise find it closed (and report a dropped connection).
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n{extra}\r\n"
    ).encode()


def huge(conn: socket.socket, path: str) -> None:
    size = 100 * 1024 * 1024
    conn.sendall(_head(f"Content-Length: {size}\r\n"))
    block = b" " * 65536
    for _ in range(size // len(block)):
        conn.sendall(block)


def endless_chunked(conn: socket.socket, path: str) -> None:
    conn.sendall(_head("Transfer-Encoding: chunked\r\n"))
    chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    while True:
        conn.sendall(chunk)


def drip(conn: socket.socket, path: str) -> None:
    conn.sendall(_head("Content-Length: 1000\r\n"))
    for _ in range(1000):
        conn.sendall(b" ")
        time.sleep(2)


def endless_pages(conn: socket.socket, path: str) -> None:
    if path.startswith("/api/users/@me"):
        body = json.dumps(
            {"uuid": "u", "email": "a@example.com", "organizations": [{"id": "o", "name": "O"}]}
        )
    else:
        unique = time.monotonic_ns()
        body = json.dumps(
            {
                "count": None,
                "next": f"/api/organizations/o/projects/?cursor={unique}",
                "results": [{"id": unique % 10**9, "name": "P", "api_token": f"phc_{unique}"}],
            }
        )
    data = body.encode()
    conn.sendall(_head(f"Content-Length: {len(data)}\r\n") + data)


async def _measure(url: str, call: Callable[[PostHogClient], object]) -> tuple[str, float, int]:
    """Run one call; return the error text, the seconds it took and the peak bytes allocated."""
    host = parse_host(url)
    tracemalloc.start()
    started = time.monotonic()
    try:
        async with PostHogClient(host, personal_key=Secret("phx_" + "a" * 40), retries=0) as c:
            with pytest.raises(TransportError) as caught:
                await call(c)  # type: ignore[misc]
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return caught.value.message, time.monotonic() - started, peak


def _me(client: PostHogClient) -> object:
    return client.me()


@pytest.mark.parametrize(
    ("handler", "limit_words"),
    [(huge, "larger than 8 MB"), (endless_chunked, "larger than 8 MB")],
    ids=["100 MB answer", "endless chunked body"],
)
async def test_an_answer_larger_than_the_limit_is_cut_off(
    handler: Handler, limit_words: str
) -> None:
    with raw_server(handler) as url:
        message, seconds, peak = await _measure(url, _me)
    assert limit_words in message
    assert seconds < 10
    # The body is kept while read, once: the peak stays near the limit, never the 100 MB.
    assert peak < 4 * MAX_ANSWER_BYTES, f"peak {peak / 2**20:.1f} MiB"
    print(f"{handler.__name__}: {seconds:.2f} s, peak {peak / 2**20:.1f} MiB: {message}")


async def test_a_server_that_sends_a_byte_every_two_seconds_meets_the_deadline() -> None:
    with raw_server(drip) as url:
        host = parse_host(url)
        started = time.monotonic()
        # The deadline is the point: the per-read timeout (10 s) never trips on a drip.
        async with PostHogClient(host, retries=0) as client:
            client._t.deadline = 5.0
            with pytest.raises(TransportError) as caught:
                await client.me()
        seconds = time.monotonic() - started
    assert caught.value.code == "deadline"
    assert "within 5 seconds" in caught.value.message
    assert 4.5 < seconds < 8
    print(f"drip: ended after {seconds:.2f} s: {caught.value.message}")


async def test_the_default_deadline_is_a_total_bound() -> None:
    async with PostHogClient(parse_host("http://127.0.0.1:9"), timeout=10) as client:
        assert client._t.deadline == 30.0


async def test_endless_unique_next_links_stop_at_the_page_cap() -> None:
    requests = 0

    def counting(conn: socket.socket, path: str) -> None:
        nonlocal requests
        requests += 1
        endless_pages(conn, path)

    with raw_server(counting) as url:
        message, seconds, _ = await _measure(url, lambda c: c.org_projects("o"))
    assert f"more than {MAX_PAGES} pages" in message
    assert requests <= MAX_PAGES + 1
    print(f"endless next: {requests} requests, {seconds:.2f} s: {message}")


def test_odd_retry_after_values_give_a_bounded_wait() -> None:
    import httpx

    from phguide.api._retry import MAX_RETRY_AFTER, retry_after_header

    def wait(value: str) -> float | None:
        return retry_after_header(httpx.Response(429, headers={"Retry-After": value}))

    assert wait("inf") == MAX_RETRY_AFTER
    assert wait("1e308") == MAX_RETRY_AFTER
    assert wait("nan") is None
    assert wait("-5") == 0.0
    assert wait("7") == 7.0
    assert wait("Fri, 31 Dec 9999 23:59:59 GMT") == MAX_RETRY_AFTER


def test_a_loopback_host_ignores_the_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy listening here would receive the Bearer key; it must see no connection at all.
    seen: list[bytes] = []

    def proxy(conn: socket.socket, path: str) -> None:
        seen.append(path.encode())

    def origin(conn: socket.socket, path: str) -> None:
        body = b'{"uuid": "u", "email": "a@example.com"}'
        conn.sendall(_head(f"Content-Length: {len(body)}\r\n") + body)

    with raw_server(proxy) as proxy_url, raw_server(origin) as url:
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("http_proxy", proxy_url)
        monkeypatch.setenv("ALL_PROXY", proxy_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)

        async def run() -> str:
            async with PostHogClient(
                parse_host(url), personal_key=Secret("phx_" + "b" * 40)
            ) as client:
                return (await client.me()).email

        assert asyncio.run(run()) == "a@example.com"
    assert seen == []
