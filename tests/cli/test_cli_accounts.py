"""token, login --with-token, run, switch, completion and the environment's variables."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from phguide.cli.completion import completion_script
from phguide.cli.main import run_subcommand
from phguide.cli.output import EXIT_FAILED, EXIT_NO_KEY, EXIT_OK, EXIT_USAGE
from phguide.cli.parser import build_parser
from phguide.core.secret import Secret
from phguide.demo import DEMO_EMAIL, EU_EMAIL, DemoServer
from phguide.system.credentials import StoreResult
from tests.cli.conftest import Cli

PY = sys.executable
ROOT = Path(__file__).resolve().parents[2]


def test_token_prints_the_active_key_and_nothing_else(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Scripts", ["*"])
    cli.hold(cli.clouds.us, DEMO_EMAIL, key)
    result = cli("token")
    assert (result.status, result.out, result.err) == (0, key + "\n", "")


def test_without_a_key_token_run_and_status_exit_4(cli: Cli) -> None:
    for argv in (["token"], ["run", "--", PY, "-c", "pass"], ["status"], ["keys"]):
        result = cli(*argv)
        assert result.status == 4, argv
        assert "No POSTHOG_PERSONAL_API_KEY" in result.out + result.err


def test_login_with_token_then_token_gives_it_back(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "From a script", ["*"])
    result = cli("login", "--with-token", stdin=f"  {key}\n")
    assert result.status == 0, result.err
    assert DEMO_EMAIL in result.out and "From a script" in result.out
    assert key not in result.out + result.err
    (held,) = cli.accounts.held(cli.clouds.us)
    assert held.source == "login-with-token" and held.label == "From a script"
    assert held.key_id == demo_server.data.find_key(key).id  # type: ignore[union-attr]
    assert cli("token").out == key + "\n"


def test_login_refuses_bad_input_and_saves_nothing(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Given", ["*"])
    argument = cli("login", "--with-token", key)
    assert argument.status == 2 and "command line" in argument.err
    assert key not in argument.out + argument.err
    assert cli("login", "--with-token", stdin="").status == 2
    two = cli("login", "--with-token", stdin=f"{key}\n{key}\n")
    assert two.status == 2 and "reads one" in two.err
    assert cli("login", stdin=key).status == 2  # without --with-token
    project = cli("login", "--with-token", stdin="phc_" + "x" * 40)
    assert project.status == 1 and "not a personal API key" in project.err
    dead = cli("login", "--with-token", stdin="phx_" + "0" * 40)
    assert dead.status == 1 and dead.err
    assert cli.accounts.held() == []


def test_run_sets_the_variables_in_the_child_only(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Run", ["*"])
    cli.hold(cli.clouds.us, DEMO_EMAIL, key)
    us = cli.clouds.us
    check = (
        "import os, sys; e = os.environ; "
        f"sys.exit(0 if e['POSTHOG_PERSONAL_API_KEY'] == {key!r} "
        f"and e['POSTHOG_HOST'] == {us.app_url!r} and e['POSTHOG_API_HOST'] == {us.ingest_url!r}"
        " and 'POSTHOG_PROJECT_ID' not in e else 3)"
    )
    result = cli("run", "--", PY, "-c", check)
    assert (result.status, result.out, result.err) == (0, "", "")
    assert cli("run", "--", PY, "-c", "raise SystemExit(7)").status == 7
    missing = cli("run", "--", "phguide-no-such-command")
    assert missing.status == 127 and "command not found" in missing.err
    assert cli("run").status == 2
    project = demo_server.data.projects[1002]
    with_project = (
        "import os, sys; e = os.environ; "
        f"sys.exit(0 if e['POSTHOG_PROJECT_ID'] == '1002' "
        f"and e['POSTHOG_PROJECT_API_KEY'] == {project.api_token!r} else 3)"
    )
    assert cli("run", "--project", "1002", "--", PY, "-c", with_project).status == 0


def test_two_accounts_on_two_hosts_switch_and_token_follows(
    cli: Cli, demo_server: DemoServer, eu_server: DemoServer
) -> None:
    us_key = demo_server.issue_key(DEMO_EMAIL, "US key", ["*"])
    eu_key = eu_server.issue_key(EU_EMAIL, "EU key", ["*"])
    cli.hold(cli.clouds.eu, EU_EMAIL, eu_key, label="EU key")
    cli.hold(cli.clouds.us, DEMO_EMAIL, us_key, label="US key")
    data = cli("status", "--json").json()
    assert [
        (a["email"], a["host"]["region"], a["active"], a["works"]) for a in data["accounts"]
    ] == [
        (EU_EMAIL, "eu", True, True),
        (DEMO_EMAIL, "us", True, True),
    ]
    assert [(a["label"], a["mask"]) for a in data["accounts"]] == [
        ("EU key", Secret(eu_key).masked),
        ("US key", Secret(us_key).masked),
    ]
    said = cli("status").out
    listed = said[said.index("Accounts phguide holds a key for") :].splitlines()[1:]
    for email, label, key in ((EU_EMAIL, "EU key", eu_key), (DEMO_EMAIL, "US key", us_key)):
        row = next(line for line in listed if email in line)
        assert row.startswith("* ") and f"“{label}” {Secret(key).masked}" in row, row
        assert row.endswith("works"), row
    assert cli("token").out == us_key + "\n"
    switched = cli("switch")  # two accounts: the other one
    assert switched.status == 0 and EU_EMAIL in switched.out
    assert cli("token").out == eu_key + "\n"
    assert cli("switch", DEMO_EMAIL).status == 0
    assert cli("token").out == us_key + "\n"
    unknown = cli("switch", "nobody@example.com")
    assert unknown.status == 1 and "nobody@example.com" in unknown.err
    # A third key: without a terminal to ask, an ambiguous switch changes nothing (exit 2).
    cli.hold(cli.clouds.us, DEMO_EMAIL, demo_server.issue_key(DEMO_EMAIL, "Second"), "k2")
    ambiguous = cli("switch")
    assert ambiguous.status == 2 and "no terminal" in ambiguous.err
    assert cli("token").out != eu_key + "\n"
    assert cli("switch", "--host", "us", "k2").status == 0


def test_the_cli_variables_are_a_source_and_the_winner_is_named(
    cli: Cli, demo_server: DemoServer, eu_server: DemoServer
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "CLI var", ["*"])
    only = cli("token", env={"POSTHOG_CLI_TOKEN": key})
    assert (only.status, only.out, only.err) == (0, key + "\n", "")
    both = cli("token", env={"POSTHOG_PERSONAL_API_KEY": key, "POSTHOG_CLI_API_KEY": "phx_other"})
    assert both.out == key + "\n"
    assert "using POSTHOG_PERSONAL_API_KEY" in both.err
    eu_key = eu_server.issue_key(EU_EMAIL, "EU", ["*"])
    status = cli("status", "--json", env={"POSTHOG_CLI_HOST": "eu", "POSTHOG_CLI_API_KEY": eu_key})
    data = status.json()
    assert data["host_source"] == "POSTHOG_CLI_HOST" and data["host"]["region"] == "eu"
    assert data["key"]["variable"] == "POSTHOG_CLI_API_KEY" and data["works"] is True


def test_bash_completion_is_valid_and_completes_subcommands() -> None:
    bash = shutil.which("bash")
    assert bash is not None, "bash is needed to test its completion"
    script = completion_script("bash")
    assert subprocess.run([bash, "-n"], input=script, text=True, check=False).returncode == 0
    drive = (
        script
        + '\nCOMP_WORDS=(phguide sw); COMP_CWORD=1; _phguide; echo "${COMPREPLY[*]}"'
        + '\nCOMP_WORDS=(phguide --host eu st); COMP_CWORD=3; _phguide; echo "${COMPREPLY[*]}"'
        + '\nCOMP_WORDS=(phguide run --pr); COMP_CWORD=2; _phguide; echo "${COMPREPLY[*]}"'
    )
    done = subprocess.run([bash, "-c", drive], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["switch", "status", "--project"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_get_every_subcommand(shell: str) -> None:
    script = completion_script(shell)
    for name in ("status", "keys", "check", "token", "login", "run", "switch", "logout"):
        assert name in script


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a person's shell would be."""

    def isatty(self) -> bool:
        return True


