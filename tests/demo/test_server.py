"""The server's lifecycle, latency, request log, seeds and its console entry point."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from phguide.demo import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    EMAIL_CODE_EMAIL,
    EU_EMAIL,
    SSO_EMAIL,
    TOTP_EMAIL,
    UNVERIFIED_EMAIL,
    DemoClock,
    DemoServer,
    demo_data,
    scale_data,
)
from tests.demo.helpers import Http

ROOT = Path(__file__).resolve().parents[2]


def test_restart_on_the_same_port() -> None:
    server = DemoServer().start()
    port, url = server.port, server.url
    assert port != 0 and url == f"http://127.0.0.1:{port}"
    http = Http(url)
    assert http.login(DEMO_EMAIL).status == 200
    server.stop()
    with pytest.raises(OSError):
        Http(url).get("/login", timeout=1)
    server.start()
    try:
        assert server.port == port
        # State survives a restart: the session still works.
        assert http.get("/api/users/@me/").status == 200
    finally:
        server.stop()
    server.stop()  # idempotent


def test_stop_closes_keep_alive_connections() -> None:
    server = DemoServer().start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
    conn.request("GET", "/login")
    assert conn.getresponse().read()
    server.stop()
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        conn.request("GET", "/login")
        conn.getresponse()


def test_latency_is_added_and_settable(demo_server: DemoServer, http: Http) -> None:
    demo_server.latency = 0.2
    started = time.monotonic()
    http.get("/login")
    assert time.monotonic() - started >= 0.2
    demo_server.latency = 0.0


def test_requests_log_has_no_queries(demo_server: DemoServer, http: Http) -> None:
    demo_server.clear_requests_log()
    http.get("/api/projects/?limit=5&personal_api_key=secret")
    http.post("/api/login/precheck", {"email": DEMO_EMAIL})
    assert demo_server.requests_log == [
        ("GET", "/api/projects/"),
        ("POST", "/api/login/precheck"),
    ]


def test_context_manager() -> None:
    with DemoServer(latency=0.0) as server:
        assert Http(server.url).get("/login").status == 200
    assert not server.running


def test_frozen_clock() -> None:
    clock = DemoClock(start=1_700_000_000.0, frozen=True)
    assert clock.now() == 1_700_000_000.0
    clock.advance(30)
    assert clock.now() == 1_700_000_030.0
    assert clock.iso() == "2023-11-14T22:13:50.000000Z"


def test_seeded_accounts() -> None:
    data = demo_data()
    for email in (DEMO_EMAIL, TOTP_EMAIL, EMAIL_CODE_EMAIL, SSO_EMAIL, UNVERIFIED_EMAIL):
        user = data.user(email)
        assert user is not None and user.check_password(DEMO_PASSWORD)
    main = data.user(DEMO_EMAIL)
    assert main is not None and len(main.memberships) == 2
    assert len(data.user_keys(DEMO_EMAIL)) == 3
    assert data.user(EU_EMAIL) is None
    eu = demo_data("eu")
    assert eu.user(DEMO_EMAIL) is None and eu.user(EU_EMAIL) is not None
    assert {p.api_token for p in eu.projects.values()}.isdisjoint(
        p.api_token for p in data.projects.values()
    )
    # Stable project keys and key masks, for screenshots.
    again = demo_data()
    assert [p.api_token for p in again.projects.values()] == [
        p.api_token for p in data.projects.values()
    ]
    assert [k.mask_value for k in again.user_keys(DEMO_EMAIL)] == [
        k.mask_value for k in data.user_keys(DEMO_EMAIL)
    ]


def test_scale_data() -> None:
    data = scale_data(orgs=20, projects_per_org=50)
    user = data.user(DEMO_EMAIL)
    assert user is not None and len(user.memberships) == 20
    assert len(data.projects) == 1000


def test_no_personal_key_literal_in_sources() -> None:
    pattern = re.compile(r"phx_[A-Za-z0-9]{35}")
    for folder in (ROOT / "phguide" / "demo", ROOT / "tests" / "demo"):
        for path in folder.rglob("*.py"):
            assert not pattern.search(path.read_text()), path


def test_never_imports_textual_or_httpx() -> None:
    code = (
        "import sys, phguide.demo, phguide.demo.__main__; "
        "bad = [m for m in ('textual', 'httpx') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_console_entry_point() -> None:
    # Ctrl-C as a terminal sends it. A child inherits an ignored SIGINT (a job started in the
    # background, some CI runners), and Python then never raises KeyboardInterrupt: the server
    # would wait for ever. So the child first takes SIGINT back, as an interactive shell does.
    takes_sigint = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv = ['phguide.demo', '--port', '0', '--quiet']; "
        "runpy.run_module('phguide.demo', run_name='__main__', alter_sys=True)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", takes_sigint],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = ""
        while "Ctrl-C" not in banner:
            line = proc.stdout.readline()
            assert line, banner
            banner += line
        match = re.search(r"at (http://127\.0\.0\.1:\d+)", banner)
        assert match, banner
        reply = Http(match.group(1)).post("/api/login", {"email": DEMO_EMAIL, "password": "wrong"})
        assert reply.error() == (400, "invalid_credentials", None)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)  # a bound for a busy machine, not a wait
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert DEMO_PASSWORD in banner and TOTP_EMAIL in banner
    assert "Stopped." in out
    assert "Traceback" not in err


def test_a_burst_of_concurrent_clients_is_served_at_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with DemoServer(latency=0.05) as server:
        started = time.monotonic()
        with ThreadPoolExecutor(60) as pool:
            statuses = list(pool.map(lambda _: Http(server.url).get("/login").status, range(60)))
        # One SYN retry (a too-small listen backlog) alone would take a second.
        assert time.monotonic() - started < 0.9
    assert set(statuses) == {200}


def test_bad_content_length(demo_server: DemoServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", demo_server.port, timeout=2)
    conn.putrequest("POST", "/api/login/precheck")
    conn.putheader("Content-Length", "lots")
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 400
    assert b"Traceback" not in response.read()
