"""Writing `.env` files: the variable changes, every other byte stays; atomic; git-ignore checks."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from phguide.core.dotenv import (
    DotenvError,
    DotenvSymlink,
    add_to_gitignore,
    git_ignores,
    read_values,
    update_dotenv,
)
from phguide.core.text import MAX_PATH_SHOWN

KEY = "phx_" + "k" * 35


def write(path: Path, data: bytes, mode: int = 0o640) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


def test_replaces_in_place_and_keeps_every_other_byte(tmp_path: Path) -> None:
    original = (
        b"# settings\n"
        b"\n"
        b"DATABASE_URL=postgres://localhost/db  # local only\n"
        b"POSTHOG_PERSONAL_API_KEY=phx_old\n"
        b"  OTHER = 'keep me'\n"
        b"\xe2\x9c\x85 not an assignment\n"
    )
    path = write(tmp_path / ".env", original)
    change = update_dotenv(path, {"POSTHOG_PERSONAL_API_KEY": KEY})
    assert change.updated == ("POSTHOG_PERSONAL_API_KEY",)
    assert change.added == ()
    assert path.read_bytes() == original.replace(b"phx_old", KEY.encode())


def test_crlf_files_stay_crlf_and_appended_lines_use_crlf(tmp_path: Path) -> None:
    original = b"A=1\r\nPOSTHOG_HOST=https://old\r\n# end\r\n"
    path = write(tmp_path / ".env", original)
    update_dotenv(path, {"POSTHOG_HOST": "https://eu.i.posthog.com", "NEW": "x"})
    assert path.read_bytes() == (
        b"A=1\r\nPOSTHOG_HOST=https://eu.i.posthog.com\r\n# end\r\nNEW=x\r\n"
    )


def test_a_file_without_a_final_newline(tmp_path: Path) -> None:
    path = write(tmp_path / ".env", b"A=1\nB=2")
    update_dotenv(path, {"B": "3"})
    assert path.read_bytes() == b"A=1\nB=3"
    update_dotenv(path, {"C": "4"})
    assert path.read_bytes() == b"A=1\nB=3\nC=4\n"


def test_export_prefix_spacing_quotes_and_inline_comments_are_kept(tmp_path: Path) -> None:
    original = (
        b'export POSTHOG_PERSONAL_API_KEY="phx_old" # server only\n'
        b"export  POSTHOG_HOST = 'https://us.i.posthog.com'\n"
        b"POSTHOG_PROJECT_API_KEY=phc_old   # public\n"
    )
    path = write(tmp_path / ".env", original)
    update_dotenv(
        path,
        {
            "POSTHOG_PERSONAL_API_KEY": KEY,
            "POSTHOG_HOST": "https://eu.i.posthog.com",
            "POSTHOG_PROJECT_API_KEY": "phc_new",
        },
    )
    assert path.read_bytes() == (
        f'export POSTHOG_PERSONAL_API_KEY="{KEY}" # server only\n'.encode()
        + b"export  POSTHOG_HOST = 'https://eu.i.posthog.com'\n"
        + b"POSTHOG_PROJECT_API_KEY=phc_new   # public\n"
    )
    assert read_values(path, ["POSTHOG_PERSONAL_API_KEY", "POSTHOG_HOST"]) == {
        "POSTHOG_PERSONAL_API_KEY": KEY,
        "POSTHOG_HOST": "https://eu.i.posthog.com",
    }


def test_a_multiline_quoted_value_is_replaced_whole(tmp_path: Path) -> None:
    original = b'CERT="-----BEGIN\nabc\n-----END"\nA=1\n'
    path = write(tmp_path / ".env", original)
    update_dotenv(path, {"CERT": "short"})
    assert path.read_bytes() == b'CERT="short"\nA=1\n'


def test_values_that_need_quoting_are_quoted(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    update_dotenv(path, {"A": "two words", "B": 'say "hi"', "C": "https://x.example/a"})
    assert path.read_bytes() == b"A='two words'\nB='say \"hi\"'\nC=https://x.example/a\n"
    assert read_values(path, ["A", "B", "C"]) == {
        "A": "two words",
        "B": 'say "hi"',
        "C": "https://x.example/a",
    }


def test_unchanged_values_leave_the_file_alone(tmp_path: Path) -> None:
    path = write(tmp_path / ".env", b"A=1\n")
    before = path.stat().st_ino
    change = update_dotenv(path, {"A": "1"})
    assert change.unchanged == ("A",)
    assert path.stat().st_ino == before


def test_existing_files_are_made_private_and_new_files_are_private(tmp_path: Path) -> None:
    existing = write(tmp_path / "shared.env", b"A=1\n", mode=0o644)
    change = update_dotenv(existing, {"A": "2"})
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert change.tightened_from == 0o644
    assert not change.readable_by_others
    same = write(tmp_path / "same.env", b"A=1\n", mode=0o640)
    assert update_dotenv(same, {"A": "1"}).tightened_from == 0o640
    assert stat.S_IMODE(same.stat().st_mode) == 0o600
    private = write(tmp_path / "private.env", b"A=1\n", mode=0o600)
    assert update_dotenv(private, {"A": "3"}).tightened_from is None
    fresh = tmp_path / "new.env"
    change = update_dotenv(fresh, {"POSTHOG_PERSONAL_API_KEY": KEY})
    assert change.created
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert not change.readable_by_others


def test_a_symbolic_link_is_followed_only_when_asked_and_not_replaced(tmp_path: Path) -> None:
    real = write(tmp_path / "real.env", b"A=1\n")
    link = tmp_path / ".env"
    link.symlink_to(real)
    with pytest.raises(DotenvSymlink) as refused:
        update_dotenv(link, {"A": "2"})
    assert refused.value.target == real
    assert real.read_bytes() == b"A=1\n"
    update_dotenv(link, {"A": "2"}, follow_symlink=True)
    assert link.is_symlink()
    assert real.read_bytes() == b"A=2\n"


def test_the_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / ".env", b"A=1\nB=2\n")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("phguide.core.dotenv.os.replace", fail)
    with pytest.raises(DotenvError) as raised:
        update_dotenv(path, {"A": "changed"})
    assert "No space left" in raised.value.message
    assert path.read_bytes() == b"A=1\nB=2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def test_unreadable_targets_raise_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(DotenvError, match="directory"):
        update_dotenv(tmp_path, {"A": "1"})
    with pytest.raises(DotenvError):
        update_dotenv(tmp_path / "missing-folder" / ".env", {"A": "1"})


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_git_ignores_answers_true_false_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # git must not find a repository above the temporary folder.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    outside = tmp_path / "outside"
    outside.mkdir()
    assert git_ignores(outside / ".env") is None
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    target = repo / ".env"
    target.write_text("A=1\n")
    assert git_ignores(target) is False
    gitignore = repo / ".gitignore"
    gitignore.write_bytes(b"node_modules\r\n*.log")
    written = add_to_gitignore(target)
    assert written == gitignore
    assert gitignore.read_bytes() == b"node_modules\r\n*.log\r\n/.env\r\n"
    assert git_ignores(target) is True


@needs_git
def test_add_to_gitignore_creates_the_file(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    target = tmp_path / "app.env"
    add_to_gitignore(target)
    assert (tmp_path / ".gitignore").read_bytes() == b"/app.env\n"
    assert git_ignores(target) is True


def test_git_ignores_is_none_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("phguide.core.dotenv.shutil.which", lambda name: None)
    assert git_ignores(tmp_path / ".env") is None


def test_a_path_too_long_for_the_system_is_named_short_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300) / ("y" * 300) / ".env"  # each name over the 255-byte limit
    with pytest.raises(DotenvError) as refused:
        update_dotenv(path, {"POSTHOG_PERSONAL_API_KEY": "phx_x"})
    message = refused.value.message
    assert message.startswith("Could not open ") and message.endswith("File name too long.")
    assert len(message) < MAX_PATH_SHOWN + 60
    assert "…" in message and message.count("y") > 10 and "/.env" in message