def test_switch_asks_which_at_a_terminal(cli: Cli, demo_server: DemoServer) -> None:
    us = cli.clouds.us
    for key_id in ("k1", "k2", "k3"):
        cli.hold(us, DEMO_EMAIL, demo_server.issue_key(DEMO_EMAIL, key_id), key_id)
    out, err = io.StringIO(), Terminal()
    args = build_parser().parse_args(["switch"])
    status = run_subcommand(
        args,
        store=cli.store,
        clouds=cli.clouds,
        environ={},
        config_path=cli.config_path,
        stdin=Terminal("9\n1\n"),  # out of range first: asked again
        stdout=out,
        stderr=err,
    )
    assert status == 0, err.getvalue()
    assert "Which one (1-3" in err.getvalue()
    active = cli.accounts.active(us)
    assert active is not None and active.key_id == "k1"
    cancelled = run_subcommand(
        args,
        store=cli.store,
        clouds=cli.clouds,
        environ={},
        config_path=cli.config_path,
        stdin=Terminal("\n"),
        stdout=io.StringIO(),
        stderr=Terminal(),
    )
    assert cancelled == 2
    assert cli.accounts.active(us) == active


def test_login_with_token_that_cannot_be_saved_exits_1_and_says_why(
    cli: Cli, demo_server: DemoServer
) -> None:
    cli.store.failure = StoreResult("no-backend", "No keyring here.", "Install one.")
    key = demo_server.issue_key(DEMO_EMAIL, "Unsaveable", ["*"])
    result = cli("login", "--with-token", stdin=key)
    assert (result.status, result.out) == (1, "")
    assert "No keyring here." in result.err and "Install one." in result.err
    assert key not in result.err
    assert cli("token").status == 4


