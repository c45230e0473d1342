"""What the SDKs send (contract §7): capture in every packing, flags with any `v`, remote config."""

from __future__ import annotations

import base64
import gzip
import json
from urllib.parse import quote

import pytest

from phguide.demo import DemoServer
from tests.demo.helpers import Http


def _token(demo_server: DemoServer, project_id: int = 1001) -> str:
    return demo_server.data.projects[project_id].api_token


def test_batch_as_python_and_node_send_it_gzip_or_not(demo_server: DemoServer, http: Http) -> None:
    token = _token(demo_server)
    batch = {
        "api_key": token,
        "batch": [{"event": "signed_up", "distinct_id": "user-123", "properties": {"a": 1}}],
    }
    plain = http.post("/batch/", batch)
    assert (plain.status, plain.json()) == (200, {"status": 1})
    packed = gzip.compress(json.dumps(batch).encode())
    zipped = http.post(
        "/batch/",
        raw=packed,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert zipped.status == 200
    events = demo_server.captured_events(token)
    assert [(e.event, e.distinct_id, e.path, e.project_id) for e in events] == [
        ("signed_up", "user-123", "/batch/", 1001)
    ] * 2
    assert events[0].properties == {"a": 1}


def test_browser_packings_on_e_and_i_v0_e(demo_server: DemoServer, http: Http) -> None:
    token = _token(demo_server, 1002)
    event = [{"event": "$pageview", "properties": {"token": token, "distinct_id": "anon-1"}}]
    text = json.dumps(event).encode()
    as_gzip = http.post(
        "/i/v0/e/?compression=gzip-js&ver=1.449.2",
        raw=gzip.compress(text),
        headers={"Content-Type": "text/plain"},
    )
    form = "data=" + quote(base64.b64encode(text).decode())
    as_base64 = http.post(
        "/e/?compression=base64",
        raw=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    as_json = http.post("/e/", event)
    assert [as_gzip.status, as_base64.status, as_json.status] == [200, 200, 200]
    arrived = [(e.event, e.distinct_id, e.path) for e in demo_server.captured_events(token)]
    assert arrived == [
        ("$pageview", "anon-1", "/i/v0/e/"),
        ("$pageview", "anon-1", "/e/"),
        ("$pageview", "anon-1", "/e/"),
    ]


def test_capture_accepts_an_unknown_key_and_refuses_no_key(
    demo_server: DemoServer, http: Http
) -> None:
    # As on PostHog: capture never validates the key (the contract's reason to check via /flags).
    assert http.post("/e/", {"event": "x", "distinct_id": "d", "api_key": "phc_nope"}).status == 200
    assert demo_server.captured_events("phc_nope")[0].project_id is None
    assert http.post("/e/", {"event": "x", "distinct_id": "d"}).error()[:2] == (
        401,
        "invalid_api_key",
    )
    assert http.post("/batch/", raw=b"\x1f\x8bnot gzip").status == 400


@pytest.mark.parametrize("version", ["2", "3", "4"])
def test_flags_with_any_version(demo_server: DemoServer, http: Http, version: str) -> None:
    token = _token(demo_server)
    reply = http.post(f"/flags/?v={version}", {"token": token, "distinct_id": "user-123"})
    assert reply.json()["flags"]["pricing-page"]["variant"] == "variant-b"
    assert demo_server.flag_calls()[-1].distinct_id == "user-123"


def test_flags_with_config_and_gzip_as_the_browser_asks(
    demo_server: DemoServer, http: Http
) -> None:
    token = _token(demo_server)
    body = gzip.compress(json.dumps({"token": token, "distinct_id": "anon"}).encode())
    reply = http.post(
        "/flags/?v=2&config=true&compression=gzip-js",
        raw=body,
        headers={"Content-Type": "text/plain"},
    )
    answer = reply.json()
    assert answer["flags"]["new-onboarding"]["enabled"] is True
    assert answer["supportedCompression"] == ["gzip", "gzip-js"]
    assert answer["sessionRecording"] is False


def test_remote_config_json_and_script(demo_server: DemoServer, http: Http) -> None:
    token = _token(demo_server)
    assert http.get(f"/array/{token}/config").json()["token"] == token
    script = http.get(f"/array/{token}/config.js")
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert f'window._POSTHOG_REMOTE_CONFIG["{token}"]=' in script.text
    assert http.get("/array/phc_nope/config").status == 404


def test_cors_on_public_paths_only(demo_server: DemoServer, http: Http) -> None:
    origin = {"Origin": "http://127.0.0.1:9", "Access-Control-Request-Headers": "content-type"}
    preflight = http.request("OPTIONS", "/i/v0/e/", headers=origin)
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:9"
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    token = _token(demo_server)
    reply = http.post("/flags/?v=2", {"token": token, "distinct_id": "d"}, headers=origin)
    assert reply.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:9"
    private = http.get("/api/users/@me/", headers=origin)
    assert private.headers["Access-Control-Allow-Origin"] is None


def test_get_with_data_and_decide_keeps_its_old_shape(demo_server: DemoServer, http: Http) -> None:
    token = _token(demo_server)
    event = json.dumps({"event": "pixel", "distinct_id": "d1", "properties": {"token": token}})
    data = quote(base64.b64encode(event.encode()).decode())
    assert http.get(f"/e/?compression=base64&data={data}").status == 200
    assert [e.event for e in demo_server.captured_events(token)] == ["pixel"]
    decide = http.post("/decide/?v=3", {"token": token, "distinct_id": "d1"}).json()
    assert decide["featureFlags"]["pricing-page"] == "variant-b"
