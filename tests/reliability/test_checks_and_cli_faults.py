"""Troubleshooting checks (diagnose) and the subcommands under every fault the demo server makes.

A check that could not ask the server says so with a fix and never calls a good key bad; a
subcommand exits 1 with "phguide: message" and a fix on stderr (never HTML, never a traceback),
and the same command works once the fault is gone.
"""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from phguide.api.client import PostHogClient
from phguide.cli.main import run_subcommand
from phguide.cli.parser import build_parser
from phguide.core.diagnose import Diagnosis, diagnose_key
from phguide.core.hosts import Clouds, Host
from phguide.core.secret import Secret
from phguide.demo import DEMO_EMAIL, DemoServer
from phguide.system.credentials import MemoryStore

from .conftest import Injector, assert_no_html

FAULTS: dict[str, dict[str, Any]] = {
    "slow": {"kind": "slow", "delay": 2.0},
    "429 Retry-After": {"kind": "throttle", "retry_after": 1},
    "429 no Retry-After": {"kind": "throttle", "retry_after": None, "seconds": 2},
    "500 html": {"kind": "status", "status": 500},
    "502 html": {"kind": "status", "status": 502},
    "503 html": {"kind": "status", "status": 503},
    "dropped": {"kind": "drop"},
    "malformed": {"kind": "malformed"},
    "reset": {"kind": "reset"},
    "restart": {},
}
RECOVERABLE = frozenset(
    {"429 Retry-After", "429 no Retry-After", "502 html", "503 html", "dropped", "reset"}
)
"""Faults that every call on these paths gets past by one retry (all are reads or /flags)."""


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


@dataclass
class World:
    us: DemoServer
    eu_server: DemoServer
    clouds: Clouds
    timeout: float = 5.0

    def factory(self, host: Host, key: Secret | None) -> PostHogClient:
        return PostHogClient(host, personal_key=key, sleep=_no_wait, timeout=self.timeout)


@pytest.fixture
def world(demo_server: DemoServer, eu_server: DemoServer, clouds: Clouds) -> World:
    return World(demo_server, eu_server, clouds)


def _plan(world: World, inject: Injector, phase: str, fault: str, paths: list[str]) -> None:
    world.timeout = 0.5 if fault == "slow" else 5.0
    if fault == "restart":
        world.us.stop()
        inject.restarted(phase)
        return
    for path in paths:
        options = dict(FAULTS[fault])
        inject.add(world.us, phase, options.pop("kind"), path, **options)


def _after(world: World, fault: str) -> None:
    if fault == "restart":
        world.us.start()
    world.us.faults.clear()
    world.timeout = 5.0


def _project_token(server: DemoServer) -> str:
    user = server.data.users[DEMO_EMAIL]
    return server.data.projects[user.current_team_id or 0].api_token


def _check_diagnosis(diagnosis: Diagnosis, fault: str) -> None:
    text = "\n".join(diagnosis.to_lines())
    assert_no_html(text)
    assert_no_html(diagnosis.to_json())
    if fault in RECOVERABLE:
        assert diagnosis.valid is True, text
        return
    # Not knowing is said as such: a good key is never called bad because the server failed.
    assert diagnosis.valid is None, text
    assert diagnosis.problems, text
    for problem in diagnosis.problems:
        assert problem.message and problem.fix, problem


KEY_PATHS = [r"^/api/users/@me/?$", r"^/api/personal_api_keys/@current/?$"]


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("kind", ["personal", "project"])
async def test_a_check_under_a_fault(world: World, inject: Injector, fault: str, kind: str) -> None:
    host = world.clouds.us
    value = world.us.issue_key(DEMO_EMAIL) if kind == "personal" else _project_token(world.us)
    paths = KEY_PATHS if kind == "personal" else [r"^/flags/?$"]
    _plan(world, inject, "troubleshooting", fault, paths)
    try:
        diagnosis = await diagnose_key(value, host, world.clouds, world.factory)
    finally:
        _after(world, fault)
    _check_diagnosis(diagnosis, fault)
    assert value not in diagnosis.to_json()

    again = await diagnose_key(value, host, world.clouds, world.factory)
    assert again.valid is True and again.host == host


@dataclass
class Result:
    status: int
    out: str
    err: str


def _run(world: World, tmp_path: Path, *argv: str, env: dict[str, str], stdin: str = "") -> Result:
    args = build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    status = run_subcommand(
        args,
        store=MemoryStore(),
        clouds=world.clouds,
        client_factory=world.factory,
        environ=env,
        config_path=tmp_path / "config.json",
        stdin=io.StringIO(stdin),
        stdout=out,
        stderr=err,
    )
    return Result(status, out.getvalue(), err.getvalue())


COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "status": (["status", "--host", "us"], KEY_PATHS),
    "keys": (["keys", "--host", "us"], [r"^/api/users/@me/?$"]),
    "keys listing": (["keys", "--host", "us"], [r"^/api/organizations/[^/]+/projects/?$"]),
    "check personal": (["check", "--host", "us"], KEY_PATHS),
    "check project": (["check", "--host", "us"], [r"^/flags/?$"]),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_subcommand_under_a_fault(
    world: World, inject: Injector, tmp_path: Path, command: str, fault: str
) -> None:
    argv, paths = COMMANDS[command]
    key = world.us.issue_key(DEMO_EMAIL)
    stdin = _project_token(world.us) if command == "check project" else key
    env = {"POSTHOG_PERSONAL_API_KEY": key}
    # Each fault hits once: for the listing, whichever of the two organizations asks first.
    _plan(world, inject, "cli", fault, paths)
    try:
        result = _run(world, tmp_path, *argv, env=env, stdin=stdin)
    finally:
        _after(world, fault)
    shown = result.out + result.err
    assert_no_html(shown)
    assert key not in shown
    if fault in RECOVERABLE:
        assert result.status == 0, shown
    else:
        assert result.status == 1, shown
        if argv[0] == "keys":
            # phguide: <what happened>, then the fix on the next line.
            lines = result.err.splitlines()
            assert lines[0].startswith("phguide: ") and len(lines) >= 2, shown
            assert lines[1].startswith("  ") and lines[1].strip(), shown
        else:
            assert re.search(r"Problem: .+\n  Fix: +\S", result.out), shown

    again = _run(world, tmp_path, *argv, env=env, stdin=stdin)
    assert again.status == 0, again.out + again.err
