"""The subcommands as a script runs them: `python -m phguide` in a child process, the real
Secret Service for the keyring, the demo servers for PostHog, a private settings folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from phguide.core.sources import HOST_VARIABLES, KEY_VARIABLES
from phguide.demo import DEMO_EMAIL, EU_EMAIL, DemoServer
from tests.integration.conftest import SecretService

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Phguide:
    """Runs `phguide ARGS` in a child process with its own settings and the private keyring."""

    env: dict[str, str]

    def __call__(self, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "phguide", *argv],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture
def phguide(secret_service: SecretService, tmp_path: Path) -> Iterator[Phguide]:
    env = {
        k: v
        for k, v in secret_service.env.items()
        if k not in (*KEY_VARIABLES, *HOST_VARIABLES, "POSTHOG_CLI_PROJECT_ID")
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["PHGUIDE_CONFIG_DIR"] = str(tmp_path / "settings")
    run = Phguide(env)
    yield run
    # Leave the shared keyring as it was found.
    settings = tmp_path / "settings" / "config.json"
    for host in json.loads(settings.read_text())["hosts"] if settings.exists() else ():
        run("logout", "--host", host)


def test_login_token_run_and_no_key(phguide: Phguide, demo_server: DemoServer) -> None:
    url = demo_server.url
    key = demo_server.issue_key(DEMO_EMAIL, "Black box", ["*"])

    for argv in (["token"], ["run", "--", "true"], ["status"]):
        nothing = phguide(*argv, "--host", url)
        assert nothing.returncode == 4, (argv, nothing.stderr)

    login = phguide("login", "--with-token", "--host", url, stdin=key + "\n")
    assert login.returncode == 0, login.stderr
    assert DEMO_EMAIL in login.stdout and key not in login.stdout + login.stderr

    token = phguide("token", "--host", url)
    assert (token.returncode, token.stdout, token.stderr) == (0, key + "\n", "")

    works = phguide("run", "--host", url, "--", "sh", "-c", 'test -n "$POSTHOG_PERSONAL_API_KEY"')
    assert (works.returncode, works.stdout, works.stderr) == (0, "", "")
    assert phguide("run", "--host", url, "--", "sh", "-c", "exit 7").returncode == 7
    missing = phguide("run", "--host", url, "--", "phguide-no-such-command")
    assert missing.returncode == 127 and "command not found" in missing.stderr

    assert phguide("logout", "--host", url).returncode == 0
    assert phguide("token", "--host", url).returncode == 4


def test_two_accounts_on_two_hosts(
    phguide: Phguide, demo_server: DemoServer, eu_server: DemoServer
) -> None:
    us_key = demo_server.issue_key(DEMO_EMAIL, "US", ["*"])
    eu_key = eu_server.issue_key(EU_EMAIL, "EU", ["*"])
    assert phguide("login", "--with-token", "--host", eu_server.url, stdin=eu_key).returncode == 0
    assert phguide("login", "--with-token", "--host", demo_server.url, stdin=us_key).returncode == 0

    status = phguide("status", "--json")
    assert status.returncode == 0, status.stderr
    accounts = json.loads(status.stdout)["accounts"]
    assert {(a["email"], a["host"]["app_url"], a["works"]) for a in accounts} == {
        (EU_EMAIL, eu_server.url, True),
        (DEMO_EMAIL, demo_server.url, True),
    }
    assert phguide("token").stdout == us_key + "\n"  # the host saved last

    switched = phguide("switch")
    assert switched.returncode == 0 and EU_EMAIL in switched.stdout
    assert phguide("token").stdout == eu_key + "\n"
    assert phguide("switch", DEMO_EMAIL).returncode == 0
    assert phguide("token").stdout == us_key + "\n"
    assert phguide("switch", "nobody@example.com").returncode == 1