def test_token_without_a_key_says_how_to_get_one_on_stderr_only(cli: Cli) -> None:
    result = cli("token")
    assert (result.status, result.out) == (4, "")
    assert "login --with-token" in result.err and "run phguide" in result.err.lower()


def test_run_takes_the_project_from_posthog_clis_variable(
    cli: Cli, demo_server: DemoServer
) -> None:
    cli.hold(cli.clouds.us, DEMO_EMAIL, demo_server.issue_key(DEMO_EMAIL, "Run", ["*"]))
    project = demo_server.data.projects[1002]
    check = (
        "import os, sys; e = os.environ; "
        f"sys.exit(0 if e['POSTHOG_PROJECT_ID'] == '1002' "
        f"and e['POSTHOG_PROJECT_API_KEY'] == {project.api_token!r} else 3)"
    )
    result = cli("run", "--", PY, "-c", check, env={"POSTHOG_CLI_PROJECT_ID": "1002"})
    assert (result.status, result.out) == (0, ""), result.err


EXIT_WORDS = {
    EXIT_OK: "ok",
    EXIT_FAILED: "failure",
    EXIT_USAGE: "usage error or cancelled",
    EXIT_NO_KEY: "no personal API key",
}
"""Each exit status and the words README and --help give it."""


@pytest.mark.parametrize(
    "argv",
    [[], *([name] for name in ("status", "keys", "check", "token", "login", "run", "switch"))],
    ids=lambda argv: " ".join(argv) or "phguide",
)
def test_help_states_every_exit_status(argv: list[str]) -> None:
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    text = " ".join(shown.getvalue().split())
    for status, words in EXIT_WORDS.items():
        assert f"{status} {words}" in text, (argv, status)


def test_readme_states_every_exit_status() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for status, words in EXIT_WORDS.items():
        assert f"**{status}** {words}" in readme, status
