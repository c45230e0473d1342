"""Fault-injection fixtures and the "faults injected, all survived" line in pytest's summary."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from phguide.api.errors import PostHogError
from phguide.demo import DemoServer
from phguide.demo.faults import Fault, FaultKind

PHASES = (
    "login",
    "second factor",
    "device polling",
    "project listing",
    "key creation",
    "roll",
    "delete",
    "troubleshooting",
    "cli",
)
"""The phases the summary line reports, in the walkthrough's order."""

_HTML = re.compile(r"<\s*/?\s*(html|head|body|title|center|h1|hr|!doctype)\b", re.IGNORECASE)


@dataclass
class Ledger:
    """Faults injected per phase, and how many of them the test that injected them survived."""

    injected: Counter[str] = field(default_factory=Counter)
    survived: Counter[str] = field(default_factory=Counter)
    failed_tests: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The summary line, e.g. "faults injected: 40 (login 12, …), all survived"."""
        total = sum(self.injected.values())
        phases = [phase for phase in PHASES if self.injected[phase]]
        phases += sorted(set(self.injected) - set(PHASES))
        parts = ", ".join(f"{phase} {self.injected[phase]}" for phase in phases)
        lost = total - sum(self.survived.values())
        verdict = "all survived" if lost == 0 else f"{lost} NOT survived"
        return f"faults injected: {total} ({parts}), {verdict}"


LEDGER = Ledger()
"""The whole session's counts (pytest runs tests in one process)."""


class Injector:
    """Plans faults on demo servers for one test, attributing each to a phase.

    A fault counts once per request it actually hit (`Fault.fired`); a stop and restart of a
    server counts as one fault. The counts go to the ledger when the test ends: as survived
    when it passed.
    """

    def __init__(self) -> None:
        self._faults: list[tuple[str, Fault]] = []
        self._extra: Counter[str] = Counter()

    def add(
        self, server: DemoServer, phase: str, kind: FaultKind, path: str, **options: Any
    ) -> Fault:
        """Plan a fault on a server (see `FaultPlan.add`) for a phase of the walkthrough."""
        fault = server.faults.add(kind, path=path, **options)
        self._faults.append((phase, fault))
        return fault

    def restarted(self, phase: str) -> None:
        """Count a stop-and-restart of a server."""
        self._extra[phase] += 1

    def counts(self) -> Counter[str]:
        """Faults that hit a request (or restarts), per phase."""
        counts = Counter(self._extra)
        for phase, fault in self._faults:
            counts[phase] += fault.fired
        return counts

    def total(self, phase: str | None = None) -> int:
        """How many faults fired, in one phase or in all."""
        counts = self.counts()
        return counts[phase] if phase is not None else sum(counts.values())


_INJECTORS: dict[str, Injector] = {}


@pytest.fixture
def inject(request: pytest.FixtureRequest) -> Iterator[Injector]:
    """Plans faults for this test; the summary line counts them."""
    injector = Injector()
    _INJECTORS[request.node.nodeid] = injector
    yield injector


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    injector = _INJECTORS.get(item.nodeid)
    if injector is None:
        return report
    # Tally after the call phase, or at setup or teardown when those fail.
    if report.when == "call" or report.failed:
        _INJECTORS.pop(item.nodeid, None)
        counts = injector.counts()
        LEDGER.injected.update(counts)
        if report.passed:
            LEDGER.survived.update(counts)
        else:
            LEDGER.failed_tests.append(item.nodeid)
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if LEDGER.injected:
        terminalreporter.write_line(LEDGER.line())


def assert_clear(error: BaseException) -> PostHogError:
    """A failure the user can act on: a PostHogError with message and fix, no HTML, no trace.

    Returns:
        The error, typed.
    """
    assert isinstance(error, PostHogError), f"not a PostHogError: {type(error).__name__}"
    assert error.message.strip(), "no message"
    assert error.fix.strip(), f"no fix for {error.message!r}"
    for text in (error.message, error.fix, str(error), error.detail or ""):
        assert not _HTML.search(text), f"HTML in {text!r}"
        assert "Traceback" not in text
    return error


def assert_no_html(text: str) -> None:
    """What the user sees holds no HTML page and no traceback."""
    assert not _HTML.search(text), f"HTML in {text!r}"
    assert "Traceback (most recent call last)" not in text, text
