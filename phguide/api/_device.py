"""PostHog's device flow (contract §5): a code, the poll, and the key it hands over once."""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from phguide.api import _parse
from phguide.api._base import ClientBase, malformed
from phguide.api.errors import (
    DeviceCodeExpired,
    DeviceFlowUnsupported,
    PostHogError,
    TransportError,
)
from phguide.api.models import DeviceAuthorization, DeviceCode
from phguide.core.hosts import unsafe_url_warning


def _expired(status: int | None = None) -> DeviceCodeExpired:
    return DeviceCodeExpired(
        "The browser approval code has expired.",
        "Start browser approval again to get a new code.",
        code="expired_token",
        status=status,
    )


def _ended_early(status: int | None) -> DeviceCodeExpired:
    return DeviceCodeExpired(
        "PostHog ended this browser approval before its code expired. If you approved it, "
        "the answer carrying your new personal API key was lost on the way, and PostHog "
        "never hands a key out twice.",
        "A key labelled “CLI - …” may now exist that phguide never received: delete it under "
        "Personal API keys (phguide's step 4, or in PostHog), then start browser approval again.",
        code="expired_token",
        status=status,
    )


class DeviceFlowMixin(ClientBase):
    """Browser approval: `start_device_flow`, then `wait_for_device_approval`."""

    async def start_device_flow(self) -> DeviceCode:
        """Get a one-time code for browser approval.

        Returns:
            The code and the URL to show the user.

        Raises:
            DeviceFlowUnsupported: The instance answered 404 (too old for browser approval).
        """
        try:
            reply = await self._call(
                "POST", "/api/cli-auth/device-code/", credentials=False, retry=False
            )
        except PostHogError as error:
            if error.status not in (404, 405):
                raise
            raise DeviceFlowUnsupported(
                f"{self.host.label} does not offer browser approval.",
                "Sign in with your email and password, or paste a personal API key.",
                code="device_flow_unsupported",
                status=error.status,
            ) from None
        try:
            code = _parse.device_code(reply.data)
        except _parse.Malformed as error:
            raise malformed(error) from None
        for url in (code.verification_uri, code.browser_url):
            # The page to approve in is opened, linked and drawn as a QR code: only on the
            # host the user chose, over http(s). Anything else is shown, never opened.
            warning = unsafe_url_warning(url, self.host)
            if warning is not None:
                raise TransportError(
                    warning,
                    "Check that the address is PostHog's own (the one you open in your "
                    "browser), or sign in with your email and password instead.",
                    code="foreign_url",
                )
        return code

    async def _poll(self, device_code: str) -> DeviceAuthorization | Literal["pending", "slow"]:
        reply = await self._call(
            "POST",
            "/api/cli-auth/poll/",
            json={"device_code": device_code},
            credentials=False,
            # The server hands the key over once; a retry after a lost answer finds it gone
            # either way, and pending answers are safe to repeat.
            retry=True,
            accept=(400,),
        )
        body = reply.data if isinstance(reply.data, dict) else {}
        status = body.get("status")
        error = body.get("error")
        if reply.status == 400:
            if status == "expired" or error == "expired_token":
                raise _expired(status=400)
            if error == "authorization_pending":
                return "pending"
            if error == "slow_down":
                return "slow"
            raise self._t.error_for(reply)
        if status == "authorized" or body.get("personal_api_key"):
            try:
                return _parse.device_authorization(body)
            except _parse.Malformed as problem:
                raise malformed(problem) from None
        if reply.status in (200, 202) and status in (None, "pending", "authorization_pending"):
            return "pending"
        raise malformed(_parse.Malformed(f"unknown poll status {str(status)[:20]!r}"))

    async def wait_for_device_approval(
        self,
        code: DeviceCode,
        *,
        on_tick: Callable[[float], Awaitable[None] | None] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> DeviceAuthorization:
        """Poll every `interval` seconds until approved; cancel the task to stop.

        `on_tick(seconds_left)` is called after each poll. On success the key is also
        adopted (`use_personal_key`). Cancellation propagates as `CancelledError` from the
        current sleep or request, leaving nothing running.

        Args:
            code: What `start_device_flow` returned.
            on_tick: Called with the seconds left after each poll (may be async).
            sleep: How to wait between polls (default: the client's sleep).

        Returns:
            The key, which the caller must save before anything else (PostHog forgets it).

        Raises:
            DeviceCodeExpired: The code expired before the user approved.
            PostHogError: Polling failed even after retries; the code stays valid until it
                expires, so calling again with it resumes the wait.
        """
        wait = sleep or self._sleep
        interval = float(code.interval)
        # Time is counted as slept plus spent in requests, so an injected sleep in tests moves
        # the deadline exactly as real waiting would.
        elapsed = 0.0
        while True:
            await wait(interval)
            elapsed += interval
            started = time.monotonic()
            try:
                result = await self._poll(code.device_code)
            except DeviceCodeExpired as expired:
                if elapsed + interval >= code.expires_in:
                    raise
                # PostHog forgets a code when it hands its key over: an "expired" this early
                # most likely means that answer was lost on the way, and a key now exists.
                raise _ended_early(expired.status) from None
            elapsed += time.monotonic() - started
            if isinstance(result, DeviceAuthorization):
                self.use_personal_key(result.personal_api_key)
                return result
            if result == "slow":
                # RFC 8628: a server that says slow_down wants 5 more seconds between polls.
                interval += 5
            left = max(0.0, code.expires_in - elapsed)
            if on_tick is not None:
                ticked = on_tick(left)
                if inspect.isawaitable(ticked):
                    await ticked
            if left <= 0:
                raise _expired()
