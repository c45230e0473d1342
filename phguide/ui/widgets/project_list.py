"""A virtualised, filterable list of projects grouped by organisation (one line a row)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from phguide.api.models import OrgProjects, Project

RowKind = Literal["org", "project", "note"]


@dataclass(frozen=True)
class Row:
    """One line of the list: an organisation heading, a project, or a note under a heading."""

    kind: RowKind
    text: str
    """What the line shows (plain text: never parsed as markup)."""
    project: Project | None = None


@dataclass(frozen=True)
class _Group:
    org: OrgProjects
    heading: Row
    projects: tuple[tuple[str, Row], ...]
    """Each project's row with its lower-case search text, computed once."""
    note: Row | None


class ProjectIndex:
    """Every organisation's projects as rows, with a lower-case search text per project.

    Built once per listing so that filtering is a substring test per project, which keeps up
    with typing over 10,000 projects.

    Args:
        orgs: The organisations and their projects (or why they could not be listed).
        current: The id of the user's current project, marked in the list.
    """

    def __init__(self, orgs: list[OrgProjects], current: int | None = None) -> None:
        groups = []
        for org in orgs:
            count = len(org.projects)
            plural = "project" if count == 1 else "projects"
            detail = "cannot list its projects" if org.error else f"{count} {plural}"
            heading = Row("org", f"{org.organization.name}  ·  {detail}")
            projects = tuple(
                (
                    f"{project.name} {project.id} {org.organization.name}".lower(),
                    Row("project", _project_text(project, current), project),
                )
                for project in org.projects
            )
            note = Row("note", f"  ⚠ {org.error}") if org.error else None
            groups.append(_Group(org, heading, projects, note))
        self._groups = tuple(groups)
        self._last: tuple[tuple[str, ...], list[tuple[_Group, list[tuple[str, Row]]]]] = ((), [])
        """The last query's words and matches: typing on only narrows them."""
        self.project_count = sum(len(group.projects) for group in self._groups)
        """How many projects the index holds."""

    def rows(self, query: str = "") -> list[Row]:
        """The rows whose project matches the query (every row when it is blank).

        Args:
            query: Words to look for in a project's name, id or organisation.

        Returns:
            Headings followed by their matching projects; an organisation with no match is left out.
        """
        words = tuple(query.lower().split())
        rows: list[Row] = []
        if words:
            for group, matches in self._matches(words):
                rows.append(group.heading)
                rows.extend(row for _, row in matches)
            return rows
        for group in self._groups:
            rows.append(group.heading)
            if group.note is not None:
                rows.append(group.note)
            rows.extend(row for _, row in group.projects)
        return rows

    def _matches(self, words: tuple[str, ...]) -> list[tuple[_Group, list[tuple[str, Row]]]]:
        """Each group with a match and its matching projects (a project matches every word).

        When every word of the last query is inside a word of this one (the user typed on),
        only the last matches can match, so only they are searched.
        """
        last_words, last = self._last
        if last_words and all(any(old in new for new in words) for old in last_words):
            source = last
        else:
            source = [(group, list(group.projects)) for group in self._groups]
        found = []
        for group, projects in source:
            matches = projects
            for word in words:
                matches = [item for item in matches if word in item[0]]
            if matches:
                found.append((group, matches))
        self._last = (words, found)
        return found


def _project_text(project: Project, current: int | None) -> str:
    suffix = "  (current)" if project.id == current else ""
    return f"  {project.name}  #{project.id}{suffix}"


