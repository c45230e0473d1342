"""Fixtures of the demo server's own tests."""

from __future__ import annotations

import pytest

from phguide.demo import DEMO_EMAIL, DemoServer
from tests.demo.helpers import Http


@pytest.fixture
def http(demo_server: DemoServer) -> Http:
    """A fresh cookie-keeping client of the demo server."""
    return Http(demo_server.url)


@pytest.fixture
def session(demo_server: DemoServer) -> Http:
    """A client logged in as the main demo user."""
    client = Http(demo_server.url)
    assert client.login(DEMO_EMAIL).status == 200
    return client
