"""Every phase of the walkthrough, through the API client, under every fault the demo server makes.

Each case ends in one of two ways: the client repeated a safe call and succeeded, or it raised a
PostHogError with a message and a fix (never HTML, never a traceback). Calls that create, roll,
delete or sign in are never repeated (the server's request log says so), and the same client
works once the fault is gone.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import DeviceCodeExpired, PostHogError, SecondFactorRequired
from phguide.core.hosts import parse_host
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD, EMAIL_CODE_EMAIL, TOTP_EMAIL

from .conftest import Injector, assert_clear

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
    "502 after the work": {"kind": "status", "status": 502, "after": True},
    "dropped after the work": {"kind": "drop", "after": True},
    "restart": {},
}
"""Every way the server misbehaves; "restart" stops the server and starts it on the same port."""

RECOVERABLE = frozenset(
    {
        "429 Retry-After",
        "429 no Retry-After",
        "502 html",
        "503 html",
        "dropped",
        "reset",
        "502 after the work",
        "dropped after the work",
    }
)
"""Faults a retried call gets past by itself (one retry each)."""

FAST_TIMEOUT = 0.5
"""The client's timeout under a slow fault: the server answers after 2 s."""


class NoWait:
    """A sleep that moves the demo clock instead of waiting (retries and device polls)."""

    def __init__(self, server: DemoServer) -> None:
        self.server = server
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.server.clock.advance(seconds)
        await asyncio.sleep(0)


@dataclass
class Env:
    server: DemoServer
    client: PostHogClient
    sleep: NoWait


Prepare = Callable[[Env], Awaitable[Any]]
Run = Callable[[Env, Any], Awaitable[None]]


async def _nothing(env: Env) -> None:
    return None


async def _session(env: Env) -> None:
    if env.client.auth_kind != "session":
        await env.client.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))


async def _keyed(env: Env) -> None:
    if env.client.personal_key is None:
        env.client.use_personal_key(Secret(env.server.issue_key(DEMO_EMAIL, "Fault test")))


async def _key_id(env: Env) -> str:
    await _session(env)
    env.server.issue_key(DEMO_EMAIL, "Victim")
    keys = await env.client.list_keys()
    return next(key.id for key in keys if key.label == "Victim")


async def _pending_totp(env: Env) -> None:
    with pytest.raises(SecondFactorRequired):
        await env.client.login(TOTP_EMAIL, Secret(DEMO_PASSWORD))


async def _pending_email(env: Env) -> None:
    with pytest.raises(SecondFactorRequired):
        await env.client.login(EMAIL_CODE_EMAIL, Secret(DEMO_PASSWORD))


async def _approved_code(env: Env) -> Any:
    code = await env.client.start_device_flow()
    user = env.server.data.users[DEMO_EMAIL]
    env.server.approve_device(code.user_code, DEMO_EMAIL, user.current_team_id or 0)
    return code


async def _listing(env: Env, _: Any) -> None:
    user = await env.client.me()
    listed = await env.client.all_projects(user)
    assert listed and all(entry.projects or entry.error for entry in listed)


async def _poll(env: Env, code: Any) -> None:
    found = await env.client.wait_for_device_approval(code, sleep=env.sleep)
    assert found.personal_api_key.reveal().startswith("phx_")


async def _create(env: Env, _: Any) -> None:
    new = await env.client.create_key("Made under fire", ["user:read"])
    assert new.value.reveal().startswith("phx_")


async def _roll(env: Env, key_id: str) -> None:
    new = await env.client.roll_key(key_id)
    assert new.value.reveal().startswith("phx_")


async def _login(env: Env, _: Any) -> None:
    await env.client.login(DEMO_EMAIL, Secret(DEMO_PASSWORD))


@dataclass(frozen=True)
class Step:
    """One call of a phase, the request a fault hits, and whether the client may repeat it."""

    phase: str
    name: str
    method: str
    path: str
    retried: bool
    prepare: Prepare
    run: Run
    body_ignored: bool = False
    """Only the answer's status and cookies matter (the login page): broken JSON is no fault."""
    no_content: bool = False
    """The answer is a 204: a connection dropped after it has nothing left to cut."""

    def __str__(self) -> str:
        return f"{self.phase}: {self.name}"


async def _precheck(env: Env, _: Any) -> None:
    await env.client.precheck(DEMO_EMAIL)


async def _totp(env: Env, _: Any) -> None:
    await env.client.login_token(env.server.current_totp(TOTP_EMAIL))


