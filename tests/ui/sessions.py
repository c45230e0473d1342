"""Signing in for UI tests without the log-in screen: real clients against the demo server."""

from __future__ import annotations

from textual.pilot import Pilot

from phguide.api.client import PostHogClient
from phguide.core.secret import Secret
from phguide.core.state import AuthMethod, Session
from phguide.demo.data import DEMO_EMAIL, DEMO_PASSWORD
from phguide.services import Services
from phguide.ui import messages
from phguide.ui.app import PhGuideApp
from phguide.ui.dialogs.secret_keys import SecretKeysDialog
from tests.helpers import settle


async def password_session(services: Services, email: str = DEMO_EMAIL) -> Session:
    """A session as an email-and-password log-in leaves it (user fetched, nothing listed)."""
    assert services.host is not None
    client = PostHogClient(services.host)
    await client.login(email, Secret(DEMO_PASSWORD))
    user = await client.me()
    return Session(host=services.host, client=client, method="password", user=user)


async def key_session(
    services: Services,
    key: str,
    *,
    method: AuthMethod = "pasted",
    label: str | None = None,
    project_id: int | None = None,
) -> Session:
    """A session on a personal key, as browser approval or a pasted key leaves it."""
    assert services.host is not None
    secret = Secret(key)
    client = services.client_factory(services.host, secret)
    user = await client.me()
    selected = await client.project(project_id) if project_id is not None else None
    return Session(
        host=services.host,
        client=client,
        method=method,
        user=user,
        personal_key=secret,
        personal_key_label=label,
        selected_project=selected,
    )


def sign_in(app: PhGuideApp, session: Session) -> None:
    """Hand the session to the app the way the log-in screen does."""
    app.post_message(messages.SignedIn(session))


async def open_secret_keys(
    pilot: Pilot[None], app: PhGuideApp, services: Services
) -> SecretKeysDialog:
    """Sign in with a password and open step 3's secret keys dialog."""
    sign_in(app, await password_session(services))
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, SecretKeysDialog)
    return dialog
