"""Server text is cleaned once, where the models are built, and printed through one helper."""

from __future__ import annotations

import pytest

from phguide.api import _parse
from phguide.cli.output import printable
from phguide.core.secret import Secret, key_text_problem, mask
from phguide.core.text import MAX_TEXT, clean, has_unsafe

HOSTILE = [
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52 with a BEL terminator: writes the clipboard
    "\x1b]0;owned\x1b\\",  # OSC 0 with an ESC \ terminator: retitles the window
    "\x1b[2J",  # clears the screen
    "\x9b2J",  # the same with the 8-bit CSI
    "evil\u202egnp.exe",  # right-to-left override
    "a\u2066b\u2069c",  # isolates
    "line\nforged line",
    "carriage\rreturn",
    "del\x7f",
    "zero\u200bwidth",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_clean_leaves_no_control_or_bidi_character(text: str) -> None:
    cleaned = clean(text)
    assert not has_unsafe(cleaned)
    assert all(ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    # Shown, not dropped: the user sees that something odd was there.
    assert "\\x" in cleaned or "⟨U+" in cleaned


def test_clean_keeps_ordinary_names_exactly() -> None:
    for name in ("Acme [EU] Corp", "[$accent]", "[ @click=app.quit]x[/]", "Zürich 東京", "[/]"):
        assert clean(name) == name
    assert clean("\x1b") == "\\x1b"
    assert clean("\u202e") == "⟨U+202E⟩"


UNSAFE_CODES = [
    *range(0x20),  # C0 controls
    *range(0x7F, 0xA0),  # DEL and the C1 controls
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),  # bidi
    0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x2028, 0x2029, 0x180E,  # invisible, separators
    *range(0xD800, 0xE000),  # lone surrogates
]  # fmt: skip
"""Every character `clean` must escape, written out here, apart from the module's own list."""


def test_clean_escapes_every_unsafe_character_alone_and_inside_text() -> None:
    # `clean` passes printable text through untouched without its pattern: this holds only
    # while every unsafe character is also one Python calls unprintable.
    for code in UNSAFE_CODES:
        char = chr(code)
        for text in (char, f"Acme{char}Corp"):
            assert has_unsafe(text), hex(code)
            cleaned = clean(text)
            assert char not in cleaned and not has_unsafe(cleaned), hex(code)


def test_clean_bounds_the_length() -> None:
    assert len(clean("x" * 100_000)) == MAX_TEXT + 1


def test_every_text_field_of_a_model_is_cleaned() -> None:
    bad = "\x1b]52;c;Zm9v\x07\u202e"
    user = _parse.user(
        {
            "uuid": "u",
            "email": f"a{bad}@example.com",
            "first_name": bad,
            "last_name": bad,
            "organization": {"id": "o", "name": bad},
            "organizations": [{"id": "o", "name": bad}],
            "team": {"id": 1, "name": bad, "api_token": "phc_x"},
        }
    )
    key = _parse.personal_key({"id": "k", "label": bad, "mask_value": bad, "scopes": [bad]})
    project = _parse.project({"id": 2, "name": bad, "api_token": "phc_$(touch /tmp/x)"})
    texts = [
        user.email,
        user.display_name,
        user.organizations[0].name,
        user.team.name if user.team else "",
        key.label,
        key.mask_value,
        key.scopes[0],
        project.name,
    ]
    for text in texts:
        assert not has_unsafe(text), text
    # Shell metacharacters are not controls: the value stays as sent (quoting is dotenv's job).
    assert project.api_token == "phc_$(touch /tmp/x)"


def test_a_secret_value_is_kept_as_sent() -> None:
    new = _parse.new_personal_key({"id": "k", "label": "L", "value": "phx_abc\u00e9def0123456"})
    assert new.value.reveal() == "phx_abc\u00e9def0123456"


def test_the_mask_of_a_pasted_key_shows_no_control_character() -> None:
    value = "phx_" + "a" * 30 + "\x1b[2J"
    assert "\x1b" not in mask(value)
    assert "\x1b" not in Secret(value).masked


def test_cli_output_is_cleaned_line_by_line() -> None:
    assert printable("a\x1b[2J\nb\u202ec") == "a\\x1b[2J\nb⟨U+202E⟩c"


@pytest.mark.parametrize(
    "key",
    ["phx_abc é", "phx_abc\x00", "phx_a b", "phx_\u200babc", "phx_ü", "phx_\t"],
)
def test_a_key_with_a_character_no_key_has_is_named(key: str) -> None:
    assert key_text_problem(key) == "contains a character that no PostHog key has"


@pytest.mark.parametrize("key", ["phx_" + "A" * 40, "legacy-key_1234", "phc_a.b-c"])
def test_keys_of_any_shape_pass_the_text_check(key: str) -> None:
    assert key_text_problem(key) is None


@pytest.mark.parametrize(
    "shape",
    [
        lambda v: f"could not store {v}",
        lambda v: f"could not store {v[5:30]}",
        lambda v: f"value={v!r}".replace("'", '"'),
        lambda v: f"data {v.encode()!r}",
        lambda v: f"hex {v.encode().hex()}",
        lambda v: "b64 " + __import__("base64").b64encode(v.encode()).decode(),
        lambda v: f"upper {v.upper()}",
    ],
)
def test_keyring_errors_are_masked_whatever_their_form(shape: object) -> None:
    from phguide.system._keyring_words import describe

    secret = "phx_" + "Zq8wL1mN4bV7cX2" * 3
    text = describe(RuntimeError(shape(secret)), [secret])  # type: ignore[operator]
    assert secret[6:14] not in text and secret[6:14].lower() not in text.lower()
    assert secret.encode().hex()[10:30] not in text
    assert "RuntimeError" in text


def test_keyring_errors_without_a_secret_stay_readable() -> None:
    from phguide.system._keyring_words import describe

    assert describe(RuntimeError("locked \x1b[2J"), ["phx_" + "q" * 30]) == (
        "RuntimeError: locked \\x1b[2J"
    )
