"""Where a PostHog lives: US Cloud, EU Cloud or a self-hosted URL, and the links into it."""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass, replace
from typing import Final, Literal
from urllib.parse import urlsplit

from phguide.core.text import clean, has_unsafe

Region = Literal["us", "eu", "self-hosted"]


class HostError(ValueError):
    """A host the user typed cannot be used; the message says why and what to type."""


@dataclass(frozen=True)
class Host:
    """One PostHog deployment."""

    region: Region
    """`us`, `eu` or `self-hosted`."""
    app_url: str
    """Base URL of the app, login and private API, without a trailing slash."""
    ingest_url: str
    """Base URL of ingestion and `/flags`, without a trailing slash."""

    @property
    def label(self) -> str:
        """A short human name: "US Cloud", "EU Cloud" or the instance's host name."""
        if self.region == "us":
            return "US Cloud"
        if self.region == "eu":
            return "EU Cloud"
        netloc = urlsplit(self.app_url).netloc
        shown = unicode_host(netloc)
        # An internationalised name is shown both ways: the Unicode form may imitate another.
        return netloc if shown == netloc else f"{shown} ({netloc})"

    @property
    def is_cloud(self) -> bool:
        """True for US and EU Cloud."""
        return self.region != "self-hosted"

    def project_settings_url(self, team_id: int | None = None) -> str:
        """The web page that shows a project's API key."""
        if team_id is None:
            return f"{self.app_url}/settings/project#variables"
        return f"{self.app_url}/project/{team_id}/settings/project#variables"

    def settings_url(self, section: str, team_id: int | None = None) -> str:
        """A settings page by PostHog's section id (contract §1: `environment-secret-api-keys`,
        `user-api-keys`, `project-details`, ...), in a project when `team_id` is given."""
        if team_id is None:
            return f"{self.app_url}/settings/{section}"
        return f"{self.app_url}/project/{team_id}/settings/{section}"

    def personal_keys_url(self) -> str:
        """The web page that lists the user's personal API keys."""
        return f"{self.app_url}/settings/user-api-keys"


US_CLOUD = Host("us", "https://us.posthog.com", "https://us.i.posthog.com")
EU_CLOUD = Host("eu", "https://eu.posthog.com", "https://eu.i.posthog.com")

_ALIASES = {
    "us": US_CLOUD,
    "eu": EU_CLOUD,
    "us.posthog.com": US_CLOUD,
    "eu.posthog.com": EU_CLOUD,
    "app.posthog.com": US_CLOUD,
    "us.i.posthog.com": US_CLOUD,
    "eu.i.posthog.com": EU_CLOUD,
}


@dataclass(frozen=True)
class Clouds:
    """The two cloud regions; the demo swaps in loopback servers for both."""

    us: Host = US_CLOUD
    eu: Host = EU_CLOUD

    def other(self, host: Host) -> Host | None:
        """The other cloud region of a cloud host, or None for a self-hosted one."""
        if host.region == "us":
            return self.eu
        if host.region == "eu":
            return self.us
        return None

    def by_region(self, region: Region) -> Host | None:
        """The cloud host of a region, or None for `self-hosted`."""
        return {"us": self.us, "eu": self.eu}.get(region)


def unicode_host(netloc: str) -> str:
    """The Unicode form of a punycode host name (``xn--…``), or the name as it is."""
    try:
        return netloc.encode("ascii").decode("idna") if "xn--" in netloc.lower() else netloc
    except UnicodeError:
        return netloc


