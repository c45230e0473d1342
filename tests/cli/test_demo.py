"""`phguide --demo SUBCOMMAND`: the embedded demo servers for that one command, no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def phguide(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phguide", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_demo_needs_no_network_and_no_keyring(tmp_path: Path) -> None:
    """--demo runs its own servers: with every other route to the network dead, it works."""
    dead = "http://127.0.0.1:9"  # any request off the loopback would go to this dead proxy
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "PHGUIDE_CONFIG_DIR": str(tmp_path),
        "HTTP_PROXY": dead,
        "HTTPS_PROXY": dead,
        "ALL_PROXY": dead,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    status = phguide(env, "--demo", "status", "--json")
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["host"]["app_url"].startswith("http://127.0.0.1:")
    assert data["works"] is True and len(data["accounts"]) == 2
    keys = phguide(env, "keys", "--demo")
    assert keys.returncode == 0 and "PROJECT API KEY" in keys.stdout
    token = phguide(env, "--demo", "token")
    assert token.returncode == 0 and token.stdout.startswith("phx_")
    assert list(tmp_path.iterdir()) == []  # the demo writes no settings


def test_token_and_run_import_neither_textual_nor_httpx(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "PHGUIDE_CONFIG_DIR": str(tmp_path),
        "POSTHOG_PERSONAL_API_KEY": "phx_" + "i" * 40,
    }
    for argv in (["token"], ["run", "--", "true"]):
        child = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "phguide", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert child.returncode == 0, child.stderr[-2000:]
        imported = {
            line.rsplit("|", 1)[1].strip().split(".")[0]
            for line in child.stderr.splitlines()
            if line.startswith("import time:") and "|" in line
        }
        assert not imported & {"textual", "httpx", "rich", "asyncio"}, argv
