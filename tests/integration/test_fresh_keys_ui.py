"""Step 4 keeps the keyring true, driven through the app against a real Secret Service.

Two keys created and saved are both kept (read back equal); a roll of a saved key replaces its
value in the same step; a delete removes its entry; logging out leaves nothing for the host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from phguide.core.hosts import Clouds, parse_host, with_region
from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.system.clipboard import Clipboard, RecordingClipboard
from phguide.system.config import host_id
from phguide.system.credentials import SERVICE, KeyringStore, entry_name
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.confirm import ConfirmDialog
from tests.helpers import SIZE, settle, wait_for
from tests.integration.conftest import SecretService
from tests.integration.test_keyring import stored_items
from tests.ui.test_palette import run_palette
from tests.ui.test_personal_keys import _create, _fresh, _open_keys, _select

pytestmark = pytest.mark.integration


@pytest.fixture
def services(
    session_bus: SecretService, demo_server: DemoServer, tmp_path: Path
) -> Iterator[Services]:
    from keyring.backends.SecretService import Keyring

    host = with_region(parse_host(demo_server.url), "us")
    built = Services(
        store=KeyringStore(Keyring()),
        clipboard=Clipboard(RecordingClipboard(), clear_after=45.0),
        clouds=Clouds(us=host, eu=host),
        host=host,
        config_path=tmp_path / "config.json",
    )
    yield built
    built.accounts.forget_host(host)


def _in_keyring(services: Services, key_id: str) -> list[bytes]:
    """The values the Secret Service holds in this key's own entry."""
    assert services.host is not None and key_id
    name = entry_name(host_id(services.host.app_url), DEMO_EMAIL, "personal_api_key", key_id)
    return stored_items(name)


async def test_saved_rolled_deleted_and_logged_out(services: Services) -> None:
    assert services.host is not None
    host = services.host
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        await _create(pilot, "Read-only test")
        first = _fresh(app)
        await pilot.press("s")
        await settle(pilot)
        assert first.saved, "the first key saved and read back"
        await pilot.press("x")
        await _create(pilot, "Custom test")
        second = _fresh(app)
        await pilot.press("s")
        # Another key is active: the app asks whether the new one becomes active.
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("n")
        await settle(pilot)
        assert second.saved
        # Both kept, each read back equal; the first stays the active one.
        assert _in_keyring(services, first.key_id) == [first.value.reveal().encode()]
        assert _in_keyring(services, second.key_id) == [second.value.reveal().encode()]
        active = services.accounts.active(host)
        assert active is not None and active.key_id == first.key_id
        await pilot.press("x")

        # Roll the saved key: the keyring holds the new value in the same step.
        _select(app, "Read-only test")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the roll warning")
        await pilot.press("y")
        await settle(pilot)
        rolled = _fresh(app)
        assert rolled.value != first.value
        assert _in_keyring(services, first.key_id) == [rolled.value.reveal().encode()]
        assert "Replaced the key in your keyring" in app.status

        # Delete the other: its entry is gone, and the app says so.
        _select(app, "Custom test")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the delete warning")
        await pilot.press("y")
        await settle(pilot)
        assert _in_keyring(services, second.key_id) == []
        assert "Removed the key from your keyring" in app.status
        held = services.accounts.read(services.accounts.held(host)[0])[0]
        assert held == rolled.value
        assert isinstance(held, Secret)

    # Log out (as `phguide logout` does): nothing left for the host.
    assert services.accounts.forget_host(host).ok
    assert _in_keyring(services, first.key_id) == []
    assert services.accounts.held(host) == []


def _left_for(host_url: str) -> list[str]:
    """The names of every phguide entry the Secret Service holds for the host."""
    import secretstorage

    prefix = host_id(host_url)
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        items = collection.search_items({"service": SERVICE})
        names = [item.get_attributes().get("username", "") for item in items]
    finally:
        connection.close()
    return [name for name in names if name.startswith(f"{prefix}|")]


async def test_log_out_in_the_app_leaves_nothing_for_the_host(services: Services) -> None:
    assert services.host is not None
    host = services.host
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await _open_keys(pilot, app, services)
        for label in ("Kept one", "Kept two"):
            await _create(pilot, label)
            await pilot.press("s")
            if label == "Kept two":
                await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "which")
                await pilot.press("y")
            await settle(pilot)
            assert _fresh(app).saved, (
                app.status,
                app.screen.query_one("#fresh-key-state").render(),
            )
            if label == "Kept one":
                await pilot.press("x")
        # “Kept two” stays on screen, safe only by its keyring entry.
        on_screen = _fresh(app)
        # A remembered second factor lives in the keyring too.
        cookie = {"remember-cookie_demo": Secret("r" * 32)}
        assert services.store.save_cookies(host.app_url, DEMO_EMAIL, cookie).ok
        assert len(_left_for(host.app_url)) >= 4  # two keys, the cookies, the indexes

        await run_palette(pilot, "Log out")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.current_mode == "log-in", "back on Log in")
        await settle(pilot)
        assert app.state.session is None
        assert "Logged out of" in app.status and "2 personal API keys" in app.status
        assert _left_for(host.app_url) == []
        assert services.accounts.held(host) == []
        assert services.accounts.active(host) is None
        # The key on screen lost its only safe place: the guards ask again.
        assert not on_screen.saved and app.state.unsafe_fresh_keys() == [on_screen]
