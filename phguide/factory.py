"""The one place that builds phguide's dependencies (client factory, store, clipboard, demo)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from phguide.core.hosts import Clouds, HostError, parse_host, with_region
from phguide.core.secret import Secret
from phguide.core.sources import KEY_VARIABLES
from phguide.services import DemoAccount, DemoInfo, Services
from phguide.system.browser import open_in_browser

if TYPE_CHECKING:
    from phguide.core.accounts import Accounts
    from phguide.demo.clock import DemoClock
    from phguide.demo.server import DemoServer
    from phguide.system.clipboard import Clipboard


class FactoryError(Exception):
    """The command line or environment cannot be used; the message says why."""


def build_services(*, host: str | None = None, demo: bool = False) -> Services:
    """Build the dependencies for a real run or for `--demo`.

    Args:
        host: `--host` from the command line (us, eu or a URL); else `POSTHOG_HOST`.
        demo: Start the embedded demo servers and point both cloud regions at them.

    Raises:
        FactoryError: The host is not usable.
    """
    from phguide.core.sources import choose_host, environment_key
    from phguide.core.when import CLOCK
    from phguide.system.clipboard import Clipboard, PyperclipClipboard

    # The app's clock: a countdown the screenshot script stops, as it stops every other.
    clipboard = Clipboard(PyperclipClipboard(), clock=lambda: CLOCK.monotonic())
    if demo:
        return _demo_services(clipboard, host)

    from phguide.system.credentials import KeyringStore

    clouds = Clouds()
    try:
        # The same choice as the subcommands', except that the log-in screen offers the last
        # host itself rather than taking it.
        chosen = choose_host(host, clouds, fallback=False)
    except HostError as error:
        raise FactoryError(str(error)) from None
    env_key = environment_key()
    return Services(
        store=KeyringStore(),
        clipboard=clipboard,
        clouds=clouds,
        host=chosen.host,
        env_key=None if env_key is None else env_key.value,
        env_key_variable="POSTHOG_PERSONAL_API_KEY" if env_key is None else env_key.variable,
        env_key_note="" if env_key is None else env_key.note,
        env_host_set=chosen.source not in ("--host", "default"),
        open_url=open_in_browser,
    )


def _demo_services(clipboard: object, host: str | None) -> Services:
    """Services for `phguide --demo`: two loopback "clouds" and an in-memory keyring."""
    from phguide.system.clipboard import Clipboard

    assert isinstance(clipboard, Clipboard)
    if host is not None:
        raise FactoryError("--demo runs its own PostHog: leave out --host.")
    services = demo_services(start_demo(), clipboard)
    # The demo must not pick up a real key from the environment.
    for variable in KEY_VARIABLES:
        os.environ.pop(variable, None)
    return services


@dataclass
class DemoClouds:
    """The two demo servers `phguide --demo` runs: US Cloud, and EU Cloud with other accounts."""

    us: DemoServer
    eu: DemoServer

    @property
    def clouds(self) -> Clouds:
        """The two servers as the app's cloud regions."""
        return Clouds(
            us=with_region(parse_host(self.us.url), "us"),
            eu=with_region(parse_host(self.eu.url), "eu"),
        )

    def stop(self) -> None:
        """Stop both servers."""
        self.us.stop()
        self.eu.stop()


def start_demo(
    *, clock: DemoClock | None = None, ports: tuple[int, int] = (0, 0), seed: int | None = None
) -> DemoClouds:
    """Start the demo's US and EU servers with their seeded accounts.

    Args:
        clock: One clock for both servers (frozen for screenshots); default real time.
        ports: The US and EU ports; 0 picks a free one.
        seed: Draw new key values and device codes from generators seeded with this, so
            screenshots come out the same every run; None for real randomness.
    """
    from phguide.demo import data
    from phguide.demo.server import DemoServer

    servers = []
    for region, port in zip(("us", "eu"), ports, strict=True):
        seeded = data.demo_data(region, now=None if clock is None else clock.now())
        if seed is not None:
            seeded.random = random.Random(f"{seed}/{region}")
        servers.append(DemoServer(seeded, port=port, clock=clock))
    us, eu = servers
    us.start()
    try:
        eu.start()
    except BaseException:
        us.stop()
        raise
    return DemoClouds(us, eu)


def demo_services(demo: DemoClouds, clipboard: Clipboard) -> Services:
    """Services that point both cloud regions at the demo servers, with an in-memory keyring.

    The demo accounts and the stand-in for the browser's approval are those of the US server;
    the servers stop when the app closes.
    """
    from phguide.demo import data
    from phguide.system.credentials import MemoryStore

    us_server = demo.us

    def code_hint(email: str) -> str | None:
        if email.strip().lower() == data.TOTP_EMAIL:
            return us_server.current_totp(email)
        return us_server.last_emailed_code(email)

    def approve(user_code: str) -> None:
        email = info.approve_as or data.DEMO_EMAIL
        user = us_server.data.user(email) or us_server.data.users[data.DEMO_EMAIL]
        us_server.approve_device(user_code, user.email, user.current_team_id or 0)

    password = data.DEMO_PASSWORD
    accounts = [
        DemoAccount(data.DEMO_EMAIL, password, "two organizations, three keys"),
        DemoAccount(data.TOTP_EMAIL, password, "asks for an authenticator code"),
        DemoAccount(data.EMAIL_CODE_EMAIL, password, "asks for an emailed code"),
        DemoAccount(data.SSO_EMAIL, password, "must use SSO: browser approval"),
        DemoAccount(data.EU_EMAIL, password, "lives in EU Cloud: try it on US"),
    ]
    info = DemoInfo(accounts=accounts, code_hint=code_hint, approve_device=approve)
    clouds = demo.clouds
    services = Services(
        store=MemoryStore(),
        clipboard=clipboard,
        clouds=clouds,
        host=clouds.us,
        open_url=open_in_browser,
        demo=info,
        remember_users=False,
    )
    services.on_exit.append(demo.stop)
    return services


def demo_accounts(demo: DemoClouds) -> Accounts:
    """Held keys for the subcommands' `--demo`: one of the demo user on each cloud, in memory.

    The keys are issued by the demo servers themselves, so they work against them.
    """
    from phguide.core.accounts import Accounts
    from phguide.demo import data
    from phguide.system.credentials import MemoryStore

    accounts = Accounts.in_memory(MemoryStore("demo keyring"))
    # US last: the host saved last is the one used without --host.
    for server, host, email in (
        (demo.eu, demo.clouds.eu, data.EU_EMAIL),
        (demo.us, demo.clouds.us, data.DEMO_EMAIL),
    ):
        value = server.issue_key(email, "phguide demo", ["*"])
        issued = server.data.find_key(value)
        assert issued is not None
        accounts.save(
            host,
            email,
            Secret(value),
            key_id=issued.id,
            label=issued.label,
            source="created",
            make_active=True,
        )
    return accounts
