"""The "Create personal API key" form: label, scopes (preset or custom), optional projects."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from phguide.core.scopes import PERSONAL_PRESETS, SCOPE_OBJECTS, WITHHELD, describe, preset
from phguide.ui.dialogs.docked import FocusInSight
from phguide.ui.safe import escape, plain

OBJECTS_TEXT: Final = (
    "Objects: "
    + ", ".join(SCOPE_OBJECTS)
    + ". Each takes :read or :write (write includes read); * is everything. PostHog's list "
    "changes often: it says when a scope is unknown."
)

CUSTOM: Final = "custom"
"""The preset value for scopes the user types."""
DEFAULT_PRESET: Final = "read_only_access"
"""Reading what most integrations read, writing nothing (PostHog's own read-only preset)."""

PRESET_TITLES: Final[dict[str, str]] = {
    **{preset.value: preset.label for preset in PERSONAL_PRESETS},
    CUSTOM: "Custom",
}
"""PostHog's presets by job (`API_KEY_SCOPE_PRESETS`), then custom scopes."""

MAX_LABEL: Final = 40
_SCOPE: Final = re.compile(r"^(\*|[a-z][a-z_]*:(read|write))$")


@dataclass(frozen=True)
class KeySpec:
    """What the user asked for: the create call's arguments, and how they chose the scopes."""

    label: str
    scopes: tuple[str, ...]
    scoped_teams: tuple[int, ...] = ()
    """Project ids the key is limited to; empty for every project."""
    preset: str = DEFAULT_PRESET
    custom_text: str = ""
    """The custom scope list as typed."""


@dataclass(frozen=True)
class ProjectChoice:
    """A project the key can be limited to."""

    id: int
    name: str
    organization: str
    """The organization's name."""
    forbidden: bool = False
    """The organization does not let this user use personal keys."""


def label_problem(text: str) -> str | None:
    """Why a label cannot be used, or None when it can."""
    label = text.strip()
    if not label:
        return "Give the key a name, for example “Server integration”."
    if len(label) > MAX_LABEL:
        return f"At most {MAX_LABEL} characters ({len(label)} now)."
    return None


def parse_scopes(text: str) -> tuple[tuple[str, ...], str | None]:
    """Read a comma-separated scope list.

    Args:
        text: For example ``"feature_flag:read, query:read"`` or ``"*"``.

    Returns:
        The scopes, and why they cannot be used (None when the form is right). Whether an
        object exists is the server's call: its list changes, so only the form is checked here.
    """
    scopes = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not scopes:
        return scopes, "List at least one scope, such as “query:read”, or “*” for everything."
    bad = [scope for scope in scopes if not _SCOPE.match(scope)]
    if bad:
        return scopes, (
            f"Not a scope: {', '.join(bad)}. Write object:read or object:write "
            "(for example insight:read), or *."
        )
    withheld = [scope for scope in scopes if scope in WITHHELD]
    if withheld:
        return scopes, (f"PostHog does not offer {', '.join(withheld)} for personal API keys.")
    return scopes, None


class CreateKeyDialog(FocusInSight, ModalScreen[KeySpec | None]):
    """Ask for a new key's label, scopes and projects; dismisses with a `KeySpec` or None.

    Args:
        projects: Projects the key can be limited to (empty hides that part).
        warnings: Organizations' personal-key restrictions, said before they bite.
        initial: A spec to start from (after the server rejected it).
        errors: Server messages to show next to a field, by field (`label`, `scopes`, ...).
        app_url: The PostHog whose own create form is offered as the web fallback.
    """

    CSS_PATH = ["dialog.tcss", "create_key.tcss"]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="create-key-cancel"),
        Binding("ctrl+s", "submit", "Create key", id="create-key-submit"),
    ]

    def __init__(
        self,
        projects: Sequence[ProjectChoice] = (),
        *,
        warnings: Sequence[str] = (),
        initial: KeySpec | None = None,
        errors: Mapping[str, str] | None = None,
        app_url: str | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self._app_url = app_url
        self._projects = list(projects)
        self._warnings = list(warnings)
        self._initial = initial or KeySpec("", preset(DEFAULT_PRESET).scopes)
        self._errors = dict(errors or {})

    def compose(self) -> ComposeResult:
        initial = self._initial
        with VerticalScroll(id="dialog-box"):
            yield Label("Create a personal API key", id="dialog-title")
            yield Static(
                "[b]Enter[/b] or [b]Ctrl+S[/b] creates it, [b]Esc[/b] cancels.",
                id="create-key-hint",
            )
            if self._warnings:
                yield Static(
                    "\n".join(f"⚠ {escape(w)}" for w in self._warnings),
                    id="create-key-org-warning",
                    classes="warning",
                )
            yield Label("Label: what the key is for (1–40 characters)", classes="field-label")
            yield Input(
                initial.label,
                placeholder="Server integration",
                max_length=MAX_LABEL + 20,
                id="key-label",
            )
            yield Static("", id="key-label-error", classes="field-error", markup=False)
            yield Label("Scopes", classes="field-label")
            # A drop-down, as in PostHog's own form: twelve presets do not fit one line, and
            # the chosen one is always the one shown.
            yield Select(
                [(title, name) for name, title in PRESET_TITLES.items()],
                value=initial.preset if initial.preset in PRESET_TITLES else DEFAULT_PRESET,
                allow_blank=False,
                id="scope-preset",
            )
            yield Static("", id="scope-summary", markup=False)
            yield Static("", id="scope-broad", classes="warning", markup=False)
            yield Input(
                initial.custom_text,
                placeholder="object:read, object:write, … or *",
                id="key-scopes",
            )
            yield Static(OBJECTS_TEXT, id="scope-objects", markup=False)
            yield Static("", id="scope-web", markup=False)
            yield Static("", id="key-scopes-error", classes="field-error", markup=False)
            if self._projects:
                yield Label(
                    "Projects: tick some to limit the key to them (none ticked: all projects)",
                    classes="field-label",
                )
                yield SelectionList[int](
                    *(
                        Selection(
                            plain(
                                f"{p.organization} / {p.name}  #{p.id}"
                                + ("  ⚠ personal keys not allowed" if p.forbidden else "")
                            ),
                            p.id,
                            p.id in initial.scoped_teams,
                        )
                        for p in self._projects
                    ),
                    id="key-projects",
                )
                yield Static("", id="key-projects-warning", classes="warning", markup=False)
            yield Static("", id="key-other-error", classes="field-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create key", id="create", variant="primary")

    def on_mount(self) -> None:
        for selector in ("#key-label-error", "#key-scopes-error", "#key-other-error"):
            self._say(selector, "")
        for field, message in self._errors.items():
            target = {"label": "#key-label-error", "scopes": "#key-scopes-error"}.get(
                field, "#key-other-error"
            )
            self._say(target, message)
        self._refresh_form()
        focus = "#key-scopes" if "scopes" in self._errors else "#key-label"
        self.query_one(focus, Input).focus()

    # -- reading the form --------------------------------------------------------------------
    @property
    def preset(self) -> str:
        """The chosen scope preset (PostHog's name for it, or `custom`)."""
        name = self.query_one("#scope-preset", Select).value
        return name if isinstance(name, str) and name in PRESET_TITLES else DEFAULT_PRESET

    def _scopes(self) -> tuple[tuple[str, ...], str | None]:
        chosen = self.preset
        if chosen == CUSTOM:
            return parse_scopes(self.query_one("#key-scopes", Input).value)
        return preset(chosen).scopes, None

    def _scoped_teams(self) -> tuple[int, ...]:
        if not self._projects:
            return ()
        return tuple(self.query_one("#key-projects", SelectionList).selected)

    def spec(self) -> KeySpec | None:
        """The form as a spec, or None while something in it is wrong."""
        label = self.query_one("#key-label", Input).value
        scopes, problem = self._scopes()
        if label_problem(label) or problem:
            return None
        return KeySpec(
            label.strip(),
            scopes,
            self._scoped_teams(),
            self.preset,
            self.query_one("#key-scopes", Input).value,
        )

    # -- live validation ---------------------------------------------------------------------
    @on(Input.Changed, "#key-label")
    def _label_changed(self, event: Input.Changed) -> None:
        # The server's word about a value stands until the value changes.
        if event.value != self._initial.label:
            self._errors.pop("label", None)
        self._refresh_form()

    @on(Input.Changed, "#key-scopes")
    def _scopes_changed(self, event: Input.Changed) -> None:
        if event.value != self._initial.custom_text:
            self._errors.pop("scopes", None)
        self._refresh_form()

    @on(Select.Changed, "#scope-preset")
    def _preset_changed(self) -> None:
        self._refresh_form()
        if self.preset == "custom":
            self.query_one("#key-scopes", Input).focus()

    @on(SelectionList.SelectedChanged)
    def _projects_changed(self) -> None:
        self._refresh_form()

    def _refresh_form(self) -> None:
        label = self.query_one("#key-label", Input).value
        if "label" not in self._errors:
            problem = label_problem(label) if label else None
            self._say("#key-label-error", problem or "")
        chosen = self.preset
        custom = self.query_one("#key-scopes", Input)
        custom.display = chosen == CUSTOM
        self.query_one("#scope-objects").display = chosen == CUSTOM
        scopes, scope_problem = self._scopes()
        summary = self.query_one("#scope-summary", Static)
        summary.display = chosen != CUSTOM
        summary.update(f"Grants exactly: {describe(scopes)}")
        broad = self.query_one("#scope-broad", Static)
        why = preset(chosen).broad if chosen != CUSTOM else ""
        if chosen == CUSTOM and "*" in scopes:
            why = preset("all_access").broad
        broad.update(f"⚠ A broad key. {why}" if why else "")
        broad.display = bool(why)
        web = self.query_one("#scope-web", Static)
        web.display = self._app_url is not None and chosen != CUSTOM
        if self._app_url is not None and chosen != CUSTOM:
            web.update(f"Or in PostHog itself: {preset(chosen).web_url(self._app_url)}")
        if "scopes" not in self._errors:
            shown = scope_problem if chosen == CUSTOM and custom.value.strip() else None
            self._say("#key-scopes-error", shown or "")
        if self._projects:
            teams = set(self._scoped_teams())
            bad = [p for p in self._projects if p.id in teams and p.forbidden]
            warning = self.query_one("#key-projects-warning", Static)
            warning.update(
                "⚠ "
                + "; ".join(sorted({p.organization for p in bad}))
                + " does not allow members' personal API keys: this key will get 403 on "
                + ", ".join(p.name for p in bad)
                + "."
                if bad
                else ""
            )
            warning.display = bool(bad)
        self.query_one("#create", Button).disabled = self.spec() is None

    def _say(self, selector: str, text: str) -> None:
        """Show a message under a field, or hide the line when there is none."""
        widget = self.query_one(selector, Static)
        widget.update(text)
        widget.display = bool(text)

    # -- answering ---------------------------------------------------------------------------
    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#create")
    def _create(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_submit(self) -> None:
        """Create the key when the form is right; otherwise say what is wrong."""
        spec = self.spec()
        if spec is None:
            label = self.query_one("#key-label", Input).value
            self._say("#key-label-error", label_problem(label) or "")
            _, problem = self._scopes()
            self._say("#key-scopes-error", problem or "")
            return
        self.dismiss(spec)

    def action_cancel(self) -> None:
        """Close without creating anything."""
        self.dismiss(None)
