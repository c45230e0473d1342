"""Where the host, key and project come from: the command line, the environment, the settings.

One place for both the walkthrough and the subcommands. The environment's variables are
PostHog's own (`POSTHOG_PERSONAL_API_KEY`, `POSTHOG_HOST`) and those of PostHog's CLI
(`POSTHOG_CLI_API_KEY`, `POSTHOG_CLI_TOKEN`, `POSTHOG_CLI_HOST`, `POSTHOG_CLI_PROJECT_ID`);
when several of one kind are set, the first in these lists wins and the choice says so.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from phguide.core.hosts import Clouds, Host, HostError, parse_host
from phguide.core.secret import Secret
from phguide.core.variables import HOST_VARIABLES, KEY_VARIABLES, PROJECT_VARIABLES

__all__ = [
    "HOST_VARIABLES",
    "KEY_VARIABLES",
    "PROJECT_VARIABLES",
    "FromEnvironment",
    "HostChoice",
    "as_cloud",
    "choose_host",
    "environment_host",
    "environment_key",
    "environment_project",
]

_T = TypeVar("_T")


@dataclass(frozen=True)
class FromEnvironment(Generic[_T]):
    """A value found in the environment, the variable it came from, and the ones it beat."""

    value: _T
    variable: str
    """The variable used."""
    ignored: tuple[str, ...] = ()
    """Other variables of the same kind that are set too, and were not used."""

    @property
    def note(self) -> str:
        """One sentence when several variables were set (empty otherwise)."""
        if not self.ignored:
            return ""
        others = " and ".join(self.ignored)
        return f"{self.variable} and {others} are all set: using {self.variable}."


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> FromEnvironment[str] | None:
    # A blank value counts as unset: `export POSTHOG_HOST=` is how people switch one off.
    found = [(name, environ.get(name, "").strip()) for name in names]
    present = [(name, value) for name, value in found if value]
    if not present:
        return None
    (name, value), rest = present[0], present[1:]
    return FromEnvironment(value, name, tuple(other for other, _ in rest))


def environment_key(environ: Mapping[str, str] | None = None) -> FromEnvironment[Secret] | None:
    """The personal API key the environment sets, if any."""
    found = _first(os.environ if environ is None else environ, KEY_VARIABLES)
    if found is None:
        return None
    return FromEnvironment(Secret(found.value), found.variable, found.ignored)


def environment_host(environ: Mapping[str, str] | None = None) -> FromEnvironment[str] | None:
    """The host the environment names (as written), if any."""
    return _first(os.environ if environ is None else environ, HOST_VARIABLES)


def environment_project(environ: Mapping[str, str] | None = None) -> FromEnvironment[str] | None:
    """The project id the environment names, if any."""
    return _first(os.environ if environ is None else environ, PROJECT_VARIABLES)


@dataclass(frozen=True)
class HostChoice:
    """The PostHog to use and why."""

    host: Host | None
    """The host; None when nothing named one and no fallback was asked for."""
    source: str
    """`--host`, a variable's name, `last used` or `default`."""
    note: str = ""
    """Which variable won when several were set (empty otherwise)."""


def as_cloud(host: Host, clouds: Clouds) -> Host:
    """A cloud's own URL (as saved in the settings) means that cloud, with its region."""
    for cloud in (clouds.us, clouds.eu):
        if host.app_url == cloud.app_url:
            return cloud
    return host


def choose_host(
    given: str | None,
    clouds: Clouds,
    *,
    environ: Mapping[str, str] | None = None,
    last_host: str | None = None,
    fallback: bool = True,
) -> HostChoice:
    """The PostHog to use: `--host`, else the environment, else the last used, else US Cloud.

    Args:
        given: `--host` from the command line (us, eu or a URL), if any.
        clouds: The cloud regions (`us` and `eu` mean these).
        environ: The environment; `os.environ` by default.
        last_host: The app URL of the host used last (from the settings), if any.
        fallback: Fall back to the last host and then US Cloud; without it, the choice's
            host is None when neither `--host` nor the environment names one.

    Raises:
        HostError: `--host` or the variable names no usable host (the message says which).
    """
    if given:
        return HostChoice(_parse("--host", given, clouds), "--host")
    found = environment_host(environ)
    if found is not None:
        return HostChoice(_parse(found.variable, found.value, clouds), found.variable, found.note)
    if not fallback:
        return HostChoice(None, "default")
    if last_host:
        with contextlib.suppress(HostError):
            return HostChoice(as_cloud(parse_host(last_host, clouds), clouds), "last used")
    return HostChoice(clouds.us, "default")


def _parse(source: str, text: str, clouds: Clouds) -> Host:
    try:
        return as_cloud(parse_host(text, clouds), clouds)
    except HostError as error:
        raise HostError(f"{source}: {error}") from None