class ProjectList(ScrollView, can_focus=True):
    """The rows of a `ProjectIndex`, rendered line by line so only visible rows cost anything.

    The cursor rests on projects only; moving it posts `Highlighted`, Enter or a click
    posts `Selected`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(-1)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "project-list--org",
        "project-list--note",
        "project-list--cursor",
    }

    DEFAULT_CSS = """
    ProjectList {
        overflow-x: hidden;
        overflow-y: auto;
        height: 1fr;
    }
    ProjectList > .project-list--org { text-style: bold; }
    ProjectList > .project-list--note { color: $text-warning; }
    ProjectList > .project-list--cursor { background: $block-cursor-blurred-background; }
    ProjectList:focus > .project-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """

    class Highlighted(Message):
        """The cursor moved to a project."""

        def __init__(self, project: Project) -> None:
            super().__init__()
            self.project = project
            """The project under the cursor."""

    class Selected(Message):
        """A project was chosen with Enter or a click."""

        def __init__(self, project: Project) -> None:
            super().__init__()
            self.project = project
            """The chosen project."""

    cursor: reactive[int | None] = reactive(None, always_update=True)
    """The index of the row under the cursor (always a project row), or None."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Row] = []

    @property
    def rows(self) -> list[Row]:
        """The rows shown now."""
        return self._rows

    @property
    def highlighted(self) -> Project | None:
        """The project under the cursor."""
        if self.cursor is None or self.cursor >= len(self._rows):
            return None
        return self._rows[self.cursor].project

    def set_rows(self, rows: list[Row], keep: int | None = None) -> None:
        """Show new rows, keeping the cursor on project `keep` when it is still there.

        Args:
            rows: The rows to show.
            keep: A project id to put the cursor on; else the first project.
        """
        self._rows = rows
        self.virtual_size = Size(0, len(rows))
        target = None
        if keep is not None:
            target = next(
                (i for i, row in enumerate(rows) if row.project and row.project.id == keep),
                None,
            )
        if target is None:
            target = self._next_project(-1, 1)
        self.cursor = target
        self.refresh()

    def _next_project(self, start: int, step: int) -> int | None:
        index = start + step
        while 0 <= index < len(self._rows):
            if self._rows[index].kind == "project":
                return index
            index += step
        return None

    def watch_cursor(self, old: int | None, new: int | None) -> None:
        if new is not None:
            self._scroll_to_row(new)
            project = self._rows[new].project
            if project is not None:
                self.post_message(self.Highlighted(project))
        self.refresh()

    def _scroll_to_row(self, index: int) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_offset.y)
        # Show the organisation heading too when the first project of a group is reached.
        want_top = index - 1 if index > 0 and self._rows[index - 1].kind == "org" else index
        if want_top < top:
            self.scroll_to(y=want_top, animate=False, immediate=True)
        elif height and index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        """Move to the previous or next project."""
        start = self.cursor if self.cursor is not None else (-1 if step > 0 else len(self._rows))
        target = self._next_project(start, step)
        if target is not None:
            self.cursor = target

    def action_page(self, direction: int) -> None:
        """Move a page up or down."""
        if self.cursor is None:
            self.action_move(direction)
            return
        height = max(1, self.scrollable_content_region.height - 1)
        start = min(max(self.cursor + direction * height, 0), len(self._rows) - 1)
        target = self._next_project(start - direction, direction)
        if target is None:
            target = self._next_project(start, -direction)
        if target is not None:
            self.cursor = target

    def action_edge(self, direction: int) -> None:
        """Move to the first or last project."""
        start = -1 if direction < 0 else len(self._rows)
        target = self._next_project(start, -direction)
        if target is not None:
            self.cursor = target

    def action_select(self) -> None:
        """Choose the project under the cursor."""
        project = self.highlighted
        if project is not None:
            self.post_message(self.Selected(project))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + round(self.scroll_offset.y)
        if 0 <= index < len(self._rows) and self._rows[index].kind == "project":
            self.cursor = index
            self.action_select()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + round(self.scroll_offset.y)
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        style = base
        if row.kind == "org":
            style = base + self.get_component_rich_style("project-list--org")
        elif row.kind == "note":
            style = base + self.get_component_rich_style("project-list--note")
        if index == self.cursor:
            style = style + self.get_component_rich_style("project-list--cursor")
        strip = Strip([Segment(row.text, style)], cell_len(row.text))
        return strip.crop_extend(0, width, style)
