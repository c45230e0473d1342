"""phguide speaks as PostHog does: its own spelling, in every user-facing text."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_organization_is_spelled_as_posthog_spells_it() -> None:
    """PostHog writes "organization"; a mix of spellings reads as two different things."""
    sources = [*ROOT.joinpath("phguide").rglob("*.py"), ROOT / "README.md"]
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sources
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"organis", line, re.IGNORECASE)
    ]
    assert found == []


def test_readme_says_project_token_beside_project_api_key() -> None:
    """PostHog's docs now call the project API key the project token: the README says both,
    where it introduces the key and where step 3 shows it."""
    text = " ".join(ROOT.joinpath("README.md").read_text(encoding="utf-8").split())
    assert "which PostHog's docs now call the **project token**" in text
    assert 'titled "Project API key (project token)"' in text
