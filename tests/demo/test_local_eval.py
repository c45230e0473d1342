"""Local evaluation (§6b): flag definitions for a project secret key or a personal key."""

from __future__ import annotations

import pytest

from phguide.demo import DEMO_EMAIL, DemoServer
from phguide.demo.local_eval import WRONG_TOKEN
from tests.demo.helpers import Http

PATHS = ["/flags/definitions?send_cohorts", "/api/feature_flag/local_evaluation/?send_cohorts"]
BAD_KEY = "Personal API key found in request Authorization header is invalid."


@pytest.mark.parametrize("path", PATHS)
def test_secret_key_gets_the_definitions(demo_server: DemoServer, path: str) -> None:
    token = demo_server.data.projects[1001].api_token
    secret = demo_server.issue_secret_key(1001)
    reply = Http(demo_server.url, bearer=secret).get(f"{path}&token={token}")
    assert reply.status == 200
    flags = {flag["key"]: flag for flag in reply.json()["flags"]}
    assert set(flags) == {"dark-mode", "new-onboarding", "pricing-page"}
    assert flags["pricing-page"]["filters"]["multivariate"]["variants"][0]["key"] == "variant-b"
    assert flags["dark-mode"]["filters"]["groups"][0]["rollout_percentage"] == 0
    call = demo_server.flag_calls()[-1]
    assert (call.token, call.key_mask) == (token, f"{secret[:4]}...{secret[-4:]}")
    # A secret key names its project: the token may be left out.
    assert Http(demo_server.url, bearer=secret).get(path).status == 200


@pytest.mark.parametrize("path", PATHS)
def test_bad_secret_key_and_wrong_token_say_different_things(
    demo_server: DemoServer, path: str
) -> None:
    token = demo_server.data.projects[1001].api_token
    other = demo_server.data.projects[1002].api_token
    secret = demo_server.issue_secret_key(1001)
    bad = Http(demo_server.url, bearer="phs_" + "x" * 35).get(f"{path}&token={token}")
    assert bad.error()[:2] == (401, "authentication_failed")
    assert bad.json()["detail"] == BAD_KEY
    wrong = Http(demo_server.url, bearer=secret).get(f"{path}&token={other}")
    assert wrong.error()[:2] == (401, "authentication_failed")
    assert wrong.json()["detail"] == WRONG_TOKEN


def test_secret_key_needs_feature_flag_read(demo_server: DemoServer) -> None:
    secret = demo_server.issue_secret_key(1001, "Endpoints", ["endpoint:read"])
    assert Http(demo_server.url, bearer=secret).get(PATHS[0]).error()[:2] == (
        403,
        "permission_denied",
    )


def test_personal_key_and_no_key(demo_server: DemoServer) -> None:
    token = demo_server.data.projects[1002].api_token
    personal = demo_server.issue_key(DEMO_EMAIL, "Flags", ["feature_flag:read"])
    reply = Http(demo_server.url, bearer=personal).get(f"{PATHS[0]}&token={token}")
    assert [f["key"] for f in reply.json()["flags"]] == ["new-onboarding"]
    narrow = demo_server.issue_key(DEMO_EMAIL, "Narrow", ["insight:read"])
    assert Http(demo_server.url, bearer=narrow).get(PATHS[0]).status == 403
    assert Http(demo_server.url).get(PATHS[0]).error()[:2] == (401, "not_authenticated")
    unknown = Http(demo_server.url, bearer=personal).get(f"{PATHS[0]}&token=phc_nope")
    assert unknown.json()["detail"] == WRONG_TOKEN
