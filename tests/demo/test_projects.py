"""The user, organizations, projects, key scoping and rate limits (contract §4 and §6)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from phguide.demo import DEMO_EMAIL, DemoServer, scale_data
from phguide.demo.data import project_token
from tests.demo.helpers import Http

ROW = {"id", "uuid", "organization", "api_token", "name", "is_demo", "timezone", "ingested_event"}


def _orgs(demo_server: DemoServer) -> dict[str, str]:
    return {org.name: org.id for org in demo_server.data.orgs.values()}


def test_me_shape(session: Http) -> None:
    me = session.get("/api/users/@me/").json()
    for field in ("uuid", "email", "first_name", "last_name", "is_2fa_enabled", "team"):
        assert field in me
    team = me["team"]
    assert {"id", "uuid", "organization", "project_id", "api_token", "name"} <= set(team)
    assert team["api_token"].startswith("phc_") and team["name"] == "Web app"
    org = me["organization"]
    assert org["name"] == "Hedgehog Labs" and org["membership_level"] == 15
    assert [t["name"] for t in org["teams"]] == ["Web app", "Mobile app", "Staging"]
    orgs = {o["name"]: o for o in me["organizations"]}
    assert set(orgs) == {"Hedgehog Labs", "Acme Corp"}
    acme = orgs["Acme Corp"]
    assert acme["membership_level"] == 1
    assert acme["members_can_use_personal_api_keys"] is False
    assert acme["is_active"] is True
    assert {"id", "name", "slug"} <= set(acme)


def test_project_keys_are_stable_across_runs() -> None:
    # A fixed value: the screenshots and snapshots show this key, so it must never drift.
    assert project_token("us/1001") == "phc_Z5OtbqOk3ZmtTCq6mtBDWAHfYohGIMtxeGI69P4k6Sm"
    assert len(project_token("us/1001")) == 4 + 43


def test_pagination_across_three_pages() -> None:
    with DemoServer(scale_data(orgs=1, projects_per_org=250)) as server:
        http = Http(server.url)
        assert http.login(DEMO_EMAIL).status == 200
        url: str | None = f"{server.url}/api/organizations/@current/projects/?limit=100"
        pages = []
        while url:
            page = http.get(url).json()
            assert page["count"] == 250
            pages.append(page)
            url = page["next"]
        assert [len(p["results"]) for p in pages] == [100, 100, 50]
        assert pages[0]["previous"] is None
        first_next = urlsplit(pages[0]["next"])
        assert f"{first_next.scheme}://{first_next.netloc}" == server.url
        assert parse_qs(first_next.query) == {"limit": ["100"], "offset": ["100"]}
        # Going back to the first page drops the offset, as DRF does.
        assert "offset" not in parse_qs(urlsplit(pages[1]["previous"]).query)
        ids = [row["id"] for p in pages for row in p["results"]]
        assert len(set(ids)) == 250
        assert set(pages[2]["results"][0]) >= ROW


def test_pagination_default_limit_and_offset() -> None:
    with DemoServer(scale_data(orgs=1, projects_per_org=130)) as server:
        http = Http(server.url)
        http.login(DEMO_EMAIL)
        first = http.get("/api/projects/").json()
        assert len(first["results"]) == 100 and first["next"]
        small = http.get("/api/organizations/@current/projects/?limit=7&offset=120").json()
        assert len(small["results"]) == 7 and small["next"]
        assert parse_qs(urlsplit(small["previous"]).query)["offset"] == ["113"]


def test_next_url_uses_the_host_header(demo_server: DemoServer, session: Http) -> None:
    reply = session.get(
        "/api/organizations/@current/projects/?limit=1",
        headers={"Host": f"localhost:{demo_server.port}"},
    )
    assert reply.json()["next"].startswith(f"http://localhost:{demo_server.port}/api/")


def test_org_projects_by_id_and_unknown(demo_server: DemoServer, session: Http) -> None:
    acme = _orgs(demo_server)["Acme Corp"]
    rows = session.get(f"/api/organizations/{acme}/projects").json()["results"]
    assert [r["name"] for r in rows] == ["Acme Storefront", "Acme Internal Tools"]
    assert session.get("/api/organizations/nope/projects/").error() == (404, "not_found", None)


def test_project_detail_and_current(session: Http) -> None:
    project = session.get("/api/projects/1002/").json()
    assert project["name"] == "Mobile app" and project["api_token"].startswith("phc_")
    assert session.get("/api/projects/@current").json()["id"] == 1001
    assert session.get("/api/projects/999999/").error() == (404, "not_found", None)
    assert session.get("/api/projects/abc/").status == 404


def test_key_scopes(demo_server: DemoServer) -> None:
    flags_only = Http(
        demo_server.url, bearer=demo_server.issue_key(DEMO_EMAIL, scopes=["feature_flag:read"])
    )
    reply = flags_only.get("/api/projects/1001/")
    assert reply.error() == (403, "permission_denied", None)
    assert reply.json()["detail"] == "API key missing required scope 'project:read'"
    assert (
        flags_only.get("/api/users/@me/").json()["detail"]
        == "API key missing required scope 'user:read'"
    )
    writer = Http(
        demo_server.url, bearer=demo_server.issue_key(DEMO_EMAIL, scopes=["project:write"])
    )
    assert writer.get("/api/projects/1001/").status == 200  # write implies read


def test_unknown_key(demo_server: DemoServer) -> None:
    reply = Http(demo_server.url, bearer="phx_" + "a" * 35).get("/api/users/@me/")
    assert reply.error() == (401, "authentication_failed", None)
    assert (
        reply.json()["detail"]
        == "Personal API key found in request Authorization header is invalid."
    )


def test_project_scoped_key(demo_server: DemoServer) -> None:
    keyed = Http(demo_server.url, bearer=demo_server.issue_key(DEMO_EMAIL, scoped_teams=[1002]))
    assert keyed.get("/api/projects/1002/").status == 200
    assert keyed.get("/api/projects/@current/").json()["id"] == 1002
    assert keyed.get("/api/projects/1001/").error() == (403, "permission_denied", None)
    for path in ("/api/organizations/@current/projects/", "/api/projects/"):
        reply = keyed.get(path)
        assert reply.error() == (403, "permission_denied", None)
        assert reply.json()["detail"] == (
            "API key with scoped projects are only supported on project-based views."
        )


def test_org_scoped_key(demo_server: DemoServer) -> None:
    labs = _orgs(demo_server)["Hedgehog Labs"]
    keyed = Http(
        demo_server.url, bearer=demo_server.issue_key(DEMO_EMAIL, scoped_organizations=[labs])
    )
    assert keyed.get(f"/api/organizations/{labs}/projects/").status == 200
    assert keyed.get("/api/projects/2001/").status == 403


def test_org_that_forbids_members_keys(demo_server: DemoServer) -> None:
    orgs = _orgs(demo_server)
    keyed = Http(demo_server.url, bearer=demo_server.issue_key(DEMO_EMAIL))
    reply = keyed.get(f"/api/organizations/{orgs['Acme Corp']}/projects/")
    assert reply.error() == (403, "permission_denied", None)
    assert reply.json()["detail"] == (
        "Organization 'Acme Corp' does not allow using personal API keys. "
        "Contact an admin to enable personal API keys for this organization."
    )
    assert keyed.get("/api/projects/2001/").status == 403
    # The other organization still lists, and a session is not affected.
    assert keyed.get(f"/api/organizations/{orgs['Hedgehog Labs']}/projects/").status == 200
    session = Http(demo_server.url)
    session.login(DEMO_EMAIL)
    assert session.get(f"/api/organizations/{orgs['Acme Corp']}/projects/").status == 200


def test_reset_token(demo_server: DemoServer, session: Http) -> None:
    old = session.get("/api/projects/1001/").json()["api_token"]
    reply = session.patch("/api/projects/1001/reset_token/")
    assert reply.status == 200
    new = reply.json()["api_token"]
    assert new != old and new.startswith("phc_")
    assert session.post("/flags?v=2", {"token": old, "distinct_id": "x"}).status == 401
    assert session.post("/flags?v=2", {"token": new, "distinct_id": "x"}).status == 200
    # A plain member of Acme Corp is not an admin there.
    assert session.patch("/api/projects/2001/reset_token/").error() == (
        403,
        "permission_denied",
        None,
    )
    assert session.patch("/api/projects/1001/reset_token/", csrf=False).status == 403
    assert session.post("/api/projects/1001/reset_token/").error() == (
        405,
        "method_not_allowed",
        None,
    )


def test_key_writes_need_no_csrf(demo_server: DemoServer) -> None:
    keyed = Http(demo_server.url, bearer=demo_server.issue_key(DEMO_EMAIL))
    assert keyed.patch("/api/projects/1002/reset_token/").status == 200


def test_key_use_updates_last_used(demo_server: DemoServer) -> None:
    value = demo_server.issue_key(DEMO_EMAIL, "fresh")
    key = demo_server.data.find_key(value)
    assert key is not None and key.last_used_at is None
    Http(demo_server.url, bearer=value).get("/api/users/@me/")
    assert key.last_used_at is not None


def test_rate_limit_per_key() -> None:
    with DemoServer(rate_limits=(5, 8)) as server:
        keyed = Http(server.url, bearer=server.issue_key(DEMO_EMAIL))
        for _ in range(5):
            assert keyed.get("/api/users/@me/").status == 200
        reply = keyed.get("/api/users/@me/")
        assert reply.error() == (429, "throttled", None)
        seconds = int(reply.headers["Retry-After"])
        assert 1 <= seconds <= 60
        assert (
            reply.json()["detail"]
            == f"Request was throttled. Expected available in {seconds} seconds."
        )
        server.clock.advance(61)
        for _ in range(3):
            assert keyed.get("/api/users/@me/").status == 200
        assert keyed.get("/api/users/@me/").status == 429  # the hourly limit
        other = Http(server.url, bearer=server.issue_key(DEMO_EMAIL, "other"))
        assert other.get("/api/users/@me/").status == 200  # limits are per key


@pytest.mark.parametrize(
    "path", ["/api/users/@me", "/api/users/@me/", "/api/projects/1001", "/api/projects/1001/"]
)
def test_trailing_slash_optional(session: Http, path: str) -> None:
    assert session.get(path).status == 200


def test_eu_accounts_differ(eu_server: DemoServer) -> None:
    http = Http(eu_server.url)
    assert http.login(DEMO_EMAIL).error() == (400, "invalid_credentials", None)


def test_organization_that_enforces_2fa(demo_server: DemoServer, session: Http) -> None:
    labs = _orgs(demo_server)["Hedgehog Labs"]
    demo_server.data.orgs[labs].enforce_2fa = True
    assert session.get("/api/users/@me/").status == 200  # so the app can explain
    assert session.get("/api/projects/1001/").error() == (403, "two_factor_setup_required", None)
