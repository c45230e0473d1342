"""Every subcommand against a hostile server's user names, emails and key labels, in-process.

The hostile demo says each user's email is one with markup and an escape in it (signing in
still takes the real one), and labels keys the same way. `login --with-token` keeps that
email with the key; `token`, `run`, `switch`, `status`, `keys` and `check` then print it (and
the labels) on stdout or stderr. Whatever they print holds no control byte, no bidi override,
shows the email in its visible, escaped form, and never shows a traceback.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from phguide.cli.main import run_subcommand
from phguide.cli.parser import build_parser
from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.core.text import clean
from phguide.demo import DEMO_EMAIL, DemoServer
from phguide.demo.data import TOTP_EMAIL, demo_data
from phguide.demo.hostile import make_hostile
from phguide.system.credentials import MemoryStore
from tests.cli.conftest import Cli, Result

UNSAFE = ["\x1b", "\x07", "\x9b", "\x9c", "\x9d", "\u202e", "\u2066"]
LABEL = "CI [ @click=app.quit]x[/] [$accent] \x1b]0;pwned\x07 \u202e"


@pytest.fixture(scope="module")
def hostile() -> Iterator[DemoServer]:
    server = DemoServer(make_hostile(demo_data())).start()
    yield server
    server.stop()


@pytest.fixture
def cli(hostile: DemoServer, tmp_path: Path) -> Cli:
    host = with_region(parse_host(hostile.url), "us")
    return Cli(Clouds(us=host, eu=host), MemoryStore(), tmp_path / "config.json")


def served(server: DemoServer, email: str) -> str:
    """The email the hostile server gives for a user, as phguide must show it."""
    with server.data.lock:
        user = server.data.user(email)
        assert user is not None and user.served_email != email
        return clean(user.served_email)


def assert_clean(result: Result) -> None:
    shown = result.out + result.err
    for char in UNSAFE:
        assert char not in shown, f"{char!r} reached the terminal: {shown!r}"
    assert "Traceback" not in shown and "Error:" not in shown


def test_login_token_run_switch_status_keys_check(cli: Cli, hostile: DemoServer) -> None:
    keys = {email: hostile.issue_key(email, LABEL, ["*"]) for email in (DEMO_EMAIL, TOTP_EMAIL)}
    max_email, tess_email = served(hostile, DEMO_EMAIL), served(hostile, TOTP_EMAIL)
    assert "\\x1b]52" in max_email and "[ @click=app.quit]" in max_email

    for email, key in keys.items():
        saved = cli("login", "--with-token", stdin=key + "\n")
        assert saved.status == 0, saved.err
        assert_clean(saved)
        assert served(hostile, email) in saved.out and clean(LABEL) in saved.out
    held = cli.accounts.held()
    assert sorted(k.email for k in held) == sorted([max_email, tess_email])

    token = cli("token")
    assert (token.status, token.out) == (0, keys[TOTP_EMAIL] + "\n")
    assert_clean(token)

    ran = cli("run", "--", sys.executable, "-c", "print('child ran')")
    assert ran.status == 0, ran.err
    assert_clean(ran)

    switched = cli("switch")  # two accounts: to the other one
    assert switched.status == 0, switched.err
    assert_clean(switched)
    assert f"Switched: {max_email}" in switched.out and clean(LABEL) in switched.out
    assert cli("token").out == keys[DEMO_EMAIL] + "\n"

    status = cli("status")
    assert status.status == 0, status.out + status.err
    assert_clean(status)
    assert max_email in status.out and tess_email in status.out

    for argv in (["keys"], ["keys", "--json"], ["status", "--json"]):
        listed = cli(*argv)
        assert listed.status == 0, (argv, listed.err)
        assert_clean(listed)

    for argv in (["check"], ["check", "--json"]):
        checked = cli(*argv, stdin=keys[DEMO_EMAIL])
        assert checked.status == 0, checked.err
        assert_clean(checked)
        assert max_email in checked.out or max_email.replace("\\", "\\\\") in checked.out


def test_switch_without_a_terminal_lists_the_accounts_as_text(
    cli: Cli, hostile: DemoServer
) -> None:
    for key_id in ("k1", "k2", "k3"):
        cli.hold(cli.clouds.us, served(hostile, DEMO_EMAIL), hostile.issue_key(DEMO_EMAIL), key_id)
    args = build_parser().parse_args(["switch"])
    out, err = io.StringIO(), io.StringIO()
    status = run_subcommand(
        args,
        store=cli.store,
        clouds=cli.clouds,
        environ={},
        config_path=cli.config_path,
        stdin=io.StringIO(""),
        stdout=out,
        stderr=err,
    )
    result = Result(status, out.getvalue(), err.getvalue())
    assert status == 2 and "no terminal to ask which" in result.err
    assert_clean(result)
    assert result.err.count(served(hostile, DEMO_EMAIL)) == 3
