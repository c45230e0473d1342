"""After browser approval: what the new key may do, and what to offer when it cannot read.

PostHog's device flow does not promise `user:read` or `project:read` (contract §5): one
version grants a fixed set without them, newer ones let the user untick them. The key is real
either way and is kept; this module says whether phguide can go on with it, and if not, which
scopes are missing and why, so the screen can offer another way in.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from phguide.api.errors import PermissionDenied
from phguide.core.scopes import READ_PROJECT, missing

if TYPE_CHECKING:
    from phguide.api.client import PostHogClient
    from phguide.api.models import DeviceAuthorization, Project, User

Offer = Literal["approve-again", "password", "paste-key"]

WHY: Final[dict[str, str]] = {
    "user:read": "without it phguide cannot tell whose key it is or list your organizations",
    "project:read": "without it phguide cannot read the project or its project API key",
}
"""Why phguide needs each scope of `READ_PROJECT`."""

OFFERS: Final[tuple[tuple[Offer, str], ...]] = (
    (
        "approve-again",
        "Approve again in the browser and keep user:read and project:read ticked",
    ),
    ("password", "Sign in with your email and password"),
    ("paste-key", "Paste a personal API key that has user:read and project:read"),
)
"""What the user can do when the approved key cannot read, in the order offered."""


@dataclass(frozen=True)
class ApprovalReach:
    """What an approved key may do, as far as phguide needs it."""

    label: str
    """The key's label (`CLI - <project> - <date>`), to find it in PostHog."""
    project_id: int | None
    """The project the key was approved for (from the poll answer)."""
    granted: tuple[str, ...] | None
    """The scopes PostHog said it granted, or None when the poll answer did not say."""
    missing: tuple[str, ...]
    """Scopes of `READ_PROJECT` the key lacks, in order."""
    user: User | None = None
    project: Project | None = None

    @property
    def can_read(self) -> bool:
        """True when phguide can go on as a signed-in session with this key."""
        return self.user is not None and not self.missing

    def reasons(self) -> list[str]:
        """One sentence per missing scope: which, and why phguide needs it."""
        return [f"{scope}: {WHY.get(scope, 'phguide needs it')}." for scope in self.missing]

    def summary(self) -> str:
        """What happened, in one paragraph (never the key itself)."""
        if self.can_read:
            return f"The key “{self.label}” can read your account and its project."
        names = " and ".join(self.missing)
        return (
            f"PostHog approved the key “{self.label}”, but without {names}, so phguide cannot "
            "sign you in with it. The key is real and kept safe: it still works for what it "
            "was granted, and counts toward your 10 personal keys."
        )


async def assess_approval(client: PostHogClient, approval: DeviceAuthorization) -> ApprovalReach:
    """Find out what the approved key may do, asking PostHog only what can succeed.

    The granted `scopes`, when the poll answer carries them, decide which calls to make; a
    403 on `users/@me` or on the project says the rest (by status and code, never wording).

    Args:
        client: Already using the approved key.
        approval: The poll answer.

    Returns:
        The key's reach; `can_read` says whether to go on.

    Raises:
        PostHogError: A failure that is not about scopes (network, server, invalid key).
    """
    granted = approval.scopes
    lacking: list[str] = list(missing(granted)) if granted is not None else []
    target: int | str = approval.project_id if approval.project_id is not None else "@current"

    async def read_user() -> User | None:
        if "user:read" in lacking:
            return None
        try:
            return await client.me()
        except PermissionDenied:
            lacking.append("user:read")
            return None

    async def read_project() -> Project | None:
        if "project:read" in lacking:
            return None
        try:
            return await client.project(target)
        except PermissionDenied:
            lacking.append("project:read")
            return None

    user, project = await asyncio.gather(read_user(), read_project(), return_exceptions=True)
    # Not about scopes: the caller reports it, and the key stays on screen.
    if isinstance(user, BaseException):
        raise user
    if isinstance(project, BaseException):
        raise project
    ordered = tuple(scope for scope in READ_PROJECT if scope in lacking)
    return ApprovalReach(
        label=approval.label,
        project_id=approval.project_id,
        granted=granted,
        missing=ordered,
        user=user,
        project=project,
    )
