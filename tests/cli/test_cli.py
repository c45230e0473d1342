"""The scriptable subcommands against demo servers: output, exit status and JSON shape."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from phguide.cli.main import run_subcommand
from phguide.cli.parser import build_parser
from phguide.core.secret import Secret
from phguide.demo import DEMO_EMAIL, EU_EMAIL, DemoServer, scale_data
from phguide.system.credentials import MemoryStore, StoreResult
from tests.cli.conftest import Cli


def key_env(key: str) -> dict[str, str]:
    return {"POSTHOG_PERSONAL_API_KEY": key}


# -- status ------------------------------------------------------------------------------------


def test_status_with_the_environment_key(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "From env", ["*"])
    result = cli("status", env=key_env(key))
    assert result.status == 0
    assert "US Cloud" in result.out
    assert "POSTHOG_PERSONAL_API_KEY from the environment (overrides the keyring)" in result.out
    assert DEMO_EMAIL in result.out
    assert "Works on US Cloud." in result.out
    assert key not in result.out + result.err


def test_status_json_with_the_keyring_key(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Saved", ["*"])
    us = cli.clouds.us
    cli.hold(us, DEMO_EMAIL, key)
    result = cli("status", "--json")
    assert result.status == 0
    data = result.json()
    assert isinstance(data, dict)
    assert data["host"]["app_url"] == us.app_url
    assert data["host_source"] == "last used"
    assert data["key"] == {
        "source": "keyring",
        "variable": None,
        "mask": Secret(key).masked,
        "user": DEMO_EMAIL,
        "store": "memory",
    }
    assert data["works"] is True
    assert data["diagnosis"]["user"] == DEMO_EMAIL
    assert data["diagnosis"]["label"] == "Saved"
    assert key not in result.out


def test_status_without_a_key_exits_4(cli: Cli) -> None:
    result = cli("status")
    assert result.status == 4
    assert "Signed in:  no" in result.out
    data = cli("status", "--json").json()
    assert isinstance(data, dict)
    assert data["key"] is None and data["works"] is False and data["reason"]


def test_status_with_a_revoked_key_exits_1(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Gone", ["*"])
    with demo_server.data.lock:
        demo_server.data.delete_key(demo_server.data.find_key(key))  # type: ignore[arg-type]
    result = cli("status", env=key_env(key))
    assert result.status == 1
    assert "does not accept this personal API key" in result.out


def test_status_with_a_key_of_the_other_region_exits_1_and_says_where(
    cli: Cli, eu_server: DemoServer
) -> None:
    key = eu_server.issue_key(EU_EMAIL, "EU", ["*"])
    eu_server.clear_requests_log()
    result = cli("status", env=key_env(key))
    assert result.status == 1
    # status never sends a personal key to the region the user did not choose.
    assert eu_server.requests_log == []
    assert "--host eu" in result.out
    assert cli("status", "--host", "eu", env=key_env(key)).status == 0
    assert cli("status", env={**key_env(key), "POSTHOG_HOST": "eu"}).status == 0


def test_a_bad_host_is_a_usage_error(cli: Cli) -> None:
    result = cli("status", "--host", "ftp://example.com")
    assert result.status == 2
    assert result.err.startswith("phguide: --host:")
    assert "Traceback" not in result.err
    env_result = cli("status", env={"POSTHOG_HOST": "http://example.com"})
    assert env_result.status == 2
    assert "POSTHOG_HOST" in env_result.err


# -- keys --------------------------------------------------------------------------------------


def test_keys_table_and_forbidden_organization_on_stderr(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "List", ["*"])
    result = cli("keys", env=key_env(key))
    assert result.status == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["ORGANIZATION", "PROJECT", "ID", "PROJECT", "API", "KEY"]
    for pid in (1001, 1002, 1003):
        assert demo_server.data.projects[pid].api_token in result.out
    assert f"Ingestion host (api_host): {cli.clouds.us.ingest_url}" in result.out
    assert "Acme Corp" in result.err
    assert "does not allow using personal API keys" in result.err


def test_keys_json_shape_and_filters(cli: Cli, demo_server: DemoServer) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "List", ["*"])
    rows = cli("keys", "--json", env=key_env(key)).json()
    assert rows == [
        {
            "organization": "Hedgehog Labs",
            "project_id": pid,
            "project": demo_server.data.projects[pid].name,
            "api_token": demo_server.data.projects[pid].api_token,
            "ingestion_host": cli.clouds.us.ingest_url,
        }
        for pid in (1001, 1002, 1003)
    ]
    only = cli("keys", "--json", "--project", "mobile", env=key_env(key)).json()
    assert [row["project_id"] for row in only] == [1002]
    by_id = cli("keys", "--json", "--project", "1003", "--org", "hedgehog labs", env=key_env(key))
    assert [row["project"] for row in by_id.json()] == ["Staging"]
    none = cli("keys", "--json", "--org", "Nope", env=key_env(key))
    assert none.status == 1
    assert none.json() == []
    assert "no project matching the filters" in none.err


def test_keys_with_a_project_scoped_key_lists_what_it_can(
    cli: Cli, demo_server: DemoServer
) -> None:
    key = demo_server.issue_key(
        DEMO_EMAIL, "Scoped", ["user:read", "project:read"], scoped_teams=[1002]
    )
    result = cli("keys", "--json", env=key_env(key))
    assert result.status == 0
    rows = result.json()
    assert isinstance(rows, list)
    assert [(row["organization"], row["project_id"]) for row in rows] == [("Hedgehog Labs", 1002)]


def test_keys_without_a_key(cli: Cli) -> None:
    result = cli("keys")
    assert result.status == 4
    assert result.out == ""
    assert "No personal API key" in result.err


def test_keys_json_lists_every_project_of_every_organization_past_100() -> None:
    server = DemoServer(scale_data(orgs=3, projects_per_org=130)).start()
    try:
        key = server.issue_key(DEMO_EMAIL, "Scale", ["*"])
        args = build_parser().parse_args(["keys", "--json", "--host", server.url])
        out = io.StringIO()
        status = run_subcommand(
            args, store=MemoryStore(), environ=key_env(key), stdout=out, stderr=io.StringIO()
        )
        assert status == 0
        rows = json.loads(out.getvalue())
        assert len(rows) == 390
        assert len({row["project_id"] for row in rows}) == 390
        assert {row["organization"] for row in rows} == {"Org 001", "Org 002", "Org 003"}
        assert set(rows[0]) == {
            "organization",
            "project_id",
            "project",
            "api_token",
            "ingestion_host",
        }
    finally:
        server.stop()


# -- check -------------------------------------------------------------------------------------


def test_check_a_valid_project_key_from_stdin(cli: Cli, demo_server: DemoServer) -> None:
    token = demo_server.data.projects[1001].api_token
    result = cli("check", stdin=token + "\n")
    assert result.status == 0
    assert "Type:       Project API key, the project token (public)" in result.out
    assert "Works on US Cloud." in result.out


def test_check_a_secret_key_with_its_project_token(cli: Cli, demo_server: DemoServer) -> None:
    with demo_server.data.lock:
        _, value = demo_server.data.secret_keys.create(
            1001, "server", ["feature_flag:read"], created_at=0
        )
    token = demo_server.data.projects[1001].api_token
    good = cli("check", "--project-token", token, stdin=value + "\n")
    assert good.status == 0 and "Works on US Cloud." in good.out
    other = demo_server.data.projects[1002].api_token
    wrong = cli("check", "--project-token", other, stdin=value + "\n")
    # The key is fine, the pair is not: a script must not take it for working.
    assert wrong.status == 1
    assert "Verdict:    The secret key works on US Cloud, but the project token is wrong." in (
        wrong.out
    )
    assert "belongs to another project" in wrong.out
    unknown = cli("check", "--project-token", "phc_" + "n" * 43, stdin=value + "\n")
    assert unknown.status == 1 and "the project token is wrong" in unknown.out
    bad = cli("check", "--project-token", token, stdin="phs_" + "z" * 35 + "\n")
    assert bad.status == 1
    assert "Verdict:    Refused by US Cloud: the secret key is not accepted." in bad.out
    assert "does not accept this project secret API key" in bad.out
    as_json = cli("check", "--json", "--project-token", other, stdin=value + "\n")
    assert as_json.status == 1
    assert as_json.json()["wrong_input"] == "project-token"
    assert cli("check", "--json", stdin="phs_" + "z" * 35).json()["wrong_input"] == "secret-key"
    assert value not in good.out + wrong.out + unknown.out + as_json.out


def test_check_json_for_a_personal_key_of_the_other_region(cli: Cli, eu_server: DemoServer) -> None:
    key = eu_server.issue_key(EU_EMAIL, "EU", ["*"])
    eu_server.clear_requests_log()
    refused = cli("check", "--json", stdin=key)
    assert refused.status == 1
    assert eu_server.requests_log == []
    result = cli("check", "--json", "--host", "eu", stdin=key)
    assert result.status == 0
    data = result.json()
    assert isinstance(data, dict)
    assert data["kind"] == "personal"
    assert data["valid"] is True
    assert data["host"]["region"] == "eu"
    assert data["user"] == EU_EMAIL
    assert set(data) >= {"kind", "mask", "valid", "host", "scopes", "projects", "problems"}
    assert key not in result.out


def test_check_of_a_key_with_a_non_ascii_character_exits_1_unsent(
    cli: Cli, demo_server: DemoServer
) -> None:
    demo_server.clear_requests_log()
    result = cli("check", stdin="phx_" + "a" * 20 + "ü" + "b" * 20)
    assert result.status == 1
    assert "contains a character that no PostHog key has" in result.out
    assert demo_server.requests_log == []
    as_json = cli("check", "--json", stdin="phx_" + "a" * 20 + "ü" + "b" * 20)
    assert as_json.status == 1
    assert as_json.json()["valid"] is False


def test_check_an_invalid_key_exits_1(cli: Cli) -> None:
    result = cli("check", stdin="phc_" + "x" * 43)
    assert result.status == 1
    assert "does not accept this project API key" in result.out
    assert "project settings)." in result.out and ".)." not in result.out
    garbage = cli("check", "--json", stdin="not a key at all")
    assert garbage.status == 1
    assert garbage.json()["kind"] == "unknown"


def test_check_the_wrong_key_for_the_job_exits_1(cli: Cli, demo_server: DemoServer) -> None:
    token = demo_server.data.projects[1001].api_token
    result = cli("check", "--for", "api", stdin=token)
    assert result.status == 1
    assert "cannot call PostHog's private API" in result.out


def test_check_never_takes_the_key_from_the_command_line(cli: Cli) -> None:
    result = cli("check", "phx_" + "a" * 35)
    assert result.status == 2
    assert "standard input" in result.err
    assert "phx_" + "a" * 35 not in result.err
    empty = cli("check", stdin="")
    assert empty.status == 2
    assert "No key on standard input" in empty.err
    two = cli("check", stdin="phc_one\nphx_two\n")
    assert two.status == 2
    assert "reads one" in two.err


# -- logout ------------------------------------------------------------------------------------


def test_logout_forgets_the_host(cli: Cli, demo_server: DemoServer) -> None:
    us, eu_host = cli.clouds.us, cli.clouds.eu
    cli.hold(eu_host, EU_EMAIL, "phx_" + "b" * 35)
    cli.hold(us, DEMO_EMAIL, "phx_" + "a" * 35)
    cli.hold(us, DEMO_EMAIL, "phx_" + "d" * 35, key_id="k2")
    result = cli("logout", env={"POSTHOG_PERSONAL_API_KEY": "phx_" + "c" * 35})
    assert result.status == 0
    assert "Forgot the 2 personal API keys and sign-in cookies stored for US Cloud" in result.out
    assert "POSTHOG_PERSONAL_API_KEY is still set" in result.out
    assert cli.store.load_key(us.app_url, DEMO_EMAIL, "k1")[0] is None
    assert cli.store.load_key(us.app_url, DEMO_EMAIL, "k2")[0] is None
    assert cli.store.load_key(eu_host.app_url, EU_EMAIL, "k1")[0] is not None
    assert cli.accounts.held(us) == []
    assert [k.email for k in cli.accounts.held()] == [EU_EMAIL]
    assert cli("status").status == 4


def test_logout_reports_a_keyring_failure(cli: Cli) -> None:
    cli.store.failure = StoreResult("locked", "The keyring is locked.", "Unlock it.")
    result = cli("logout")
    assert result.status == 1
    assert result.err == "phguide: The keyring is locked.\n  Unlock it.\n"


# -- as a program ------------------------------------------------------------------------------


def run_program(
    *argv: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("POSTHOG_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, *argv],
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_keys_as_a_program_with_the_environment_key(
    demo_server: DemoServer, tmp_path: Path
) -> None:
    key = demo_server.issue_key(DEMO_EMAIL, "Program", ["*"])
    done = run_program(
        "-m",
        "phguide",
        "keys",
        "--json",
        "--host",
        demo_server.url,
        env={"POSTHOG_PERSONAL_API_KEY": key, "PHGUIDE_CONFIG_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert [row["project_id"] for row in json.loads(done.stdout)] == [1001, 1002, 1003]
    assert "Traceback" not in done.stderr


def test_host_before_the_subcommand_also_works(demo_server: DemoServer, tmp_path: Path) -> None:
    token = demo_server.data.projects[1002].api_token
    done = run_program(
        "-m",
        "phguide",
        "--host",
        demo_server.url,
        "check",
        env={"PHGUIDE_CONFIG_DIR": str(tmp_path)},
        stdin=token,
    )
    assert done.returncode == 0, done.stderr
    assert "Works on" in done.stdout


def _imported(done: subprocess.CompletedProcess[str]) -> set[str]:
    """Every module `python -X importtime` saw imported (full dotted names)."""
    modules = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    return modules


NEVER_WITHOUT_A_CALL = {"textual", "httpx", "httpcore", "asyncio", "keyring", "pyperclip"}
"""What a command that makes no call must not import (the figures: benchmarks/subcommands.py)."""
LIGHT = {
    *NEVER_WITHOUT_A_CALL,
    "typing",
    "dataclasses",
    "socket",
    "shutil",
    "pathlib",
    "phguide.core.hosts",
    "phguide.cli.context",
}
"""What the command line alone (help, version, completion) must not import either."""
CHECK_WITHOUT_A_CALL = {
    *NEVER_WITHOUT_A_CALL,
    "typing",
    "dataclasses",
    "json",
    "getpass",
    "urllib.parse",
    "phguide.core.hosts",
    "phguide.core.scopes",
    "phguide.core.diagnose.checks",
}
"""What `check` answering without a request must not import either: each would cost it a
noticeable part of its start (the figures: benchmarks/subcommands.py)."""
CONSOLE_SCRIPT = "import sys; from phguide.__main__ import main; sys.exit(main())"
"""What the installed `phguide` runs (`python -m` would add runpy's own imports)."""


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["--help"],
        *(
            [command, "--help"]
            for command in ("status", "keys", "check", "token", "login", "run", "switch", "logout")
        ),
        ["completion", "bash"],
    ],
)
def test_the_command_line_alone_imports_nothing_heavy(argv: list[str], tmp_path: Path) -> None:
    done = run_program(
        "-X", "importtime", "-c", CONSOLE_SCRIPT, *argv, env={"PHGUIDE_CONFIG_DIR": str(tmp_path)}
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = _imported(done)
    assert {"argparse", "phguide.cli.parser"} <= modules  # the scan sees the imports
    assert sorted(LIGHT & modules) == []


@pytest.mark.parametrize(
    ("stdin", "status", "says"),
    [("", 2, "No key on standard input"), ("sk_live_0123456789abcdef", 1, "Stripe secret key")],
)
def test_check_without_a_key_to_send_imports_nothing_heavy(
    stdin: str, status: int, says: str, tmp_path: Path
) -> None:
    done = run_program(
        "-X",
        "importtime",
        "-c",
        CONSOLE_SCRIPT,
        "check",
        env={"PHGUIDE_CONFIG_DIR": str(tmp_path)},
        stdin=stdin,
    )
    assert done.returncode == status
    assert says in done.stdout + done.stderr
    modules = _imported(done)
    assert "phguide.cli.check" in modules
    if stdin:  # the text was classified: the scan sees the diagnosis modules
        assert {"phguide.core.diagnose.classify", "phguide.core.diagnose.verdict"} <= modules
    assert sorted(CHECK_WITHOUT_A_CALL & modules) == []


SUBCOMMANDS = ("status", "keys", "check", "token", "login", "run", "switch", "logout", "completion")


def _outcome(
    argv: list[str], words: list[str] | None, capsys: pytest.CaptureFixture[str]
) -> tuple[object, str, str]:
    """What parsing `argv` gives (the arguments or the exit status) and prints."""
    try:
        result: object = vars(build_parser(words=words).parse_args(argv))
    except SystemExit as stopped:
        result = stopped.code
    shown = capsys.readouterr()
    return result, shown.out, shown.err


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        *([name, "--help"] for name in SUBCOMMANDS),
        ["check", "--json", "--for", "api"],
        ["--host", "eu", "keys", "--org", "Acme", "--project", "check"],
        ["check", "--org", "Acme"],
        ["completion", "bash"],
        ["bogus"],
        ["status", "--jsn"],
    ],
)
def test_a_parser_built_for_its_command_line_answers_as_the_whole_one(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _outcome(argv, argv, capsys) == _outcome(argv, None, capsys)


def test_a_parser_built_for_one_subcommand_leaves_the_others_options_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # What `phguide check` saves: the other subcommands' options are never built.
    assert _outcome(["keys", "--json"], ["check"], capsys)[0] == 2
    assert _outcome(["keys", "--json"], None, capsys)[0] != 2


@pytest.mark.parametrize("argv", [[], *([name] for name in ("status", "keys", "check", "run"))])
def test_every_host_option_says_where_the_host_comes_from(argv: list[str]) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    flat = " ".join(out.getvalue().split())
    assert "(default: $POSTHOG_HOST or $POSTHOG_CLI_HOST" in flat, flat
    assert "the host used last, else us)" in flat, flat
    if not argv:  # the walkthrough itself does not take the last host: Log in offers a choice
        assert "else the walkthrough asks on Log in" in flat, flat


@pytest.mark.parametrize("argv", [[], ["keys"], ["check"], ["run"]])
def test_help_says_project_token_beside_project_api_key(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """PostHog's docs call the project API key the project token: the help says both."""
    with pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps at its width
    assert "project API key" in shown.replace("Project API key", "project API key")
    assert "project token" in shown


WALKTHROUGH_PROBE = """
import sys
from phguide.ui.app import PhGuideApp

def run(self, *args, **kwargs):
    print("\\n".join(sorted(sys.modules)))

PhGuideApp.run = run
from phguide.__main__ import main
sys.exit(main([]))
"""
"""`phguide` with no arguments, up to the app's run: which modules are loaded by then."""


def test_plain_phguide_starts_the_app_without_argparse_json_or_hashes(tmp_path: Path) -> None:
    done = run_program("-c", WALKTHROUGH_PROBE, env={"PHGUIDE_CONFIG_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(done.stdout.split())
    assert {"textual.app", "phguide.factory", "phguide.system.credentials"} <= modules
    later = {"argparse", "json", "hashlib", "hmac", "httpx", "keyring", "phguide.cli.parser"}
    assert sorted(later & modules) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--host", "http://127.0.0.1:8000"],
        ["--host=eu"],
        ["--demo"],
        ["--host", "us", "--demo"],
        ["--host", "us", "--host", "eu"],
        ["--host="],
        ["--host", ""],
        ["--host", "status"],
    ],
)
def test_the_walkthroughs_options_read_by_hand_are_the_parsers(argv: list[str]) -> None:
    from phguide.__main__ import _walkthrough_options

    args = build_parser().parse_args(argv)
    assert _walkthrough_options(argv) == (args.host, args.demo)


@pytest.mark.parametrize(
    "argv", [["--version"], ["--host"], ["--host", "-x"], ["--ho", "us"], ["status"], ["-h"]]
)
def test_anything_else_goes_to_the_parser(argv: list[str]) -> None:
    from phguide.__main__ import _walkthrough_options

    assert _walkthrough_options(argv) is None


def test_phguide_with_a_host_starts_the_app_without_argparse(tmp_path: Path) -> None:
    probe = WALKTHROUGH_PROBE.replace("main([])", 'main(["--host", "http://127.0.0.1:9"])')
    done = run_program("-c", probe, env={"PHGUIDE_CONFIG_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    modules = set(done.stdout.split())
    assert "phguide.factory" in modules  # the hand-read path reached the app's start
    assert sorted({"argparse", "phguide.cli.parser", "httpx", "keyring"} & modules) == []
