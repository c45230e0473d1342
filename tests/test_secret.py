"""`Secret`: masked in str and repr; PostHog keys show PostHog's mask, anything else nothing."""

from __future__ import annotations

import pickle

import pytest

from phguide.core.secret import Secret, mask


def test_a_posthog_key_shows_its_first_and_last_four() -> None:
    key = "phx_" + "A1b2C3d4E5" * 3 + "wxyz9"
    assert mask(key) == "phx_...xyz9"
    assert str(Secret(key)) == "phx_...xyz9"
    assert key not in repr(Secret(key))


@pytest.mark.parametrize(
    "value", ["correct-horse-battery-staple", "sessionid-abcdefghijklmnop", "short", ""]
)
def test_passwords_and_cookies_show_nothing_of_themselves(value: str) -> None:
    secret = Secret(value)
    assert str(secret) == "********"
    assert repr(secret) == "Secret('********')"
    assert value[:4] not in repr(secret) or not value


def test_a_secret_cannot_be_pickled_into_a_file() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret("phx_" + "x" * 35))


def test_equality_compares_values_without_revealing_them() -> None:
    assert Secret("phx_" + "a" * 35) == Secret("phx_" + "a" * 35)
    assert Secret("phx_" + "a" * 35) != Secret("phx_" + "b" * 35)
