"""The app built as `phguide --demo` builds it, but with fakes for the clipboard and keyring."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.demo.data import demo_data
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore

SIZE = (110, 34)
"""The terminal size every UI test runs at."""


@pytest.fixture
def eu_server() -> Iterator[DemoServer]:
    """A second demo server playing EU Cloud, with other accounts."""
    server = DemoServer(demo_data("eu")).start()
    yield server
    server.stop()


@pytest.fixture
def opened_urls() -> list[str]:
    """Pages the app asked the browser to open."""
    return []


@pytest.fixture
def services(demo_server: DemoServer, eu_server: DemoServer, opened_urls: list[str]) -> Services:
    """US Cloud is the demo server, EU Cloud the second one; memory keyring, recording clipboard."""
    clouds = Clouds(
        us=with_region(parse_host(demo_server.url), "us"),
        eu=with_region(parse_host(eu_server.url), "eu"),
    )

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
