"""Ways the demo server can be told to misbehave, for the client's reliability tests."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Final, Literal

FaultKind = Literal["slow", "throttle", "status", "error", "drop", "malformed", "reset"]
KINDS: Final = ("slow", "throttle", "status", "error", "drop", "malformed", "reset")

_REASONS: Final = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass
class Fault:
    """One planned misbehaviour; see `FaultPlan.add` for the meaning of each field."""

    kind: FaultKind
    path: re.Pattern[str]
    method: str | None
    remaining: int | None
    """Requests it still applies to; None for every request."""
    delay: float = 30.0
    retry_after: int | None = 1
    seconds: int | None = None
    status: int = 502
    after: bool = False
    body: str | None = None
    code: str = "permission_denied"
    detail: str = ""
    fired: int = 0
    """How many requests it has hit."""
    released: threading.Event = field(default_factory=threading.Event, repr=False)
    """Set by `release`: a ``"slow"`` fault's requests wait no longer."""

    def release(self) -> None:
        """Let a ``"slow"`` fault's held requests (and any later ones) answer now.

        A test that must act while a request is held gives it a long `delay` and releases it
        when it is done, instead of racing a short delay on a busy machine.
        """
        self.released.set()

    def matches(self, method: str, path: str) -> bool:
        """True when a request falls under this fault."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path.search(path) is not None

    def html_body(self) -> str:
        """The HTML page a proxy would answer with (what `status` faults send)."""
        if self.body is not None:
            return self.body
        reason = _REASONS.get(self.status, "Error")
        title = f"{self.status} {reason}"
        return (
            f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        )


class FaultPlan:
    """An ordered list of faults; the first one that matches a request fires and counts down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        path: str = ".*",
        method: str | None = None,
        times: int | None = 1,
        *,
        delay: float = 30.0,
        retry_after: int | None = 1,
        seconds: int | None = None,
        status: int = 502,
        after: bool = False,
        body: str | None = None,
        code: str = "permission_denied",
        detail: str = "",
    ) -> Fault:
        """Plan a fault.

        Args:
            kind: ``"slow"`` (wait `delay` seconds, then answer normally), ``"throttle"`` (429
                JSON, with `Retry-After: retry_after` unless it is None; `seconds` is the N in
                the detail, default `retry_after` or 1), ``"status"`` (`status` with an HTML
                body, or `body`), ``"error"`` (`status` with PostHog's JSON error body of
                `code` and `detail`), ``"drop"`` (headers and part of the body, then close),
                ``"malformed"`` (200 with broken JSON), ``"reset"`` (close without answering).
            path: A regular expression searched in the request path (no query string).
            method: Only this HTTP method; None for any.
            times: How many requests it hits; None for all of them.
            after: Do the real work first, then misbehave (a key created, its answer lost).

        Returns:
            The fault, whose `fired` counts its hits.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
        fault = Fault(
            kind=kind,
            path=re.compile(path),
            method=method,
            remaining=times,
            delay=delay,
            retry_after=retry_after,
            seconds=seconds,
            status=status,
            after=after,
            body=body,
            code=code,
            detail=detail,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if any, counted as used."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.fired += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Forget every planned fault."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)