async def _email_code(env: Env, _: Any) -> None:
    code = env.server.last_emailed_code(EMAIL_CODE_EMAIL)
    assert code is not None
    await env.client.verify_email_code(EMAIL_CODE_EMAIL, code)


async def _device_code(env: Env, _: Any) -> None:
    await env.client.start_device_flow()


async def _list_keys(env: Env, _: Any) -> None:
    assert await env.client.list_keys()


async def _delete(env: Env, key_id: str) -> None:
    await env.client.delete_key(key_id)


async def _org_projects(env: Env, _: Any) -> None:
    assert await env.client.org_projects("@current")


async def _project(env: Env, _: Any) -> None:
    assert (await env.client.project("@current")).api_token.startswith("phc_")


STEPS = (
    Step("login", "precheck", "POST", r"^/api/login/precheck/?$", True, _nothing, _precheck),
    Step("login", "login page", "GET", r"^/login/?$", True, _nothing, _login, body_ignored=True),
    Step("login", "password", "POST", r"^/api/login/?$", False, _nothing, _login),
    Step("second factor", "totp", "POST", r"^/api/login/token/?$", False, _pending_totp, _totp),
    Step(
        "second factor",
        "emailed code",
        "POST",
        r"^/api/login/code-based-verification/?$",
        False,
        _pending_email,
        _email_code,
    ),
    Step(
        "device polling",
        "device code",
        "POST",
        r"^/api/cli-auth/device-code/?$",
        False,
        _nothing,
        _device_code,
    ),
    Step("device polling", "poll", "POST", r"^/api/cli-auth/poll/?$", True, _approved_code, _poll),
    Step("project listing", "me", "GET", r"^/api/users/@me/?$", True, _session, _listing),
    Step(
        "project listing",
        "org projects",
        "GET",
        r"^/api/organizations/@current/projects/?$",
        True,
        _session,
        _org_projects,
    ),
    Step(
        "project listing", "one project", "GET", r"^/api/projects/[^/]+/?$", True, _keyed, _project
    ),
    Step("key creation", "list", "GET", r"^/api/personal_api_keys/?$", True, _session, _list_keys),
    Step("key creation", "create", "POST", r"^/api/personal_api_keys/?$", False, _session, _create),
    Step("roll", "roll", "POST", r"^/api/personal_api_keys/[^/]+/roll/?$", False, _key_id, _roll),
    Step(
        "delete",
        "delete",
        "DELETE",
        r"^/api/personal_api_keys/[^/]+/?$",
        False,
        _key_id,
        _delete,
        no_content=True,
    ),
)


def _cases() -> list[Any]:
    cases = []
    for step in STEPS:
        for fault in FAULTS:
            if step.name == "poll" and "after" in fault:
                continue  # the answer that carries the key, lost: its own test below
            cases.append(pytest.param(step, fault, id=f"{step.phase}-{step.name}-{fault}"))
    return cases


def _hits(server: DemoServer, step: Step) -> int:
    pattern = re.compile(step.path)
    return sum(
        1 for method, path in server.requests_log if method == step.method and pattern.search(path)
    )


@pytest.fixture
async def env_for(demo_server: DemoServer) -> AsyncIterator[Callable[[float], Env]]:
    clients: list[PostHogClient] = []

    def make(timeout: float) -> Env:
        sleep = NoWait(demo_server)
        client = PostHogClient(parse_host(demo_server.url), sleep=sleep, timeout=timeout)
        clients.append(client)
        return Env(demo_server, client, sleep)

    yield make
    for client in clients:
        await client.aclose()


@pytest.mark.parametrize(("step", "fault"), _cases())
async def test_fault_ends_in_success_or_a_clear_error_and_the_client_still_works(
    step: Step, fault: str, env_for: Callable[[float], Env], inject: Injector
) -> None:
    env = env_for(FAST_TIMEOUT if fault == "slow" else 5.0)
    server = env.server
    context = await step.prepare(env)
    before = _hits(server, step)
    error: BaseException | None = None
    if fault == "restart":
        server.stop()
        inject.restarted(step.phase)
    else:
        options = dict(FAULTS[fault])
        inject.add(
            server, step.phase, options.pop("kind"), step.path, method=step.method, **options
        )
    try:
        await step.run(env, context)
    except Exception as caught:
        error = caught
    finally:
        if fault == "restart":
            server.start()
    sent = _hits(server, step) - before
    if fault == "restart":
        assert_clear(error)  # type: ignore[arg-type]
        assert sent == 0
    elif (fault == "malformed" and step.body_ignored) or (
        fault == "dropped after the work" and step.no_content
    ):
        assert error is None
        assert sent == 1
    elif step.retried and fault in RECOVERABLE:
        assert error is None, f"{step}: {fault} was not retried: {error!r}"
        assert sent == 2
    else:
        assert error is not None, f"{step}: {fault} went unnoticed"
        assert_clear(error)
        # Not repeated: a sign-in, a key created, rolled or deleted happens at most once.
        assert sent == 1
    if fault != "restart":
        assert inject.total() >= 1, "the fault never fired"

    # Afterwards the same client works.
    server.faults.clear()
    env.client._t.timeout = 5.0
    context = await step.prepare(env)
    if fault == "slow":
        # The slow client's timeout is part of its transport: a fresh client with the usual one.
        env = env_for(5.0)
        context = await step.prepare(env)
    await step.run(env, context)


