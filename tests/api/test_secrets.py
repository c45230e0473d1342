"""After a full login-and-create flow, no secret is in a repr, an error, a log record or a URL."""

from __future__ import annotations

import logging

import pytest

from phguide.api.client import PostHogClient
from phguide.api.errors import PostHogError, SecondFactorRequired
from phguide.core.hosts import Host
from phguide.core.secret import Secret
from phguide.demo import DemoServer
from phguide.demo.data import DEMO_PASSWORD, TOTP_EMAIL

from .conftest import RecordingSleep, SpyTransport


async def test_no_secret_leaks_anywhere(
    host: Host,
    server: DemoServer,
    spy: SpyTransport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: phguide's, httpx's and httpcore's
    seen: list[object] = []
    errors: list[PostHogError] = []
    secrets: list[str] = [DEMO_PASSWORD]
    sleep = RecordingSleep(server)

    async def expect_error(call: object) -> None:
        try:
            await call  # type: ignore[misc]
        except PostHogError as error:
            errors.append(error)
        else:
            raise AssertionError("expected a PostHogError")

    async with PostHogClient(host, transport=spy, sleep=sleep) as session:
        seen.append(session)
        seen.append(await session.precheck(TOTP_EMAIL))
        with pytest.raises(SecondFactorRequired) as caught:
            await session.login(TOTP_EMAIL, Secret(DEMO_PASSWORD))
        errors.append(caught.value)
        await expect_error(session.login_token("000000"))
        await session.login_token(server.current_totp(TOTP_EMAIL))
        remembered = session.remember_cookies()
        seen.append(remembered)
        secrets += [value.reveal() for value in remembered.values()]
        secrets += [value.reveal() for value in session._t.cookies.values()]

        user = await session.me()
        seen.append(user)
        created = await session.create_key("leak check", ["user:read", "project:read"])
        seen.append(created)
        secrets.append(created.value.reveal())
        seen.append(await session.list_keys())
        seen.append(await session.get_key(created.key.id))
        rolled = await session.roll_key(created.key.id)
        seen.append(rolled)
        secrets.append(rolled.value.reveal())
        await expect_error(session.create_key("x" * 41, ["user:read"]))
        await expect_error(session.create_key("bad", ["nope:read"]))

        code = await session.start_device_flow()
        seen.append(code)
        server.approve_device(code.user_code, TOTP_EMAIL, 1001)
        approved = await session.wait_for_device_approval(code)
        seen.append(approved)
        secrets.append(approved.personal_api_key.reveal())
        seen.append(session)

    async with PostHogClient(host, personal_key=rolled.value, transport=spy, sleep=sleep) as keyed:
        seen.append(keyed)
        seen.append(await keyed.current_key())
        seen.append(await keyed.all_projects(await keyed.me()))
        await expect_error(keyed.list_keys())
        await expect_error(keyed.roll_key(created.key.id))
        seen.append(await keyed.check_project_key(user.team.api_token if user.team else ""))

    async with PostHogClient(host, personal_key=created.value, transport=spy) as stale:
        await expect_error(stale.me())  # rolled: the old value is refused

    server.faults.add("status", path="/api/users", status=502, times=None)
    async with PostHogClient(host, personal_key=rolled.value, sleep=sleep) as failing:
        await expect_error(failing.me())

    assert len(errors) >= 8
    assert all(secret for secret in secrets)
    # password, remember cookie, session id, CSRF token, created, rolled, device-flow key
    assert len(set(secrets)) >= 7
    texts = [repr(thing) for thing in seen]
    texts += [repr(error) for error in errors]
    texts += [f"{error} {error.message} {error.fix} {error.detail}" for error in errors]
    assert caplog.records, "the client logged nothing at DEBUG"
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    texts += [str(request.url) for request in spy.sent]
    for secret in secrets:
        for text in texts:
            assert secret not in text
    # The phguide logger says method, path and status only.
    ours = [r.getMessage() for r in caplog.records if r.name == "phguide.api"]
    assert "POST /api/personal_api_keys/ -> 201" in ours
