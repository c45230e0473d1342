"""Snapshot tests: every screen and dialog the screenshot script pictures, at 110×34 and 80×24.

Each test drives the real app over fresh demo servers to the shot's state (the scenes of
`tests/scenes.py`, which `python -m scripts.screenshots` saves), with the clocks stopped, and
compares the SVG with the one under `__snapshots__/`. After an intended change:
`python -m pytest tests/snapshots --snapshot-update`, look at the new pictures, commit them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import pytest

from tests.scenes import NARROW, SHOTS, WIDE, Shot, run_before, start_stage, still_time

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def _still_time() -> Iterator[None]:
    """Every clock the pictures show stopped."""
    with still_time():
        yield


def _compare(snap_compare: SnapCompare, shot: Shot, size: tuple[int, int]) -> bool:
    with start_stage(shot.before_start) as stage:
        return snap_compare(
            stage.app, terminal_size=size, run_before=partial(run_before, shot, stage)
        )


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.name for shot in SHOTS])
def test_wide(shot: Shot, snap_compare: SnapCompare) -> None:
    assert _compare(snap_compare, shot, WIDE)


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.name for shot in SHOTS])
def test_narrow(shot: Shot, snap_compare: SnapCompare) -> None:
    assert _compare(snap_compare, shot, NARROW)
