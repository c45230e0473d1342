"""Counters for the security tests, reported as one line in pytest's terminal summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SecurityReport:
    """Fuzz examples run per target, and what the secret-hygiene scan looked at."""

    examples: Counter[str] = field(default_factory=Counter)
    scanned: Counter[str] = field(default_factory=Counter)
    """files, log records, exceptions, screenshots, terminal output, requests."""
    secrets_found: list[str] = field(default_factory=list)
    """Where a secret was found (empty when the scan passed)."""
    scans: int = 0

    def example(self, target: str) -> None:
        """Count one example a fuzz test ran."""
        self.examples[target] += 1

    def lines(self) -> list[str]:
        """The summary lines."""
        lines = []
        if self.examples:
            parts = ", ".join(f"{name} {n}" for name, n in sorted(self.examples.items()))
            lines.append(
                f"fuzz examples run: {sum(self.examples.values())} ({parts}); "
                "nothing crashed, every rejection said why"
            )
        if self.scans:
            parts = ", ".join(f"{n} {what}" for what, n in self.scanned.items())
            verdict = (
                "no secret found"
                if not self.secrets_found
                else f"SECRETS FOUND in {', '.join(self.secrets_found)}"
            )
            lines.append(f"secret scan: {parts}; {verdict}")
        return lines


REPORT = SecurityReport()
"""The whole session's counts."""


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in REPORT.lines():
        terminalreporter.write_line(line)
