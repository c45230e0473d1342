"""Set variables in a `.env` file in place, keeping every other byte; ask git if it is ignored."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from phguide.core.text import short_path

__all__ = [
    "DotenvChange",
    "DotenvError",
    "DotenvSymlink",
    "add_to_gitignore",
    "format_value",
    "git_ignores",
    "read_values",
    "update_dotenv",
]

NEW_FILE_MODE: Final = 0o600
"""A new `.env` file may hold a personal key: only its owner may read it."""
GITIGNORE_MODE: Final = 0o644
GIT_TIMEOUT: Final = 3.0
"""Seconds `git check-ignore` may take (a slow network file system must not hang us)."""

_ASSIGNMENT: Final = re.compile(
    rb"^(?P<head>[ \t]*(?:export[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*)"
    rb"(?P<rest>[^\r\n]*)(?P<eol>\r\n|\n|\r)?$"
)
_SAFE_VALUE: Final = re.compile(r"[A-Za-z0-9_./:@+,%=-]*")
"""Written bare: no shell, python-dotenv or Node dotenv gives any of these a meaning (`~` is
left out: bash expands it after `=` or `:` in an assignment)."""
_UNQUOTABLE: Final = re.compile(r"'|\\\\|\\$|\$\{|[\x00-\x08\x0b-\x1f\x7f]")
"""What no single-quoted value can hold the same way in bash, python-dotenv and Node dotenv:
a single quote, `${` (python-dotenv expands `${NAME}` in any quotes and has no escape for it),
two backslashes in a row or one at the end (python-dotenv and Node treat
``\\'`` and ``\\\\`` as escapes inside single quotes), and control characters but the line
break and the tab (Node turns a carriage return into a line break)."""
GIT_SAFE_OPTIONS: Final = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null")
"""A repository's own config must not make our question run its programs."""
_EOL: Final = re.compile(rb"\r\n|\n|\r")


class DotenvError(Exception):
    """The file cannot be read or written; `message` says why and `fix` what to do."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


class DotenvSymlink(DotenvError):
    """The path is a symbolic link: phguide writes through it only when the user says so."""

    def __init__(self, path: Path, target: Path) -> None:
        super().__init__(
            f"{short_path(path)} is a symbolic link to {short_path(target)}.",
            "Confirm to write through the link, or choose the file itself.",
        )
        self.target = target


@dataclass(frozen=True)
class DotenvChange:
    """What `update_dotenv` did."""

    path: Path
    """The file written (symbolic links followed)."""
    updated: tuple[str, ...]
    """Variables whose value was replaced where they stood."""
    added: tuple[str, ...]
    """Variables appended at the end."""
    unchanged: tuple[str, ...]
    """Variables that already had the value."""
    created: bool
    """True when the file did not exist."""
    mode: int
    """The file's permission bits after the write."""
    tightened_from: int | None = None
    """The mode an existing file had before phguide made it 0600 (None: it was not changed)."""

    @property
    def readable_by_others(self) -> bool:
        """True when users other than the owner may read the file."""
        return bool(self.mode & 0o077)


@dataclass
class _Span:
    """One assignment in the file: lines `start` to `end` (exclusive) of the split file."""

    name: str
    start: int
    end: int
    head: bytes
    value: bytes
    """The value as written, quotes included, inline comment excluded."""
    tail: bytes
    """What follows the value on its last line (an inline comment), without the line ending."""
    eol: bytes


def format_value(value: str) -> str:
    """Write a value so that `set -a; . ./.env`, python-dotenv and Node dotenv all read it back
    unchanged, and none of them runs or expands anything in it.

    Args:
        value: The plain value.

    Returns:
        The value as is when it needs no quoting (keys and URLs), else single-quoted: inside
        single quotes `$`, backticks, double quotes and line breaks mean nothing to any of them.

    Raises:
        DotenvError: The value holds what no quoting keeps the same in all three readers.
    """
    if _SAFE_VALUE.fullmatch(value):
        return value
    bad = _UNQUOTABLE.search(value)
    if bad is not None:
        what = {
            "'": "a single quote",
            "\\\\": "two backslashes in a row",
            "\\": "a backslash at the end",
            "${": "${ (python-dotenv would expand it)",
        }
        name = what.get(bad.group(0), f"the control character {bad.group(0)!r}")
        raise DotenvError(
            f"phguide cannot write this value safely to a .env file: it holds {name}, which "
            "shells and .env readers read differently.",
            "Set it by hand where you need it.",
        )
    return f"'{value}'"


def _closing_quote(text: bytes, quote: int, start: int) -> int:
    """The index of the quote that closes a value opened at `start - 1`, or -1."""
    i = start
    while i < len(text):
        if text[i] == 0x5C and quote == 0x22:  # backslash escapes inside double quotes only
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return -1


def _parse(lines: list[bytes]) -> list[_Span]:
    spans: list[_Span] = []
    i = 0
    while i < len(lines):
        match = _ASSIGNMENT.match(lines[i])
        if match is None:
            i += 1
            continue
        head, rest = match.group("head"), match.group("rest")
        eol = match.group("eol") or b""
        start = i
        if rest[:1] in (b'"', b"'"):
            quote = rest[0]
            close = _closing_quote(rest, quote, 1)
            value_bytes = rest
            # A quoted value may run over several lines: follow it to its closing quote.
            while close < 0 and i + 1 < len(lines):
                i += 1
                body = _EOL.split(lines[i])[0]
                tail_eol = lines[i][len(body) :]
                value_bytes = value_bytes + eol + body
                eol = tail_eol
                close = _closing_quote(value_bytes, quote, 1)
            if close < 0:
                value, tail = value_bytes, b""
            else:
                value, tail = value_bytes[: close + 1], value_bytes[close + 1 :]
        else:
            comment = re.search(rb"[ \t]+#", rest)
            cut = comment.start() if comment else len(rest)
            value = rest[:cut].rstrip(b" \t")
            tail = rest[len(value) :]
        spans.append(
            _Span(match.group("name").decode("ascii"), start, i + 1, head, value, tail, eol)
        )
        i += 1
    return spans


def _unquote(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == '"':
        inner = text[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), inner)
    return text.strip()


def _format_like(old: bytes, value: str) -> bytes:
    """The new value in the quoting style of the old one, when that style holds it safely."""
    if old[:1] == b'"' and _SAFE_VALUE.fullmatch(value):
        return f'"{value}"'.encode()
    if old[:1] == b"'":
        return (
            f"'{value}'".encode() if _SAFE_VALUE.fullmatch(value) else format_value(value).encode()
        )
    return format_value(value).encode()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise DotenvError(
            f"{short_path(path)} is a directory.", "Choose a file name, such as .env."
        ) from None
    except PermissionError:
        raise DotenvError(
            f"You may not read {short_path(path)}.",
            "Choose another file, or check its permissions.",
        ) from None
    except OSError as error:
        raise DotenvError(
            f"Could not open {short_path(path)}: {error.strerror}.", "Choose another file."
        ) from None


def _line_ending(data: bytes) -> bytes:
    match = _EOL.search(data)
    return match.group(0) if match else os.linesep.encode()


def read_values(path: str | os.PathLike[str], names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """The current values of some variables in a `.env` file (the last assignment wins).

    Args:
        path: The file; a missing file has no values.
        names: The variables to look up.

    Returns:
        Name to value, for the variables that are set.

    Raises:
        DotenvError: The file exists but cannot be read.
    """
    data = _read(Path(os.path.realpath(path)))
    if data is None:
        return {}
    found: dict[str, str] = {}
    for span in _parse(data.splitlines(keepends=True)):
        if span.name in names:
            found[span.name] = _unquote(span.value)
    return found


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write through phguide's one atomic writer; its failure as a `DotenvError` with a fix."""
    from phguide.system.files import FileWriteError, atomic_write

    try:
        atomic_write(path, data, mode=mode)
    except FileWriteError as error:
        where = "folder" if error.folder else "file"
        raise DotenvError(str(error), f"Choose a {where} you may write to.") from None


def update_dotenv(
    path: str | os.PathLike[str], values: Mapping[str, str], *, follow_symlink: bool = False
) -> DotenvChange:
    """Set variables in a `.env` file: replace them where they stand, append the others.

    Every other byte of the file is kept: comments, blank lines, CRLF line endings, `export`
    prefixes, quoting style, inline comments, a missing final newline.

    Args:
        path: The file; created (mode 0600) when missing, made 0600 when it is more open.
        values: Variable name to plain value.
        follow_symlink: Write through a symbolic link (only once the user said so).

    Returns:
        What changed.

    Raises:
        DotenvSymlink: The path is a symbolic link and `follow_symlink` is False.
        DotenvError: The file cannot be read or written, or a value cannot be written
            safely; it is left as it was.
    """
    given = Path(path)
    target = Path(os.path.realpath(path))
    try:
        linked = given.is_symlink()
    except OSError as error:  # a name too long, say: is_symlink passes on all but "not found"
        raise DotenvError(
            f"Could not open {short_path(given)}: {error.strerror}.", "Choose another file."
        ) from None
    if linked and not follow_symlink:
        raise DotenvSymlink(given, target)
    formatted = {name: format_value(value) for name, value in values.items()}  # refuse first
    data = _read(target)
    created = data is None
    tightened_from: int | None = None
    if data is None:
        data = b""
        mode = NEW_FILE_MODE
    else:
        try:
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = NEW_FILE_MODE
        if mode & 0o077:
            # The file may get a personal key: only its owner may read it (SECURITY.md).
            tightened_from, mode = mode, NEW_FILE_MODE
    lines = data.splitlines(keepends=True)
    spans = _parse(lines)
    updated: list[str] = []
    unchanged: list[str] = []
    replacements: dict[int, tuple[int, bytes]] = {}
    for span in spans:
        if span.name not in values:
            continue
        new_value = values[span.name]
        if _unquote(span.value) == new_value:
            if span.name not in updated and span.name not in unchanged:
                unchanged.append(span.name)
            continue
        line = span.head + _format_like(span.value, new_value) + span.tail + span.eol
        replacements[span.start] = (span.end, line)
        if span.name in unchanged:
            unchanged.remove(span.name)
        if span.name not in updated:
            updated.append(span.name)
    present = {span.name for span in spans}
    added = [name for name in values if name not in present]

    out: list[bytes] = []
    i = 0
    while i < len(lines):
        if i in replacements:
            end, line = replacements[i]
            out.append(line)
            i = end
        else:
            out.append(lines[i])
            i += 1
    if added:
        eol = _line_ending(data)
        if out and not out[-1].endswith((b"\n", b"\r")):
            out.append(eol)
        out.extend(f"{name}={formatted[name]}".encode() + eol for name in added)
    new_data = b"".join(out)
    if new_data != data or created:
        _atomic_write(target, new_data, mode)
    elif tightened_from is not None:
        try:
            os.chmod(target, mode)
        except OSError as error:
            raise DotenvError(
                f"Could not make {short_path(target)} private: {error.strerror}.", "chmod 600 it."
            ) from None
    return DotenvChange(
        target, tuple(updated), tuple(added), tuple(unchanged), created, mode, tightened_from
    )


def git_ignores(path: str | os.PathLike[str], timeout: float = GIT_TIMEOUT) -> bool | None:
    """Ask git whether a file is ignored. Blocks for up to `timeout`: call it from a thread.

    Args:
        path: The file (it need not exist yet).
        timeout: Seconds to wait for git.

    Returns:
        True when ignored, False when git would track it (or already does), None when the file
        is not in a git repository, git is not installed, or git did not answer in time.
    """
    git = shutil.which("git")
    if git is None:
        return None
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        return None
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        result = subprocess.run(
            [
                git,
                *GIT_SAFE_OPTIONS,
                "-C",
                str(target.parent),
                "check-ignore",
                "-q",
                "--",
                target.name,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            env=environment,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode == 0:
        return True
    if result.returncode == 1:
        return False
    return None


def add_to_gitignore(path: str | os.PathLike[str]) -> Path:
    """Add a file to the `.gitignore` beside it, keeping that file's other bytes.

    Args:
        path: The file git should ignore.

    Returns:
        The `.gitignore` written.

    Raises:
        DotenvError: The `.gitignore` cannot be read or written.
    """
    target = Path(os.path.realpath(path))
    gitignore = target.parent / ".gitignore"
    data = _read(gitignore)
    # Anchored, so it ignores this file and not every file of that name in subfolders.
    entry = f"/{target.name}".encode()
    if data is None:
        _atomic_write(gitignore, entry + b"\n", GITIGNORE_MODE)
        return gitignore
    mode = gitignore.stat().st_mode & 0o7777
    eol = _line_ending(data)
    prefix = b"" if not data or data.endswith((b"\n", b"\r")) else eol
    _atomic_write(gitignore, data + prefix + entry + eol, mode)
    return gitignore
