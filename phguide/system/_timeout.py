"""Run a blocking call in a daemon thread and stop waiting for it after a timeout."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar, cast

_T = TypeVar("_T")


class TimedOut(Exception):
    """The call did not finish in time; its thread is left to finish, or hang, on its own."""


def run_with_timeout(call: Callable[[], _T], timeout: float, name: str) -> _T:
    """Run a call in a daemon thread and wait at most `timeout` seconds for it.

    A daemon thread, not an executor: a call that never returns (a keyring prompt on a
    display nobody looks at, a stopped daemon, a dead X server) must not keep the process
    alive at exit, and executor threads are joined at exit.

    Args:
        call: What to run.
        timeout: Seconds to wait.
        name: The thread's name, for debugging.

    Returns:
        What the call returned.

    Raises:
        TimedOut: The call is still running after `timeout` seconds.
        Exception: Whatever the call raised, as it was raised.
    """
    outcome: list[tuple[bool, object]] = []

    def target() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as error:  # handed over to the waiting thread as it is
            outcome.append((False, error))

    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise TimedOut
    succeeded, value = outcome[0]
    if not succeeded:
        assert isinstance(value, BaseException)
        raise value
    return cast(_T, value)
