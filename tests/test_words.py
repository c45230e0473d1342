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


def test_a_step_named_with_its_number_has_its_own_number() -> None:
    """ "Log in (step 2)", never "Log in (step 1)": the number a text gives is the step's."""
    from phguide.ui.steps import STEPS

    numbers = {step.title: n for n, step in enumerate(STEPS, start=1)}
    titles = "|".join(re.escape(title) for title in numbers)
    wrong = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in ROOT.joinpath("phguide").rglob("*.py")
        for match in re.finditer(rf"({titles}) \(step (\d)\)", path.read_text(encoding="utf-8"))
        if numbers[match.group(1)] != int(match.group(2))
    ]
    assert wrong == []


def test_step_1_names_the_secret_project_key_once_as_posthog_does() -> None:
    """Not "the secret project secret API key": PostHog's name already says it is secret."""
    from phguide.ui.screens.key_types import INTRO

    text = re.sub(r"\[/?b\]", "", INTRO)
    assert "project secret API key (phs_…)" in text
    assert not re.search(r"\bsecret\s+project secret\b", text)
