"""Misbehaviour on demand, and what the server answers when things go wrong (contract §2)."""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from phguide.demo import DEMO_EMAIL, DemoServer
from tests.demo.helpers import Http


def _raw(
    server: DemoServer, method: str, path: str, timeout: float = 5.0
) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    conn.request(method, path)
    return conn.getresponse()


def test_throttle_with_and_without_retry_after(demo_server: DemoServer, session: Http) -> None:
    demo_server.faults.add("throttle", path="/api/users/@me", retry_after=7)
    demo_server.faults.add("throttle", path="/api/users/@me", retry_after=None, seconds=3)
    first = session.get("/api/users/@me/")
    assert first.error() == (429, "throttled", None)
    assert first.headers["Retry-After"] == "7"
    second = session.get("/api/users/@me/")
    assert second.status == 429 and second.headers["Retry-After"] is None
    assert second.json()["detail"] == "Request was throttled. Expected available in 3 seconds."
    assert session.get("/api/users/@me/").status == 200  # both counted down


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status_with_html(demo_server: DemoServer, http: Http, status: int) -> None:
    demo_server.faults.add("status", path="^/api/login/precheck", status=status)
    reply = http.post("/api/login/precheck", {"email": DEMO_EMAIL})
    assert reply.status == status
    assert reply.headers["Content-Type"].startswith("text/html")
    assert reply.text.lstrip().startswith("<html>")


def test_malformed_json(demo_server: DemoServer, session: Http) -> None:
    demo_server.faults.add("malformed", path="projects")
    reply = session.get("/api/projects/")
    assert reply.status == 200
    with pytest.raises(ValueError):
        reply.json()


def test_drop_mid_response(demo_server: DemoServer) -> None:
    demo_server.faults.add("drop", path="precheck")
    conn = http.client.HTTPConnection("127.0.0.1", demo_server.port, timeout=5)
    conn.request("POST", "/api/login/precheck", body=b'{"email": "a@b.example"}')
    response = conn.getresponse()
    assert response.status == 200
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        response.read()


def test_reset_without_answer(demo_server: DemoServer) -> None:
    demo_server.faults.add("reset", method="GET")
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        _raw(demo_server, "GET", "/api/users/@me/")
    assert _raw(demo_server, "GET", "/api/users/@me/").status == 401


def test_slow_past_the_client_timeout(demo_server: DemoServer) -> None:
    demo_server.faults.add("slow", path="users", delay=2.0)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout)):
        _raw(demo_server, "GET", "/api/users/@me/", timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert _raw(demo_server, "GET", "/api/users/@me/").status == 401


def test_a_released_slow_fault_answers_at_once(demo_server: DemoServer) -> None:
    held = demo_server.faults.add("slow", path="users", delay=60)
    answers: list[int] = []
    asking = threading.Thread(
        target=lambda: answers.append(_raw(demo_server, "GET", "/api/users/@me/").status)
    )
    asking.start()
    asking.join(0.5)
    assert asking.is_alive() and not answers  # held
    started = time.monotonic()
    held.release()
    asking.join(5)
    assert answers == [401]
    assert time.monotonic() - started < 1.0


def test_fault_after_the_work(demo_server: DemoServer, session: Http) -> None:
    before = len(demo_server.data.user_keys(DEMO_EMAIL))
    demo_server.faults.add(
        "status", path="^/api/personal_api_keys/?$", method="POST", status=500, after=True
    )
    reply = session.post("/api/personal_api_keys/", {"label": "Lost", "scopes": ["*"]})
    assert reply.status == 500
    # The key exists even though its value never reached the client.
    rows = session.get("/api/personal_api_keys/").json()
    assert len(rows) == before + 1 and rows[0]["label"] == "Lost"


def test_drop_after_the_work(demo_server: DemoServer, session: Http) -> None:
    demo_server.faults.add("drop", path="personal_api_keys", method="POST", after=True)
    with pytest.raises((http.client.IncompleteRead, ConnectionError)):
        session.post("/api/personal_api_keys/", {"label": "Dropped", "scopes": ["*"]})
    assert session.get("/api/personal_api_keys/").json()[0]["label"] == "Dropped"


def test_faults_match_method_count_down_and_clear(demo_server: DemoServer, http: Http) -> None:
    fault = demo_server.faults.add("status", path="precheck", method="POST", times=2, status=503)
    assert http.get("/login").status == 200
    assert http.post("/api/login/precheck", {"email": DEMO_EMAIL}).status == 503
    assert http.post("/api/login/precheck", {"email": DEMO_EMAIL}).status == 503
    assert http.post("/api/login/precheck", {"email": DEMO_EMAIL}).status == 200
    assert fault.fired == 2
    demo_server.faults.add("status", times=None)
    assert http.get("/login").status == 502
    demo_server.faults.clear()
    assert len(demo_server.faults) == 0
    assert http.get("/login").status == 200


def test_unknown_fault_kind(demo_server: DemoServer) -> None:
    with pytest.raises(ValueError):
        demo_server.faults.add("explode")  # type: ignore[arg-type]


def test_handler_crash_is_a_json_500(
    demo_server: DemoServer, session: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(email: str) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(demo_server.data, "user_keys", boom)
    reply = session.get("/api/personal_api_keys/")
    assert reply.error() == (500, "error", None)
    assert "Traceback" not in reply.text and "boom" not in reply.text


def test_unknown_api_route_and_method(session: Http) -> None:
    assert session.get("/api/nothing/here/").error() == (404, "not_found", None)
    assert session.delete("/api/users/@me/").error() == (405, "method_not_allowed", None)


def test_bad_json_body(http: Http) -> None:
    reply = http.request(
        "POST", "/api/login/precheck", raw=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert reply.error() == (400, "parse_error", None)
