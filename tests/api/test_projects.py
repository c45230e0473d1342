"""The user, organizations and projects: `@me`, every page of a listing, one project, reset."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import NotAuthenticated, NotFound, PermissionDenied
from phguide.core.hosts import Host, parse_host, with_region
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD

from .conftest import RecordingSleep

LABS = "Hedgehog Labs"
ACME = "Acme Corp"


async def test_me_with_a_session(session: PostHogClient) -> None:
    user = await session.me()
    assert user.email == DEMO_EMAIL
    assert user.display_name == "Max Hedgehog"
    assert user.uuid
    assert user.is_2fa_enabled is False
    assert user.team is not None and user.team.name == "Web app"
    assert user.team.api_token.startswith("phc_")
    assert user.organization is not None and user.organization.name == LABS
    by_name = {org.name: org for org in user.organizations}
    assert set(by_name) == {LABS, ACME}
    assert by_name[LABS].is_admin
    assert not by_name[ACME].is_admin
    assert by_name[ACME].members_can_use_personal_api_keys is False


async def test_me_with_a_key(host: Host, server: DemoServer) -> None:
    key = Secret(server.issue_key(DEMO_EMAIL, scopes=["user:read"]))
    async with PostHogClient(host, personal_key=key) as client:
        assert client.auth_kind == "key"
        assert (await client.me()).email == DEMO_EMAIL


async def test_me_without_credentials(client: PostHogClient) -> None:
    with pytest.raises(NotAuthenticated) as caught:
        await client.me()
    assert caught.value.code == "not_authenticated"
    assert caught.value.status == 401


async def test_invalid_key_is_authentication_failed(host: Host) -> None:
    bogus = Secret("phx_" + "x" * 35)
    async with PostHogClient(host, personal_key=bogus) as client:
        with pytest.raises(NotAuthenticated) as caught:
            await client.me()
    error = caught.value
    assert error.code == "authentication_failed"
    assert error.maybe_wrong_region
    assert "region" not in error.fix  # self-hosted: no other region to blame
    async with PostHogClient(with_region(host, "eu"), personal_key=bogus) as client:
        with pytest.raises(NotAuthenticated) as caught:
            await client.me()
    assert caught.value.fix.endswith("your account may be in US Cloud.")


async def test_missing_scope_says_which(host: Host, server: DemoServer) -> None:
    key = Secret(server.issue_key(DEMO_EMAIL, scopes=["feature_flag:read"]))
    async with PostHogClient(host, personal_key=key) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.me()
    assert caught.value.message == "API key missing required scope 'user:read'"
    assert caught.value.code == "permission_denied"


async def test_all_projects_with_a_session(session: PostHogClient) -> None:
    user = await session.me()
    listing = await session.all_projects(user)
    assert [entry.organization.name for entry in listing] == [LABS, ACME]
    assert all(entry.error is None for entry in listing)
    labs, acme = listing
    assert [p.name for p in labs.projects] == ["Web app", "Mobile app", "Staging"]
    assert [p.id for p in acme.projects] == [2001, 2002]
    assert all(p.api_token.startswith("phc_") for p in labs.projects + acme.projects)
    assert labs.projects[2].ingested_event is False
    assert labs.projects[0].organization == labs.organization.id


async def test_forbidden_org_is_reported_while_others_list(host: Host, server: DemoServer) -> None:
    # Max is a plain member of Acme, which forbids members' personal keys.
    key = Secret(server.issue_key(DEMO_EMAIL, scopes=["user:read", "project:read"]))
    async with PostHogClient(host, personal_key=key) as client:
        listing = await client.all_projects(await client.me())
    labs, acme = listing
    assert labs.error is None and len(labs.projects) == 3
    assert acme.projects == ()
    assert acme.error == (
        "Organization 'Acme Corp' does not allow using personal API keys. "
        "Contact an admin to enable personal API keys for this organization."
    )


async def test_org_projects_current(session: PostHogClient) -> None:
    projects = await session.org_projects("@current")
    assert [p.id for p in projects] == [1001, 1002, 1003]


async def test_one_project_and_current(session: PostHogClient) -> None:
    project = await session.project(1002)
    assert project.name == "Mobile app"
    assert project.uuid
    current = await session.project("@current")
    assert current.id == 1001


async def test_unknown_project_is_not_found(session: PostHogClient) -> None:
    with pytest.raises(NotFound) as caught:
        await session.project(999_999)
    assert caught.value.code == "not_found"
    assert caught.value.status == 404


async def test_key_scoped_to_another_project_is_denied(host: Host, server: DemoServer) -> None:
    key = Secret(server.issue_key(DEMO_EMAIL, scopes=["project:read"], scoped_teams=[1001]))
    async with PostHogClient(host, personal_key=key) as client:
        assert (await client.project(1001)).id == 1001
        with pytest.raises(PermissionDenied) as caught:
            await client.project(1002)
    assert "1002" in caught.value.message


# -- pagination and concurrency --------------------------------------------------------------


@pytest.fixture
async def scale_client(scale_server: DemoServer) -> AsyncIterator[PostHogClient]:
    async with PostHogClient(parse_host(scale_server.url), sleep=RecordingSleep()) as api:
        await api.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))
        yield api


async def test_every_page_is_fetched(scale_client: PostHogClient, scale_server: DemoServer) -> None:
    user = await scale_client.me()
    org = user.organizations[1]
    scale_server.clear_requests_log()
    projects = await scale_client.org_projects(org.id)
    assert len(projects) == 250
    assert len({p.id for p in projects}) == 250
    names = [p.name for p in projects]
    assert names == [f"Project 002-{n:03d}" for n in range(1, 251)]
    path = f"/api/organizations/{org.id}/projects/"
    assert scale_server.requests_log == [("GET", path)] * 3


async def test_all_orgs_all_pages(scale_client: PostHogClient, scale_server: DemoServer) -> None:
    user = await scale_client.me()
    listing = await scale_client.all_projects(user)
    assert [len(entry.projects) for entry in listing] == [250, 250, 250]
    assert [entry.organization.name for entry in listing] == ["Org 001", "Org 002", "Org 003"]
    assert all(entry.error is None for entry in listing)


class InFlight(httpx.AsyncBaseTransport):
    """A real transport that counts the requests under way at once, per path and in all."""

    def __init__(self) -> None:
        self.real = httpx.AsyncHTTPTransport()
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.most_in_all = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.now[path] += 1
        self.most[path] = max(self.most[path], self.now[path])
        self.most_in_all = max(self.most_in_all, self.now.total())
        try:
            response = await self.real.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.now[path] -= 1


async def test_listing_runs_concurrently(scale_server: DemoServer) -> None:
    """3 organizations x 3 pages: every first page at once, then each one's other two together."""
    spy = InFlight()
    async with PostHogClient(parse_host(scale_server.url), transport=spy) as client:
        await client.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))
        user = await client.me()
        scale_server.latency = 0.1
        listing = await client.all_projects(user)
    assert sum(len(entry.projects) for entry in listing) == 750
    # Counted as the client sends, not with a stopwatch, so a busy machine cannot fail it.
    pages = {path: most for path, most in spy.most.items() if path.endswith("/projects/")}
    assert len(pages) == 3
    assert spy.most_in_all >= 3
    assert set(pages.values()) == {2}


async def test_sequential_next_links_are_followed_when_there_is_no_count(
    scale_server: DemoServer,
) -> None:
    """An older server may omit `count`: the client then walks `next` one page at a time."""
    import httpx

    real = httpx.AsyncHTTPTransport()

    class NoCount(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await real.handle_async_request(request)
            if "/projects/" not in request.url.path:
                return response
            await response.aread()
            import json

            body = json.loads(response.content)
            body.pop("count", None)
            return httpx.Response(
                response.status_code,
                json=body,
                headers={"content-type": "application/json"},
            )

    async with PostHogClient(parse_host(scale_server.url), transport=NoCount()) as client:
        await client.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))
        user = await client.me()
        scale_server.clear_requests_log()
        projects = await client.org_projects(user.organizations[0].id)
    assert len(projects) == 250
    assert len(scale_server.requests_log) == 3
