"""POSTHOG_PERSONAL_API_KEY and POSTHOG_HOST: read, and said out loud without the key."""

from __future__ import annotations

import pytest

from phguide.core.environment import Environment, read_environment
from phguide.core.secret import Secret

KEY = "phx_" + "environment".ljust(41, "0")


def test_nothing_set() -> None:
    env = read_environment({})
    assert env == Environment()


def test_both_set() -> None:
    env = read_environment(
        {"POSTHOG_PERSONAL_API_KEY": f"  {KEY}\n", "POSTHOG_HOST": "https://eu.posthog.com"}
    )
    assert env.personal_key == Secret(KEY)
    assert env.host == "https://eu.posthog.com"
    assert KEY not in repr(env)


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_values_are_unset(blank: str) -> None:
    assert read_environment({"POSTHOG_PERSONAL_API_KEY": blank, "POSTHOG_HOST": blank}) == (
        Environment()
    )


def test_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTHOG_HOST", "eu")
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    assert read_environment() == Environment(host="eu")
