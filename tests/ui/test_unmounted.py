"""A step asked about before its widgets are mounted (a busy machine) answers, and shows its
state once they are, instead of failing with NoMatches.

The footer asks `check_action` as it composes, and the step is shown (`refresh_from_state`)
when its mode comes up: both can come before the step's nested widgets are mounted.
"""

from __future__ import annotations

import importlib

import pytest
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from phguide.core.secret import Secret
from phguide.demo.data import DEMO_EMAIL
from phguide.services import Services
from phguide.ui.app import PhGuideApp
from phguide.ui.screens.base import StepScreen
from phguide.ui.screens.personal_keys import PersonalKeysScreen
from phguide.ui.screens.project_key import ProjectKeyScreen
from phguide.ui.screens.usage import UsageScreen
from phguide.ui.steps import STEPS
from phguide.ui.widgets.login_saved import LoginSaved
from phguide.ui.widgets.problem import ProblemBox
from tests.helpers import SIZE, settle, wait_for
from tests.ui.sessions import password_session, sign_in


def _unmounted(step_id: str) -> StepScreen:
    step = next(step for step in STEPS if step.id == step_id)
    screen = getattr(importlib.import_module(step.module), step.screen)()
    assert isinstance(screen, StepScreen)
    return screen


@pytest.mark.parametrize("step_id", [step.id for step in STEPS])
async def test_a_step_answers_before_its_widgets_are_mounted(
    services: Services, step_id: str
) -> None:
    app = PhGuideApp(services, start="key-types")
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        screen = _unmounted(step_id)
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding)
            screen.check_action(binding.action, ())  # no NoMatches
        screen.on_screen_resume()  # shown before its widgets are: no NoMatches either
        await app.push_screen(screen)
        await settle(pilot)
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding)
            screen.check_action(binding.action, ())


async def test_shown_before_mounted_it_shows_the_state_once_mounted(services: Services) -> None:
    app = PhGuideApp(services, start="key-types")
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        screen = _unmounted("usage")
        screen.on_screen_resume()
        await app.push_screen(screen)
        context = screen.query_one("#usage-context", Static)
        await wait_for(pilot, lambda: "Filled in for" in str(context.render()), "the context")


async def test_step_3_ready_before_its_filter_is_mounted(services: Services) -> None:
    # The phase is set at once; the widgets show it once mounted (a busy machine).
    app = PhGuideApp(services, start="key-types")
    async with app.run_test(size=SIZE) as pilot:
        sign_in(app, await password_session(services))
        await settle(pilot)
        screen = _unmounted("project-key")
        assert isinstance(screen, ProjectKeyScreen)
        screen.phase = "ready"
        assert screen.check_action("leave_filter", ()) is False
        await app.push_screen(screen)
        await settle(pilot)
        await wait_for(pilot, lambda: screen.phase == "ready", "the listing")
        screen.query_one("#project-filter").focus()
        await pilot.pause()
        assert screen.check_action("leave_filter", ()) is True


async def test_a_saved_key_found_before_its_widgets_are_mounted_shows_once_they_are(
    services: Services,
) -> None:
    # The look-up answers from a thread: on a busy machine, before the widget has mounted its
    # box (or after a sign-in took the Log in screen away).
    app = PhGuideApp(services, start="log-in")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        host = services.host
        assert host is not None
        saved = LoginSaved(services, lambda: host)
        saved.found = (host, DEMO_EMAIL, Secret("phx_" + "k" * 43))  # no NoMatches
        await app.screen.query_one("#login-side").mount(saved)
        await settle(pilot)
        assert saved.query_one("#saved-key-box").display
        assert DEMO_EMAIL in str(saved.query_one("#saved-key-note", Static).render())
        await saved.remove()
        saved.answered(None, ())  # an answer after the widget went: dropped, no NoScreen
        assert saved.found is not None


async def test_a_late_keyring_answer_on_a_step_that_has_gone_is_dropped(
    services: Services,
) -> None:
    app = PhGuideApp(services, start="key-types")
    async with app.run_test(size=SIZE) as pilot:
        session = await password_session(services)
        sign_in(app, session)
        await settle(pilot)
        screen = _unmounted("usage")
        assert isinstance(screen, UsageScreen)
        shown: list[str] = []
        screen.show_once_mounted(lambda: shown.append("shown"))
        assert shown == []  # not attached: not shown, not retried
        await app.push_screen(screen)
        await settle(pilot)
        screen.show_once_mounted(lambda: shown.append("shown"))
        assert shown == ["shown"]


async def test_a_problem_shown_before_its_box_is_mounted_shows_once_it_is(
    services: Services,
) -> None:
    app = PhGuideApp(services, start="key-types")
    async with app.run_test(size=SIZE) as pilot:
        box = ProblemBox(action_id="problem-retry")
        box.show("Listing failed", "Try again.", action="Retry")  # no NoMatches
        await app.screen.mount(box)
        await settle(pilot)
        assert box.display and box.text == "Listing failed\nTry again."
        assert getattr(box.query_one(".problem-text", Static).render(), "plain", None) == box.text
        assert box.button.display and str(box.button.label) == "Retry"
        box.clear()
        await box.remove()
        box.show("After the box went", "No NoMatches either.")
        assert box.text == "After the box went\nNo NoMatches either."


@pytest.mark.parametrize("step_id", ["project-key", "personal-keys"])
async def test_a_worker_failing_after_its_step_has_gone_says_nothing_and_raises_nothing(
    services: Services, step_id: str
) -> None:
    app = PhGuideApp(services, start="key-types")
    async with app.run_test(size=SIZE) as pilot:
        screen = _unmounted(step_id)
        assert isinstance(screen, ProjectKeyScreen | PersonalKeysScreen)

        async def fails() -> None:
            raise RuntimeError("a bug")

        group = "projects" if step_id == "project-key" else "personal-keys"
        worker: Worker[None] = Worker(screen, fails, group=group)
        # The app quitting: the step and its widgets are gone when the failure is reported.
        screen._worker_failed(Worker.StateChanged(worker, WorkerState.ERROR))
        await settle(pilot)
        assert app.is_running
