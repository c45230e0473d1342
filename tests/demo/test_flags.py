"""Checking a project key through `/flags` (contract §7)."""

from __future__ import annotations

import pytest

from phguide.demo import DemoServer
from tests.demo.helpers import Http


@pytest.mark.parametrize("path", ["/flags?v=2", "/flags/?v=2"])
def test_known_token(demo_server: DemoServer, http: Http, path: str) -> None:
    token = demo_server.data.projects[1001].api_token
    reply = http.post(path, {"token": token, "distinct_id": "phguide-key-check"}, csrf=False)
    assert reply.status == 200
    body = reply.json()
    assert body["errorsWhileComputingFlags"] is False and body["requestId"]
    assert body["flags"]["new-onboarding"]["enabled"] is True
    assert body["flags"]["pricing-page"]["variant"] == "variant-b"


def test_unknown_token_is_plain_text(http: Http) -> None:
    reply = http.post("/flags?v=2", {"token": "phc_nope", "distinct_id": "x"})
    assert reply.status == 401
    assert reply.headers["Content-Type"].startswith("text/plain")
    with pytest.raises(ValueError):
        reply.json()


def test_project_without_flags(demo_server: DemoServer, http: Http) -> None:
    token = demo_server.data.projects[1003].api_token
    assert http.post("/flags?v=2", {"token": token, "distinct_id": "x"}).json()["flags"] == {}
