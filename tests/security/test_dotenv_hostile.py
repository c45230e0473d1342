"""A `.env` written with a hostile value reads back unchanged in bash, python-dotenv and Node's
dotenv, and runs nothing; git is asked about it with the repository's hooks and fsmonitor off.

The three readers run for real: bash (`set -a; . ./.env`), python-dotenv from PyPI, and the
`dotenv` npm package under node (installed in tests/js with `npm ci`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from phguide.core.dotenv import DotenvError, format_value, git_ignores, update_dotenv

JS = Path(__file__).parents[1] / "js"

HOSTILE = {
    "SUBST": "phc_$(touch {marker})",
    "BACKTICK": "phc_`touch {marker}`",
    "VAR": "a$HOME$1$",
    "DOUBLE": 'say "hi" "$(touch {marker})"',
    "SEMI": "x; touch {marker}; #",
    "BACKSLASH": "a\\b\\n\\$c",
    "NEWLINE": "line one\nline two $(touch {marker})",
    "TILDE": "~/x:~",
    "GLOB": "* ? [a]",
    "HASH": "value # not a comment",
    "UNICODE": "Zürich \u202e",
    "SPACES": "  padded  ",
}


def _values(marker: Path) -> dict[str, str]:
    return {name: value.format(marker=marker) for name, value in HOSTILE.items()}


def _bash(path: Path, names: list[str]) -> dict[str, str]:
    script = (
        "set -a; . ./"
        + path.name
        + "; "
        + 'printf "%s\\0" '
        + " ".join(f'"${{{name}}}"' for name in names)
    )
    out = subprocess.run(
        ["bash", "-c", script], cwd=path.parent, capture_output=True, check=True, env={}
    ).stdout
    return dict(zip(names, out.decode().split("\0")[:-1], strict=True))


def _node(path: Path) -> dict[str, str]:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "dotenv").is_dir():
        pytest.fail("node and the dotenv npm package are needed (npm ci in tests/js)")
    script = (
        "const d = require('dotenv');"
        "const fs = require('fs');"
        f"process.stdout.write(JSON.stringify(d.parse(fs.readFileSync({json.dumps(str(path))}))));"
    )
    out = subprocess.run(
        [node, "-e", script], cwd=JS, capture_output=True, check=True, text=True
    ).stdout
    parsed: dict[str, str] = json.loads(out)
    return parsed


def test_hostile_values_read_back_unchanged_everywhere_and_run_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    values = _values(marker)
    path = tmp_path / ".env"
    update_dotenv(path, values)
    assert _bash(path, list(values)) == values
    assert dict(dotenv_values(path)) == values
    assert _node(path) == values
    assert not marker.exists(), "sourcing the .env ran a command"


def test_a_replaced_value_in_every_old_quoting_style_reads_back_unchanged(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    values = _values(marker)
    path = tmp_path / ".env"
    path.write_text(
        "".join(
            f"{name}={style}old{style}\n"
            for name, style in zip(values, ["", "'", '"'] * len(values), strict=False)
        )
    )
    update_dotenv(path, values)
    assert _bash(path, list(values)) == values
    assert dict(dotenv_values(path)) == values
    assert _node(path) == values
    assert not marker.exists()


@pytest.mark.parametrize(
    "value", ["it's", "a\\\\b", "ends\\", "${HOME}", "nul\x00", "cr\r", "esc\x1b"]
)
def test_a_value_no_quoting_keeps_is_refused_with_a_reason(tmp_path: Path, value: str) -> None:
    with pytest.raises(DotenvError, match="cannot write this value safely") as refused:
        format_value(value)
    assert refused.value.fix
    path = tmp_path / ".env"
    with pytest.raises(DotenvError):
        update_dotenv(path, {"A": "fine", "B": value})
    assert not path.exists(), "nothing is written when one value is refused"


def test_git_is_asked_with_hooks_and_fsmonitor_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    marker = tmp_path / "fsmonitor-ran"
    hook = tmp_path / "monitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    subprocess.run(["git", "-C", str(repo), "config", "core.fsmonitor", str(hook)], check=True)
    (repo / ".env").write_text("A=1\n")
    # The same question asked plainly runs the repository's fsmonitor: proof that it would.
    subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "-q", "--", ".env"], capture_output=True
    )
    assert marker.exists(), "this git does not run core.fsmonitor: the test proves nothing"
    os.unlink(marker)
    assert git_ignores(repo / ".env") is False
    assert not marker.exists(), "phguide's git question ran the repository's fsmonitor"
