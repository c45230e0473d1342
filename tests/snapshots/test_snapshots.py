"""Snapshot tests: every screen and dialog the screenshot script pictures, at 110×34 and 80×24.

Each test drives the real app over fresh demo servers to the shot's state (the same scenes as
`python -m phguide.screenshots`), with the clocks stopped, and compares the SVG with the one
under `__snapshots__/`. After an intended change: `python -m pytest tests/snapshots
--snapshot-update`, look at the new pictures, and commit them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest

from phguide.screenshots import NARROW, SHOTS, WIDE, Shot, port_lock, run_before, start_stage
from phguide.screenshots import still_time as stopped_clocks

SnapCompare = Callable[..., bool]

# The demo's fixed ports (the pictures show them) allow one stage at a time: one worker.
pytestmark = pytest.mark.xdist_group("snapshots")


@pytest.fixture(scope="module", autouse=True)
def _still_world() -> Iterator[None]:
    """The demo's fixed ports held, and every clock the pictures show stopped."""
    with port_lock(), stopped_clocks():
        yield


def _compare(snap_compare: SnapCompare, shot: Shot, size: tuple[int, int]) -> bool:
    with start_stage() as stage:
        return snap_compare(
            stage.app, terminal_size=size, run_before=partial(run_before, shot, stage)
        )


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.name for shot in SHOTS])
def test_wide(shot: Shot, snap_compare: SnapCompare) -> None:
    assert _compare(snap_compare, shot, WIDE)


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.name for shot in SHOTS])
def test_narrow(shot: Shot, snap_compare: SnapCompare) -> None:
    assert _compare(snap_compare, shot, NARROW)
