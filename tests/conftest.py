"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phguide.demo import DemoServer, demo_data


@pytest.fixture
def demo_server() -> Iterator[DemoServer]:
    """A started demo server with the seeded US accounts, on a free loopback port."""
    server = DemoServer(demo_data()).start()
    try:
        yield server
    finally:
        server.stop()
