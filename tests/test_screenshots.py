"""The committed screenshots: every one the script names is there, and none shows a secret."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from phguide.demo.data import DEMO_PASSWORD
from tests.scenes import NARROW_DIR, SHOTS, expected_files

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "screenshots"
SNAPSHOTS = ROOT / "tests" / "snapshots" / "__snapshots__"

FULL_PERSONAL_KEY = re.compile(r"phx_[A-Za-z0-9]{35}")
SESSION_COOKIE = re.compile(r"sessionid|posthog_csrftoken|remember-cookie|\b[0-9a-f]{32,}\b")
"""The demo's cookie names, and a session id or CSRF token (32 or more hex digits) by itself."""


def shown_text(svg: str) -> str:
    """The characters a screenshot shows: markup and entities out, each line's pieces joined."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def svgs(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.svg"))


def test_the_committed_set_is_what_the_script_names() -> None:
    committed = sorted(path.relative_to(SCREENSHOTS).as_posix() for path in svgs(SCREENSHOTS))
    assert committed == sorted(expected_files()), (
        "screenshots/ differs from what `python -m scripts.screenshots` writes: run it"
    )


def test_every_step_and_the_states_that_matter_are_pictured() -> None:
    names = [shot.name for shot in SHOTS]
    steps = ["01-key-types", "02-log-in", "03-project-key", "04-personal-keys", "05-usage"]
    steps.append("06-troubleshoot")
    for name in [*steps, "02b-second-factor", "02c-device-code", "04c-new-key-once"]:
        assert name in names
    assert len(set(names)) == len(names)
    assert all(f"{NARROW_DIR}/{name}.svg" in expected_files() for name in names)


@pytest.mark.parametrize(
    "svg",
    [*svgs(SCREENSHOTS), *svgs(SNAPSHOTS)],
    ids=lambda path: path.relative_to(ROOT).as_posix(),
)
def test_no_picture_shows_a_secret(svg: Path) -> None:
    raw = svg.read_text(encoding="utf-8")
    for text in (raw, shown_text(raw)):
        assert not FULL_PERSONAL_KEY.search(text), "a whole personal API key"
        assert DEMO_PASSWORD not in text, "the demo password"
        found = SESSION_COOKIE.search(text)
        assert found is None, f"a session cookie: {found.group(0) if found else ''}"


def test_a_masked_key_is_what_the_new_key_picture_shows() -> None:
    # A control: the picture of the key shown once has its mask (so the scan above is not
    # passing on an empty picture), and the mask is PostHog's four and four.
    text = shown_text((SCREENSHOTS / "04c-new-key-once.svg").read_text(encoding="utf-8"))
    assert re.search(r"phx_\.\.\.[A-Za-z0-9]{4}", text)
    assert "Copy the key immediately" in text
