"""Where the host and key come from: one choice for the walkthrough and the subcommands."""

from __future__ import annotations

import pytest

from phguide.core.hosts import Clouds, HostError
from phguide.core.secret import Secret
from phguide.core.sources import choose_host, environment_key, environment_project
from phguide.factory import FactoryError, build_services

CLOUDS = Clouds()


def test_the_command_line_beats_the_environment_beats_the_last_host() -> None:
    env = {"POSTHOG_HOST": "eu", "POSTHOG_CLI_HOST": "https://ph.example.com"}
    assert choose_host("us", CLOUDS, environ=env).host == CLOUDS.us
    chosen = choose_host(None, CLOUDS, environ=env, last_host="https://ph.example.com")
    assert (chosen.host, chosen.source) == (CLOUDS.eu, "POSTHOG_HOST")
    assert chosen.note == "POSTHOG_HOST and POSTHOG_CLI_HOST are all set: using POSTHOG_HOST."
    cli_only = choose_host(None, CLOUDS, environ={"POSTHOG_CLI_HOST": "eu"})
    assert (cli_only.host, cli_only.source, cli_only.note) == (CLOUDS.eu, "POSTHOG_CLI_HOST", "")
    last = choose_host(None, CLOUDS, environ={}, last_host="https://eu.posthog.com/")
    assert (last.host, last.source) == (CLOUDS.eu, "last used")
    assert choose_host(None, CLOUDS, environ={"POSTHOG_HOST": " "}).source == "default"
    assert choose_host(None, CLOUDS, environ={}, fallback=False).host is None


def test_a_bad_host_names_its_source() -> None:
    with pytest.raises(HostError, match=r"^POSTHOG_CLI_HOST: "):
        choose_host(None, CLOUDS, environ={"POSTHOG_CLI_HOST": "ftp://x"})


def test_key_variables_in_order() -> None:
    env = {"POSTHOG_CLI_TOKEN": "phx_b", "POSTHOG_CLI_API_KEY": "phx_a"}
    found = environment_key(env)
    assert found is not None
    assert (found.value, found.variable, found.ignored) == (
        Secret("phx_a"),
        "POSTHOG_CLI_API_KEY",
        ("POSTHOG_CLI_TOKEN",),
    )
    assert environment_key({}) is None
    project = environment_project({"POSTHOG_CLI_PROJECT_ID": "12"})
    assert project is not None and project.value == "12"


def test_the_app_chooses_its_host_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POSTHOG_HOST", "POSTHOG_PERSONAL_API_KEY", "POSTHOG_CLI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_CLI_HOST", "eu")
    monkeypatch.setenv("POSTHOG_CLI_TOKEN", "phx_" + "t" * 40)
    services = build_services()
    assert services.host == services.clouds.eu and services.env_host_set
    assert services.env_key == Secret("phx_" + "t" * 40)
    assert services.env_key_variable == "POSTHOG_CLI_TOKEN"
    assert build_services(host="us").host == services.clouds.us
    monkeypatch.setenv("POSTHOG_HOST", "ftp://nope")
    with pytest.raises(FactoryError, match="POSTHOG_HOST"):
        build_services()


def test_the_app_is_told_which_key_variable_won(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("POSTHOG_HOST", "POSTHOG_CLI_HOST", "POSTHOG_PERSONAL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_CLI_TOKEN", "phx_" + "t" * 40)
    monkeypatch.setenv("POSTHOG_CLI_API_KEY", "phx_" + "a" * 40)
    services = build_services()
    assert services.env_key == Secret("phx_" + "a" * 40)
    assert services.env_key_variable == "POSTHOG_CLI_API_KEY"
    assert services.env_key_note == (
        "POSTHOG_CLI_API_KEY and POSTHOG_CLI_TOKEN are all set: using POSTHOG_CLI_API_KEY."
    )
