"""Fixtures shared by every test package."""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import math
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.demo import DemoServer, demo_data
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.credentials import MemoryStore

# pytest-timeout's signal lands in whichever task the event loop is running, where an app
# can swallow it, and then the test waits for ever. So every async test also has its own
# limit inside the loop, below pytest-timeout's, which cancels the test and fails it.
ASYNC_MARGIN = 20.0


def _bounded(
    test: Callable[..., Awaitable[object]], limit: float
) -> Callable[..., Awaitable[object]]:
    @functools.wraps(test)
    async def bounded(*args: Any, **kwargs: Any) -> object:
        try:
            async with asyncio.timeout(limit):
                return await test(*args, **kwargs)
        except TimeoutError:
            pytest.fail(f"did not finish within {limit:.0f} s (the async test limit)")

    return bounded


GC_THRESHOLD = (10_000, 10, 10)
"""The test processes' collector runs a tenth as often as Python's default (700, 10, 10).

A UI test makes and drops objects by the hundred thousand (widgets, styles, strips), and the
full collections that followed walked every object a worker holds (Textual's caches keep
thousands of rendered lines alive): about a tenth of a test's CPU. Measured on 101 UI tests,
four workers, same commit: 208 CPU-s at the default, 166-170 at this threshold, 189 at
(7000, 10, 10), 176-185 at (20000-50000, 10, 10): the same within the noise; a worker peaked
at ~230 MB. phguide itself runs with Python's default."""

gc.set_threshold(*GC_THRESHOLD)


WORKERS_PER_CORE = 2.5
"""`-n auto` starts this many workers a core, rounded up: five on two cores. A UI test spends
about a third of its time asleep (a key press waits for the app to go idle, a server answers
late, a client times out on purpose), and one worker a core left that time unused: on two quiet
cores, 605 s with two workers, 483 s with four (an earlier commit). At 1e66ef6 (1,673 tests),
runs taking turns on one machine whose speed drifted by up to half between runs: four workers
237, 237 and 278 s with the cores 83-89% busy; five 207, 247 and 262 s, 90-96% busy; six 242
and 216 s. Five fills most of the sleep that four leave; six adds little and gives each
worker's idle waits (Pilot's, which read the process's CPU time) less of a core."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: `WORKERS_PER_CORE` workers for each core this process may run on (each core
    of the machine where the platform cannot say, as on macOS)."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return math.ceil(WORKERS_PER_CORE * cores)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every coroutine test a limit inside its event loop (see ASYNC_MARGIN)."""
    default = float(config.getini("timeout") or 0)
    for item in items:
        if not isinstance(item, pytest.Function) or not inspect.iscoroutinefunction(item.obj):
            continue
        marker = item.get_closest_marker("timeout")
        limit = float(marker.args[0]) if marker and marker.args else default
        if limit > ASYNC_MARGIN:
            item.obj = _bounded(item.obj, limit - ASYNC_MARGIN)


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