@pytest.mark.parametrize("fault", ["502 after the work", "dropped after the work", "502 html"])
async def test_a_create_that_failed_leaves_no_key_unknown(
    fault: str, env_for: Callable[[float], Env], inject: Injector
) -> None:
    """After a failed create, listing the keys again tells exactly whether it was made."""
    env = env_for(5.0)
    await _session(env)
    before = {key.id for key in await env.client.list_keys()}
    options = dict(FAULTS[fault])
    inject.add(
        env.server,
        "key creation",
        options.pop("kind"),
        r"^/api/personal_api_keys/?$",
        method="POST",
        **options,
    )
    with pytest.raises(PostHogError) as caught:
        await env.client.create_key("Maybe made", ["user:read"])
    assert_clear(caught.value)
    after = {key.id: key for key in await env.client.list_keys()}
    on_server = {key.id for key in env.server.data.user_keys(DEMO_EMAIL)}
    assert set(after) == on_server
    new = [after[key_id] for key_id in set(after) - before]
    if FAULTS[fault].get("after"):
        assert [key.label for key in new] == ["Maybe made"]
    else:
        assert new == []


async def test_the_poll_answer_with_the_key_lost_says_a_key_may_exist(
    env_for: Callable[[float], Env], inject: Injector
) -> None:
    """The device flow hands its key over once: losing that answer must not be called expiry."""
    env = env_for(5.0)
    code = await _approved_code(env)
    inject.add(
        env.server, "device polling", "drop", r"^/api/cli-auth/poll/?$", method="POST", after=True
    )
    with pytest.raises(PostHogError) as caught:
        await env.client.wait_for_device_approval(code, sleep=env.sleep)
    error = assert_clear(caught.value)
    labels = [key.label for key in env.server.data.user_keys(DEMO_EMAIL)]
    created = [label for label in labels if label.startswith("CLI")]
    assert created, "the approval made no key"
    # The user learns that a key was probably made and where to find it.
    text = f"{error.message} {error.fix}"
    assert "Personal API keys" in text, text
    assert not isinstance(error, DeviceCodeExpired) or "may" in text
    # Starting again works.
    await _poll(env, await _approved_code(env))


async def test_a_poll_that_fails_resumes_with_the_same_code(
    env_for: Callable[[float], Env], inject: Injector
) -> None:
    env = env_for(5.0)
    code = await _approved_code(env)
    inject.add(env.server, "device polling", "status", r"^/api/cli-auth/poll/?$", status=500)
    with pytest.raises(PostHogError) as caught:
        await env.client.wait_for_device_approval(code, sleep=env.sleep)
    assert_clear(caught.value)
    await _poll(env, code)


async def test_server_restarted_between_calls_of_one_session(
    env_for: Callable[[float], Env], inject: Injector
) -> None:
    """Kept-alive connections to a server that went away are not an error on the next call."""
    env = env_for(5.0)
    await _session(env)
    await env.client.me()
    env.server.stop()
    env.server.start()
    inject.restarted("project listing")
    await _listing(env, None)
    env.server.stop()
    env.server.start()
    inject.restarted("key creation")
    # A POST on a connection the old server closed: sent once, on a fresh connection.
    before = sum(1 for m, p in env.server.requests_log if m == "POST")
    await _create(env, None)
    assert sum(1 for m, p in env.server.requests_log if m == "POST") == before + 1


def test_the_matrix_covers_every_phase() -> None:
    phases = {step.phase for step in STEPS}
    assert phases >= {
        "login",
        "second factor",
        "device polling",
        "project listing",
        "key creation",
        "roll",
        "delete",
    }
