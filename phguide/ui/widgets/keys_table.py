"""The table of a user's personal API keys: one row a key, columns sized to the table's width."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rich.text import Text
from textual.widgets import DataTable

from phguide.api.models import PersonalApiKey
from phguide.core.state import Session
from phguide.core.when import ago, parse_time

_COLUMNS: Final = ("Label", "Key", "Scopes", "Projects", "Created", "Last used")


class KeysTable(DataTable[Text]):
    """The keys as listed, with the one under the cursor as `selected`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.keys: list[PersonalApiKey] = []
        """The keys on show, in row order."""
        self._columns_for = 0
        """The table width the columns were sized for."""

    def add_sized_columns(self) -> None:
        """Columns sized to the table's width: a long label or scope list wraps in its cell
        instead of pushing Created and Last used out of sight."""
        width = self.scrollable_content_region.width or self.app.size.width - 6
        for name, column_width in zip(_COLUMNS, _column_widths(width), strict=True):
            self.add_column(name, key=name.lower().replace(" ", "-"), width=column_width)
        self._columns_for = width

    @property
    def sized_for_another_width(self) -> bool:
        """Whether the table's width changed since its columns were sized."""
        width = self.scrollable_content_region.width
        return bool(width) and width != self._columns_for

    def show(
        self, keys: Sequence[PersonalApiKey], session: Session | None, select: str | None = None
    ) -> None:
        """Show `keys` (project and organization names from `session`), the cursor on `select`
        when it is listed, else on the row it was on."""
        self.keys = list(keys)
        current = self.cursor_row
        self.clear(columns=True)
        self.add_sized_columns()
        names = _project_names(session)
        orgs = _org_names(session)
        for key in self.keys:
            self.add_row(
                Text(key.label),
                Text(key.mask_value),
                Text(_scopes_text(key.scopes)),
                Text(_projects_text(key, names, orgs)),
                Text(_when(key.created_at)),
                Text(_when(key.last_used_at, never="never")),
                key=key.id,
                height=None,
            )
        if select is not None and any(key.id == select for key in self.keys):
            self.move_cursor(row=self.get_row_index(select))
        elif self.keys:
            self.move_cursor(row=min(current, len(self.keys) - 1))

    def select(self, key_id: str) -> None:
        """Put the cursor on the key with `key_id`, if it is listed."""
        if any(key.id == key_id for key in self.keys):
            self.move_cursor(row=self.get_row_index(key_id))

    @property
    def selected(self) -> PersonalApiKey | None:
        """The key under the cursor."""
        if not self.keys or self.cursor_row < 0 or self.cursor_row >= len(self.keys):
            return None
        return self.keys[self.cursor_row]


# -- how a key row reads ----------------------------------------------------------------------
def _column_widths(width: int) -> tuple[int, ...]:
    """Each column's width for a table `width` columns wide (each cell adds 2 of padding).

    The key's mask and the two dates are short and fixed; the label, the scopes and the
    projects share the rest and wrap.
    """
    key, created, used = 11, 11, 11  # "phx_...abcd", "10 days ago"
    # 4 more for the scrollbars that appear once the rows outgrow the table's height and a
    # new key's panel the page's.
    rest = max(18, width - 2 * len(_COLUMNS) - key - created - used - 4)
    label = rest * 2 // 5
    scopes = rest * 3 // 10
    return (label, key, scopes, rest - label - scopes, created, used)


def _scopes_text(scopes: Sequence[str]) -> str:
    if not scopes:
        return "no access"  # no scopes is no access since 2026-03 (PostHog shows null as [])
    if "*" in scopes:
        return "all (*)"
    if len(scopes) <= 2:
        return ", ".join(scopes)
    return f"{', '.join(scopes[:2])} +{len(scopes) - 2}"


def _projects_text(key: PersonalApiKey, names: dict[int, str], orgs: dict[str, str]) -> str:
    parts = [names.get(team, f"project {team}") for team in key.scoped_teams]
    parts += [orgs.get(org, "an organization") for org in key.scoped_organizations]
    return ", ".join(parts) if parts else "all"


def _when(stamp: str | None, never: str = "") -> str:
    """A timestamp as "today", "3 days ago" or a date."""
    if not stamp:
        return never
    moment = parse_time(stamp)
    return stamp[:10] if moment is None else ago(moment, by_day=True)


def _project_names(session: Session | None) -> dict[int, str]:
    if session is None or session.projects is None:
        return {}
    return {p.id: p.name for org in session.projects for p in org.projects}


def _org_names(session: Session | None) -> dict[str, str]:
    if session is None or session.user is None:
        return {}
    return {org.id: org.name for org in session.user.organizations}
