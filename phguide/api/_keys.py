"""Key management: personal API keys (contract §6) and project secret keys (§6b)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from phguide.api import _parse
from phguide.api._base import ClientBase, parsed
from phguide.api.errors import PostHogError, SessionRequired
from phguide.api.models import (
    NewPersonalApiKey,
    NewProjectSecretKey,
    PersonalApiKey,
    ProjectSecretKey,
)

if TYPE_CHECKING:
    from phguide.api._transport import Reply


class KeysMixin(ClientBase):
    """Listing, creating, rolling and deleting keys."""

    async def _manage(self, method: str, path: str, **kwargs: Any) -> Reply:
        """A key-management call: with a personal key, 401 and 403 both mean "a session only".

        Newer PostHog answers 401 to a personal key there and older versions 403 (contract
        §2): either way the key is fine and the call needs a password sign-in.
        """
        try:
            return await self._call(method, path, **kwargs)
        except PostHogError as error:
            if self.auth_kind != "key" or error.status not in (401, 403):
                raise
            if error.code == "access_blocked":
                raise
            raise SessionRequired(
                "A personal API key cannot manage personal API keys: only a signed-in "
                "session can list, create, roll or delete them.",
                "Sign in with your email and password (phguide step 2), or manage keys in "
                "PostHog's web app.",
                code=error.code,
                status=error.status,
                detail=error.detail,
            ) from None

    async def list_keys(self) -> list[PersonalApiKey]:
        """The user's personal keys, newest first (a session is required).

        Raises:
            PermissionDenied: Called with a personal key instead of a session.
        """
        reply = await self._manage("GET", "/api/personal_api_keys/")
        rows = parsed(lambda data: _parse.as_list(data, "personal API keys"), reply.data)
        return _parse.each(rows, _parse.personal_key, "personal API key")

    def _new_key(self, reply: Reply) -> NewPersonalApiKey:
        return parsed(_parse.new_personal_key, reply.data)

    async def create_key(
        self,
        label: str,
        scopes: Sequence[str],
        scoped_teams: Sequence[int] = (),
        scoped_organizations: Sequence[str] = (),
    ) -> NewPersonalApiKey:
        """Create a personal key; its value is in the answer once and never again.

        Args:
            label: 1 to 40 characters.
            scopes: `"*"` or `"<object>:read|write"` entries.
            scoped_teams: Project ids to limit the key to (empty: all).
            scoped_organizations: Organization ids to limit the key to (empty: all).

        Returns:
            The key and its plain value.

        Raises:
            InvalidInput: A bad label or scope, or the 10-key limit.
            ReauthRequired: The sign-in is over 2 hours old.
            PermissionDenied: Called with a personal key instead of a session.
        """
        reply = await self._manage(
            "POST",
            "/api/personal_api_keys/",
            json={
                "label": label,
                "scopes": list(scopes),
                "scoped_teams": list(scoped_teams),
                "scoped_organizations": list(scoped_organizations),
            },
            retry=False,
        )
        return self._new_key(reply)

    @staticmethod
    def _key_path(key_id: str, suffix: str = "") -> str:
        return f"/api/personal_api_keys/{quote(key_id, safe='@')}/{suffix}"

    async def get_key(self, key_id: str) -> PersonalApiKey:
        """One personal key (without its value)."""
        reply = await self._call("GET", self._key_path(key_id))
        return parsed(_parse.personal_key, reply.data)

    async def delete_key(self, key_id: str) -> None:
        """Delete a key: everything using it stops working."""
        await self._manage("DELETE", self._key_path(key_id), retry=False)

    async def roll_key(self, key_id: str) -> NewPersonalApiKey:
        """Replace a key's value: the old value stops working, the new one is shown once."""
        reply = await self._manage("POST", self._key_path(key_id, "roll/"), retry=False)
        return self._new_key(reply)

    async def current_key(self) -> PersonalApiKey:
        """`@current`: the key this client authenticates with (key auth only)."""
        return await self.get_key("@current")

    # -- project secret keys (contract §6b) -----------------------------------------------

    @staticmethod
    def _secret_path(project_id: int, key_id: str = "", suffix: str = "") -> str:
        path = f"/api/projects/{int(project_id)}/project_secret_api_keys/"
        if key_id:
            path += f"{quote(key_id, safe='')}/{suffix}"
        return path

    async def list_secret_keys(self, project_id: int) -> list[ProjectSecretKey]:
        """Every secret key of a project (all pages; values are never listed).

        Raises:
            PermissionDenied: No access to the project, or a key without the scope.
        """
        url: str | None = self._t.url(self._secret_path(project_id))
        seen: set[str] = set()
        keys: list[ProjectSecretKey] = []
        ids: set[str] = set()
        # At most 50 keys per project: a handful of pages at most, so one after the other.
        while url and url not in seen and len(seen) < 100:
            seen.add(url)
            reply = await self._t.request("GET", url)
            _, next_url, rows = parsed(_parse.page, reply.data)
            for key in _parse.each(rows, _parse.secret_key, "project secret API key"):
                if key.id not in ids:
                    ids.add(key.id)
                    keys.append(key)
            url = self._own_url(next_url) if next_url else None
        return keys

    async def create_secret_key(
        self, project_id: int, label: str, scopes: Sequence[str]
    ) -> NewProjectSecretKey:
        """Create a project secret key; its value is in the answer once and never again.

        Raises:
            InvalidInput: A bad or taken label, a refused scope, or the 50-key limit.
            PermissionDenied: Not a project admin.
            ReauthRequired: The sign-in is over 2 hours old.
        """
        reply = await self._call(
            "POST",
            self._secret_path(project_id),
            json={"label": label, "scopes": list(scopes)},
            retry=False,
        )
        return parsed(_parse.new_secret_key, reply.data)

    async def roll_secret_key(self, project_id: int, key_id: str) -> NewProjectSecretKey:
        """Replace a secret key's value: the old one stops working, the new one is shown once."""
        reply = await self._call(
            "POST", self._secret_path(project_id, key_id, "roll/"), retry=False
        )
        return parsed(_parse.new_secret_key, reply.data)

    async def delete_secret_key(self, project_id: int, key_id: str) -> None:
        """Delete a secret key: every server using it stops evaluating flags locally."""
        await self._call("DELETE", self._secret_path(project_id, key_id), retry=False)
