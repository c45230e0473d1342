"""`python -m scripts.screenshots`: drive the app over the demo servers and save every screen.

Run it from the repository's root; the scenes are those of the snapshot tests (`tests/scenes.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.helpers import TimedOut
from tests.scenes import NARROW, NARROW_DIR, SHOTS, WIDE, Shot, expected_files, staged, still_time


async def take(shots: Sequence[Shot], size: tuple[int, int], folder: Path) -> list[Path]:
    """Save one SVG per shot at a size into a folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for shot in shots:
        async with staged(shot, size) as stage:
            path = stage.app.save_screenshot(filename=f"{shot.name}.svg", path=str(folder))
        written.append(Path(path))
        print(f"  {folder / shot.name}.svg", file=sys.stderr)
    return written


def _size(text: str) -> tuple[int, int]:
    try:
        columns, lines = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not COLUMNSxLINES, like 110x34") from None
    if columns < 40 or lines < 12:
        raise argparse.ArgumentTypeError("at least 40x12")
    return columns, lines


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.screenshots",
        description="Drive phguide over its demo servers and save an SVG of every screen "
        f"(and an {NARROW[0]}x{NARROW[1]} set in {NARROW_DIR}/).",
    )
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="output folder")
    parser.add_argument("--size", type=_size, default=WIDE, help="COLUMNSxLINES (110x34)")
    parser.add_argument(
        "--only", metavar="PREFIX", help="only the shots whose names start with this"
    )
    args = parser.parse_args(argv)
    shots = [shot for shot in SHOTS if not args.only or shot.name.startswith(args.only)]
    if not shots:
        parser.error(f"no shot starts with {args.only!r}")
    out: Path = args.out
    try:
        with still_time():
            asyncio.run(take(shots, args.size, out))
            asyncio.run(take(shots, NARROW, out / NARROW_DIR))
    except TimedOut as error:
        print(f"screenshots: {error}", file=sys.stderr)
        return 1
    if not args.only:
        # Regenerated from nothing: a picture no shot names any more is stale.
        expected = set(expected_files())
        for stale in sorted([*out.glob("*.svg"), *(out / NARROW_DIR).glob("*.svg")]):
            if stale.relative_to(out).as_posix() not in expected:
                stale.unlink()
                print(f"  removed {stale}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
