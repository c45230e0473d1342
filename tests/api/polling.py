"""One poll of a browser approval, through the client's public wait."""

from __future__ import annotations

from phguide.api.client import PostHogClient
from phguide.api.models import DeviceAuthorization, DeviceCode


class _Pending(Exception):
    """The first poll found the approval still pending."""


async def _no_wait(seconds: float) -> None:
    return None


def code_for(device_code: str) -> DeviceCode:
    """A device code as `start_device_flow` gives it, for a server that never issued one."""
    return DeviceCode(device_code, "ABCD-EFGH", "https://x/cli", "https://x/cli?code=A", 600, 5)


async def poll_once(client: PostHogClient, code: DeviceCode | str) -> DeviceAuthorization | None:
    """Poll once without waiting: the key once approved, None while pending.

    Raises:
        DeviceCodeExpired: PostHog no longer knows the code.
    """

    def stop(seconds_left: float) -> None:
        raise _Pending

    try:
        return await client.wait_for_device_approval(
            code_for(code) if isinstance(code, str) else code, on_tick=stop, sleep=_no_wait
        )
    except _Pending:
        return None
