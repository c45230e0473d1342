"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phguide.demo import DemoServer, demo_data


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
