"""A returning user's first sight of step 3: the project key in the step's first frame.

What each frame showed is read where Textual paints it (its public `post_display_hook`), not
after the app has settled: a frame in between is what the user sees.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.css.query import NoMatches
from textual.screen import Screen

from phguide.api.client import PostHogClient
from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL
from phguide.demo.server import DemoServer
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.project_key import ProjectKeyScreen
from phguide.ui.screens.usage import UsageScreen
from phguide.ui.widgets.secret_field import KeyBox
from tests.helpers import SIZE, settle, wait_for


async def test_a_returning_user_sees_the_key_in_step_3s_first_frame(
    services: Services, demo_server: DemoServer
) -> None:
    assert services.host is not None
    value = demo_server.issue_key(DEMO_EMAIL, "Laptop", ("*",))
    assert services.save_personal_key(services.host, DEMO_EMAIL, Secret(value)).ok
    token = demo_server.data.projects[1001].api_token
    app = PhGuideApp(services)
    frames: list[tuple[bool, str]] = []
    """Each frame painted on step 3: whether it said "Log in first", and the key box's text."""

    def painted() -> None:
        screen = app.screen
        if not isinstance(screen, ProjectKeyScreen):
            return
        try:
            notice = screen.query_one("#project-key-signed-out")
            main = screen.query_one("#project-key-main")
            box = screen.query_one("#project-key-box", KeyBox)
        except NoMatches:  # not composed yet: nothing of the step is painted
            return
        frames.append((bool(notice.display), box.shown_text if main.display else ""))

    app.post_display_hook = painted  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(frames), "step 3 painted")
        await settle(pilot)
    assert frames[0] == (False, token)
    assert not any(signed_out for signed_out, _ in frames)


async def test_a_returning_users_client_loads_its_network_in_the_resume_thread(
    services: Services, demo_server: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the first request imports (~30 ms) is imported where the client is built, off the
    # event loop, so that @me goes out at once and step 3's code loads during the round trip.
    assert services.host is not None
    value = demo_server.issue_key(DEMO_EMAIL, "Laptop", ("*",))
    assert services.save_personal_key(services.host, DEMO_EMAIL, Secret(value)).ok
    on_main_thread: list[bool] = []
    load_network = PostHogClient.load_network

    def noted(self: PostHogClient) -> None:
        on_main_thread.append(threading.current_thread() is threading.main_thread())
        load_network(self)

    monkeypatch.setattr(PostHogClient, "load_network", noted)
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.state.session is not None, "the returning user")
    assert on_main_thread == [False]


async def test_a_new_step_paints_once_mounted_not_after_a_timer(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual holds a switch's updates for 50 ms by a timer, which on a busy machine fires
    # after the new step's first frame was painted and thrown away; a new step's screen is
    # painted as soon as it is mounted. Switching back to a step is left to Textual.
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        timers: list[str | None] = []
        set_timer = app.set_timer

        def noted(delay: float, callback: Any = None, *, name: str | None = None) -> Any:
            timers.append(name)
            return set_timer(delay, callback, name=name)

        monkeypatch.setattr(app, "set_timer", noted)
        painted: list[Screen[object]] = []
        app.post_display_hook = lambda: painted.append(app.screen)  # type: ignore[method-assign]
        app.action_go("usage")
        await wait_for(
            pilot, lambda: any(isinstance(s, UsageScreen) for s in painted), "step 5 painted"
        )
        await settle(pilot)
        assert "delay_update" not in timers
        assert isinstance(app.screen, UsageScreen)
        app.action_go("key-types")  # seen before: Textual's own switch
        await settle(pilot)
        assert "delay_update" in timers


async def test_a_new_step_paints_once_laid_out_without_a_restyle(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new mode's screen gets two ScreenResumes (its mode started, then the switch), each
    # restyling every widget, and its first layout sends it a Resize that lays it out again:
    # held until all of that was done, its first frame came two restyles and a layout late.
    # Its widgets were styled as they mounted: it is painted once laid out the first time, and
    # neither ScreenResume restyles it (after a theme change the second one does: test_styling).
    app = PhGuideApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        restyles = 0
        restyle = UsageScreen.update_node_styles

        def counted(self: UsageScreen, animate: bool = True) -> None:
            nonlocal restyles
            restyles += 1
            restyle(self, animate)

        monkeypatch.setattr(UsageScreen, "update_node_styles", counted)
        at_first_frame: list[int] = []

        def painted() -> None:
            if isinstance(app.screen, UsageScreen) and not at_first_frame:
                at_first_frame.append(restyles)

        app.post_display_hook = painted  # type: ignore[method-assign]
        app.action_go("usage")
        await wait_for(pilot, lambda: bool(at_first_frame), "step 5 painted")
        await settle(pilot)
        assert at_first_frame == [0]
        assert restyles == 0  # nor by the switch's own ScreenResume, after the frame
        app.action_go("key-types")
        await settle(pilot)
        app.action_go("usage")  # shown again: restyled as Textual does
        await settle(pilot)
        assert restyles == 1