def _resolves_to_loopback(name: str) -> bool:
    """True when every address a name resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in addresses
    )


def is_loopback(hostname: str) -> bool:
    """True when a host name is this machine (localhost or a loopback address).

    `*.localhost` counts only when it resolves to loopback here: RFC 6761 says it should, but
    a resolver (or /etc/hosts) may send it anywhere, and plain http is allowed only on loopback.
    """
    name = hostname.strip("[]").lower()
    if name == "localhost":
        return True
    if name.endswith(".localhost"):
        return _resolves_to_loopback(name)
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def same_origin(url: str, base: str) -> bool:
    """True when `url` is an http(s) URL on exactly the scheme, host and port of `base`."""
    try:
        parts, home = urlsplit(url), urlsplit(base)
        if parts.scheme.lower() not in ("http", "https") or has_unsafe(url) or " " in url:
            return False
        if parts.username is not None or parts.password is not None:
            return False

        def port(p: object) -> int:
            scheme = getattr(p, "scheme", "").lower()
            return getattr(p, "port", None) or (443 if scheme == "https" else 80)

        return (
            parts.scheme.lower() == home.scheme.lower()
            and (parts.hostname or "") == (home.hostname or "")
            and port(parts) == port(home)
        )
    except ValueError:
        return False


def unsafe_url_warning(url: str, host: Host) -> str | None:
    """Why a URL a server sent must not be opened, or None when it is on the chosen host."""
    if same_origin(url, host.app_url):
        return None
    return (
        f"The server sent the address {clean(url, limit=200)!s}, which is not on "
        f"{host.label}: phguide does not open it."
    )


MAX_ADDRESS: Final = 2048
"""The longest address `parse_host` takes. Real ones are far shorter; HTTP libraries refuse
URLs past about 64 KB, so a longer one would only fail later, on every request."""

_SCHEME_WITHOUT_SLASHES = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/(?!/)")


def parse_host(text: str, clouds: Clouds | None = None) -> Host:
    """Turn what a user typed (``us``, ``eu`` or a URL) into a `Host`.

    Args:
        text: ``us``, ``eu``, a cloud host name, or a self-hosted URL.
        clouds: The cloud hosts to resolve ``us`` and ``eu`` to.

    Returns:
        The host.

    Raises:
        HostError: The text is not a usable PostHog address; the message says why.
    """
    clouds = clouds or Clouds()
    raw = text.strip()
    if not raw:
        raise HostError("Enter a PostHog address, for example https://posthog.example.com.")
    if len(raw) > MAX_ADDRESS:
        raise HostError(
            f"That address is {len(raw):,} characters long; a PostHog address is at most "
            f"{MAX_ADDRESS:,}. Check what was pasted."
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in raw):
        raise HostError("A PostHog address cannot contain spaces or control characters.")
    if has_unsafe(raw):
        raise HostError(
            "The address holds an invisible or control character (zero-width, bidi or "
            "similar): type it again."
        )
    if _SCHEME_WITHOUT_SLASHES.match(raw) or raw.lower().startswith(("http:\\", "https:\\")):
        raise HostError("The address is malformed: write it as https://host.example.com.")
    alias = _ALIASES.get(raw.lower().rstrip("/").removeprefix("https://"))
    if alias is not None:
        return clouds.by_region(alias.region) or alias
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as error:
        raise HostError(f"That is not a valid URL ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise HostError(f"Use an https:// address (not {scheme}://).")
    if parts.username is not None or parts.password is not None:
        raise HostError(
            "Leave the user name and password out of the address; phguide asks for them."
        )
    hostname = parts.hostname
    if not hostname:
        raise HostError("The address has no host name.")
    try:
        # Requests go to the ASCII (punycode) name; `Host.label` shows both forms.
        hostname = hostname.encode("idna").decode("ascii") if not hostname.isascii() else hostname
    except UnicodeError:
        raise HostError("The host name is not a valid domain name.") from None
    if not re.fullmatch(r"[A-Za-z0-9._:%-]+", hostname):
        # IDNA can turn odd characters into spaces or symbols (`¨` becomes `xn-- -ccb`).
        raise HostError("The host name is not a valid domain name.")
    if scheme == "http" and not is_loopback(hostname):
        raise HostError(
            "Use https:// for a PostHog on another machine: http would send your password "
            "and keys unencrypted. (http:// is allowed for localhost only.)"
        )
    if parts.query or parts.fragment:
        raise HostError("Leave the ?query and #fragment out of the address.")
    netloc = hostname if ":" not in hostname else f"[{hostname}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    url = f"{scheme}://{netloc}{path}"
    return Host("self-hosted", url, url)


def with_region(host: Host, region: Region) -> Host:
    """A copy of a host that claims a region (used for loopback demo clouds)."""
    return replace(host, region=region)
