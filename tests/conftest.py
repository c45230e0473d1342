"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.demo import DemoServer, demo_data
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore


@pytest.fixture(autouse=True)
def _private_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the developer's settings out of every test: phguide's config lives in a temp folder."""
    folder = tmp_path_factory.mktemp("phguide-config")
    monkeypatch.setenv("PHGUIDE_CONFIG_DIR", str(folder))
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    monkeypatch.delenv("POSTHOG_HOST", raising=False)


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """A started demo server with the seeded US accounts, on a free loopback port."""
    server = DemoServer(demo_data()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def eu_server() -> Iterator[DemoServer]:
    """A second demo server playing EU Cloud, with its own accounts."""
    server = DemoServer(demo_data("eu")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clouds(demo_server: DemoServer, eu_server: DemoServer) -> Clouds:
    """US Cloud is `demo_server`, EU Cloud is `eu_server`."""
    return Clouds(
        us=with_region(parse_host(demo_server.url), "us"),
        eu=with_region(parse_host(eu_server.url), "eu"),
    )


@pytest.fixture
def opened_urls() -> list[str]:
    """Pages the app asked the browser to open."""
    return []


@pytest.fixture
def services(clouds: Clouds, opened_urls: list[str]) -> Services:
    """The app's services over `clouds`: keyring in memory, clipboard recorded, pages recorded."""

    def open_url(url: str) -> bool:
        opened_urls.append(url)
        return True

    return Services(
        store=MemoryStore(),
        clipboard=Clipboard(RecordingClipboard(), clear_after=45.0),
        clouds=clouds,
        host=clouds.us,
        open_url=open_url,
    )
