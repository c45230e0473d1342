"""A virtualised, filterable list of projects grouped by organization (long rows wrap)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:  # a returning user's first frame can be step 3's: no models before it
    from phguide.api.models import OrgProjects, Project

RowKind = Literal["org", "project", "note"]


@dataclass(frozen=True)
class Row:
    """One line of the list: an organization heading, a project, or a note under a heading."""

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
    """Every organization's projects as rows, with a lower-case search text per project.

    Built once per listing so that filtering is a substring test per project, which keeps up
    with typing over 10,000 projects.

    Args:
        orgs: The organizations and their projects (or why they could not be listed).
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
            query: Words to look for in a project's name, id or organization.

        Returns:
            Headings followed by their matching projects; an organization with no match is left out.
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


def wrap_row(text: str, width: int) -> list[str]:
    """A row's lines at `width` columns: whole words, continuation lines indented under the text.

    Most rows fit one line and are returned as they are, so laying out 10,000 projects stays
    cheap; only the long ones are wrapped.
    """
    if width <= 0 or cell_len(text) <= width:
        return [text]
    body = text.lstrip(" ")
    indent = " " * (len(text) - len(body))
    return textwrap.wrap(
        body,
        width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",  # under a warning's text, past its ⚠
        break_on_hyphens=False,
    ) or [text]


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
        /* Rows are wrapped to the width left beside the scrollbar: keep its room whether or
           not it shows, or a list that grows one enables it and cuts every wrapped line. */
        scrollbar-gutter: stable;
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
        self._lines: list[tuple[int, str]] = []
        """Each screen line: the row it belongs to and its text."""
        self._first_line: list[int] = []
        """Each row's first line."""
        self._laid_out_at = -1

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
        self._lay_out(force=True)
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

    def _lay_out(self, force: bool = False) -> None:
        """Split the rows into lines for the width the list has now."""
        width = self.scrollable_content_region.width
        if not force and width == self._laid_out_at:
            return
        self._laid_out_at = width
        lines: list[tuple[int, str]] = []
        first: list[int] = []
        for index, row in enumerate(self._rows):
            first.append(len(lines))
            lines.extend((index, text) for text in wrap_row(row.text, width))
        self._lines = lines
        self._first_line = first
        self.virtual_size = Size(0, len(lines))

    def on_resize(self, event: events.Resize) -> None:
        self._lay_out()
        self.refresh()

    def _line_span(self, index: int) -> tuple[int, int]:
        """The first line of row `index` and the line after its last."""
        start = self._first_line[index]
        end = self._first_line[index + 1] if index + 1 < len(self._rows) else len(self._lines)
        return start, end

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
        if index >= len(self._first_line):
            return
        height = self.scrollable_content_region.height
        top = round(self.scroll_offset.y)
        start, end = self._line_span(index)
        # Show the organization heading too when the first project of a group is reached.
        if index > 0 and self._rows[index - 1].kind == "org":
            start = self._line_span(index - 1)[0]
        if start < top:
            self.scroll_to(y=start, animate=False, immediate=True)
        elif height and end > top + height:
            self.scroll_to(y=end - height, animate=False, immediate=True)

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
        line = offset.y + round(self.scroll_offset.y)
        if not 0 <= line < len(self._lines):
            return
        index = self._lines[line][0]
        if self._rows[index].kind == "project":
            self.cursor = index
            self.action_select()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + round(self.scroll_offset.y)
        base = self.rich_style
        if line >= len(self._lines):
            return Strip.blank(width, base)
        index, text = self._lines[line]
        row = self._rows[index]
        style = base
        if row.kind == "org":
            style = base + self.get_component_rich_style("project-list--org")
        elif row.kind == "note":
            style = base + self.get_component_rich_style("project-list--note")
        if index == self.cursor:
            style = style + self.get_component_rich_style("project-list--cursor")
        strip = Strip([Segment(text, style)], cell_len(text))
        return strip.crop_extend(0, width, style)
