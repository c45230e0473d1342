"""Step 3: the user's organizations and projects, and the chosen project's public API key."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from phguide.core.secret import Secret
from phguide.core.state import METHOD_WORDS, Resuming, Session
from phguide.core.text import clean
from phguide.ui.hanging import Hanging
from phguide.ui.safe import content, escape
from phguide.ui.screens.signed_in import Phase, SignedInStep
from phguide.ui.widgets.busy import Busy
from phguide.ui.widgets.project_list import ProjectIndex, ProjectList
from phguide.ui.widgets.secret_field import KeyBox

if TYPE_CHECKING:
    from phguide.api.models import OrgProjects, Project
    from phguide.core.hosts import Host
    from phguide.system.config import ProjectMemo


class ProjectKeyScreen(SignedInStep):
    """The guide's "Project settings" and "Project API key" steps, done for real.

    While the list loads, the current project's key is shown already (`/api/users/@me/` holds
    it): the loading phase then shows the ready pane with the list loading, not the loading pane.
    """

    CSS_PATH = "project_key.tcss"

    STEP_ID = "project-key"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_key", "Copy key", id="copy-project-key"),
        Binding("o", "open_web", "Open in browser", id="open-project-settings"),
        Binding("s", "secret_keys", "Secret keys", id="project-secret-keys"),
        Binding("slash", "focus_filter", "Filter", id="filter-projects"),
        Binding("r", "reload", "Reload", id="reload-projects"),
        # Signed out, Enter goes to Log in (the footer shows ⏎); signed in, only l does.
        Binding("enter,l", "log_in('signed-out')", "Log in", id="project-key-enter-log-in"),
        Binding("l", "log_in", "Log in", id="project-key-log-in"),
        Binding("escape", "stop_loading", "Stop", id="stop-listing-projects"),
        Binding("escape", "leave_filter", "To the list", id="leave-filter"),
        Binding("down", "leave_filter", "To the list", show=False, id="leave-filter-down"),
    ]

    # The types by name: the API's models and the settings load after a returning user's first
    # frame, which this step can be.
    shown: reactive[Project | None] = reactive["Project | None"](None, bindings=True, init=False)
    """The project whose key is on show."""
    remembered: reactive[ProjectMemo | None] = reactive["ProjectMemo | None"](
        None, bindings=True, init=False
    )
    """The project key remembered from last time, on show while no session confirms it."""

    INTRO = (
        "In PostHog's web app this is [b]Project settings → Project API key[/b], the "
        "[b]project token[/b] (the gear icon in the left sidebar, or click the project name at the "
        "top of the sidebar and select Project settings). phguide has fetched it: pick a project, "
        "press [b]c[/b] to copy its key."
    )
    SIGNED_OUT = (
        "[b]Log in first.[/b]\n\n"
        "phguide lists your organizations and projects once you are signed in, and shows each "
        "project's API key (the public [b]phc_…[/b] key your SDKs use).\n\n"
        "Press [b]l[/b] to go to [b]Log in[/b]."
    )
    LOADING = "Listing your organizations and projects…"
    LISTING = "Listing your projects…"
    """What the list's column says while the list loads beside the key."""

    def __init__(self) -> None:
        super().__init__()
        self._index = ProjectIndex([])
        self._org_names: dict[str, str] = {}
        self._scoped = False
        self._list_note = ""
        """What the listing says of organizations it could not list (shown while unfiltered)."""

    def compose_body(self) -> ComposeResult:
        resuming = self.state.resuming
        if resuming is not None and self.state.session is None:
            # Composed in the phase a returning user's first frame shows (last time's key, the
            # sign-in under way): no pane switched and restyled before that frame.
            self.set_reactive(ProjectKeyScreen.remembered, resuming.project)
            self.set_reactive(ProjectKeyScreen.phase, "loading")
        yield from super().compose_body()

    def compose_ready(self) -> ComposeResult:
        with Horizontal(id="project-key-main"):
            loading = "-loading" if self.phase == "loading" else ""
            with Vertical(id="project-key-projects", classes=loading):
                yield Busy(self.LISTING, id="project-list-loading", text_id="project-list-busy")
                if self.remembered is None:  # (else they come with the listing: `_list_mounted`)
                    yield from self._list_widgets()
                yield Static("", id="project-list-note", markup=False)
            with Vertical(id="project-key-detail"):
                yield KeyBox(
                    "Project API key (project token)",
                    secret=False,
                    placeholder="Pick a project on the left.",
                    id="project-key-box",
                )
                yield Static("", id="project-key-facts")
                yield Static(
                    "[b]c[/b] copy the key   [b]o[/b] open this page in PostHog\n"
                    "[dim]Public: safe in frontend code and version control. It can send "
                    "events, not read your data.[/dim]",
                    id="project-key-hint",
                )
                yield Static("", id="project-key-scoped", classes="notice")

    def _list_widgets(self) -> list[Widget]:
        return [
            Input(placeholder="Filter: name, id, organization  (/)", id="project-filter"),
            ProjectList(id="project-list"),
        ]

    async def _list_mounted(self) -> None:
        """Mount the filter and the list if the step was composed without them.

        A returning user's first frame is this step with last time's key and no list to show
        yet: the two widgets it would not show cost that frame about 13 ms.
        """
        if not self.query("#project-list"):
            column = self.query_one("#project-key-projects")
            await column.mount_all(self._list_widgets(), after="#project-list-loading")

    # -- state ------------------------------------------------------------------------------
    def refresh_from_state(self) -> None:
        resuming = self.state.resuming
        if self.state.session is None and resuming is not None:
            self._show_remembered(resuming)
            return
        self.remembered = None
        super().refresh_from_state()

    def _show_remembered(self, resuming: Resuming) -> None:
        """A returning user's project key from last time, while PostHog checks the saved key.

        Once the key has not signed in, the remembered project key stays (`c` copies it, said
        to be unconfirmed) below what went wrong.
        """
        memo, host = resuming.project, resuming.host
        self.loaded_for = None
        self.query_one("#project-key-box", KeyBox).value = Secret(memo.api_token)
        how = (
            "PostHog is checking your saved key" if resuming.failed is None else "not confirmed now"
        )
        who = escape(clean(resuming.email))
        self.query_one("#project-key-facts", Static).update(
            f"{_facts(memo.name, memo.id, None, host)}\n"
            f"[dim]Remembered from your last visit as {who}: {how}.[/dim]"
        )
        self.remembered = memo
        if resuming.failed is None:
            self.problem.clear()
            self.query_one("#project-list-busy", Static).update("Checking your saved key…")
            self.phase = "loading"
        else:
            message, fix = resuming.failed
            self.problem.show(message, content("$fix", fix=fix))
            self.phase = "error"

    def start(self, session: Session) -> None:
        # The key @me brought shows in the step's first frame: the listing's worker starts a
        # cycle later, and a frame without it would say "Log in first" to a signed-in user.
        for busy in self.query("#project-list-busy").results(Static):
            busy.update(self.LISTING)  # (not mounted yet, it is composed saying so)
        self._show_known_key(session)
        self.phase = "loading"
        self._load(session)

    def again(self, session: Session) -> None:
        self._show_project(session.selected_project)

    def pane(self, phase: Phase) -> str | None:
        if phase == "loading" and self.shown is not None:
            return "project-key-main"  # the key while its list loads
        if phase in ("loading", "error") and self.remembered is not None:
            return "project-key-main"  # last time's key while (or after) the sign-in checks it
        return super().pane(phase)

    def watch_shown(self) -> None:
        self.show_phase()

    def watch_remembered(self) -> None:
        self.show_phase()

    def show_phase(self) -> None:
        super().show_phase()
        # While loading with the key shown, the list is what loads; no list when the key
        # shown is last time's and the sign-in failed.
        for column in self.query("#project-key-projects"):
            column.set_class(self.phase == "loading", "-loading")
            column.set_class(self.phase == "error" and self.remembered is not None, "-none")

    def _show_error(self, message: str, fix: str) -> None:
        again = "Press [b]r[/b] to try again"
        if self.state.session is None or not self.state.session.can_manage_keys:
            again += ", or [b]l[/b] to log in again"
        self.problem.show(message, content(f"$fix\n\n{again}.", fix=fix))
        self.phase = "error"

    # -- loading ----------------------------------------------------------------------------
    @work(exclusive=True, group="projects", exit_on_error=False, description="load")
    async def _load(self, session: Session) -> None:
        """List every organization's projects (or, for a project-scoped key, its project)."""
        self.problem.clear()
        self._show_known_key(session)
        self.phase = "loading"
        from phguide.api.errors import PostHogError

        try:
            await self._list_mounted()
            orgs, scoped = await self._fetch(session)
        except PostHogError as error:
            if session is self.state.session:
                self._show_error(error.message, error.fix)
            return
        except Exception:  # the worker boundary: never a traceback on screen
            if session is self.state.session:
                self._show_error(
                    "Something unexpected went wrong while listing your projects.",
                    "Try again; if it keeps happening, log in again.",
                )
            return
        if session is not self.state.session:
            return  # signed out or in again meanwhile: that session's own load shows it
        session.projects = orgs
        # The answer can come before the step's widgets are mounted, or as the app quits.
        self.show_once_mounted(partial(self._show_listing, session, orgs, scoped))

    def _show_known_key(self, session: Session) -> None:
        """Show the current project's key while the listing loads.

        `/api/users/@me/` already holds it (`team.api_token`): the key must not wait for every
        organization's projects, which can take many round trips.
        """
        user = session.user
        project = session.selected_project or (user.team if user is not None else None)
        if project is None:
            self._show_project(None)
            return
        if user is not None and user.organization is not None:
            self._org_names.setdefault(user.organization.id, user.organization.name)
        self._select(project)

    async def _fetch(self, session: Session) -> tuple[list[OrgProjects], bool]:
        """Fetch what the session can see; True as second value when the key is scoped."""
        from phguide.core.visibility import what_can_see

        selected = session.selected_project
        seen = await what_can_see(
            session.client,
            user=session.user,
            project_id=selected.id if selected is not None else None,
        )
        if seen.user is not None:
            session.user = seen.user
        return list(seen.organizations), seen.scoped

    def _show_listing(self, session: Session, orgs: list[OrgProjects], scoped: bool) -> None:
        user = session.user
        current = user.team.id if user is not None and user.team is not None else None
        self._index = ProjectIndex(orgs, current)
        self._org_names = {org.organization.id: org.organization.name for org in orgs}
        self._scoped = scoped
        forbidden = [org for org in orgs if org.error]
        note = "\n".join(f"⚠ {org.organization.name}: {org.error}" for org in forbidden)
        self._list_note = note
        self.query_one("#project-list-note", Static).update(Hanging(Content(note)))
        self.query_one("#project-list-note").display = bool(note)
        self.query_one("#project-key-scoped", Static).update(self._scoped_text(session))
        self.query_one("#project-key-scoped").display = scoped
        self.query_one("#project-filter", Input).value = ""
        self.phase = "ready"
        keep = session.selected_project.id if session.selected_project is not None else current
        project_list = self.query_one(ProjectList)
        project_list.set_rows(self._index.rows(), keep=keep)
        if session.selected_project is None and project_list.highlighted is not None:
            self._select(project_list.highlighted)
        self._show_project(session.selected_project)
        # Without a scroll: the ready phase shows from its top (the filter, then the list). Textual
        # scrolls a focused widget into view just after focusing, before or after this phase is
        # laid out depending on timing, so the body could start scrolled on a slow machine.
        project_list.focus(scroll_visible=False)

    def _scoped_text(self, session: Session) -> str:
        how = METHOD_WORDS.get(session.method, "a personal API key")
        label = f" (“{escape(session.personal_key_label)}”)" if session.personal_key_label else ""
        return (
            f"[b]Only this project is listed.[/b] You signed in with {how}{label}, which is "
            "scoped to one project: PostHog does not let a project-scoped key list an "
            "organization's projects. To get another project's key, approve again in the "
            "browser and pick that project, or press [b]l[/b] to log in with your email and "
            "password."
        )

    # -- the list ----------------------------------------------------------------------------
    @on(Input.Changed, "#project-filter")
    def _filter(self, event: Input.Changed) -> None:
        session = self.state.session
        keep = session.selected_project.id if session and session.selected_project else None
        rows = self._index.rows(event.value)
        self.query_one(ProjectList).set_rows(rows, keep=keep)
        note = self.query_one("#project-list-note", Static)
        if event.value.strip() and not rows:
            note.update(f"No project matches “{event.value.strip()}”.")
            note.display = True
        else:
            # The note belongs to the filter typed: with none, the listing's own note is back.
            note.update(Hanging(Content(self._list_note)))
            note.display = bool(self._list_note) and not event.value.strip()

    @on(Input.Submitted, "#project-filter")
    def _filter_done(self) -> None:
        self.query_one(ProjectList).focus()

    @on(ProjectList.Highlighted)
    def _highlighted(self, event: ProjectList.Highlighted) -> None:
        self._select(event.project)

    @on(ProjectList.Selected)
    def _chosen(self, event: ProjectList.Selected) -> None:
        self._select(event.project)

    def _select(self, project: Project) -> None:
        session = self.state.session
        if session is None:
            return
        session.selected_project = project
        self._show_project(project)

    def _show_project(self, project: Project | None) -> None:
        session = self.state.session
        self.shown = project if session is not None else None
        try:
            box = self.query_one("#project-key-box", KeyBox)
            facts = self.query_one("#project-key-facts", Static)
        except NoMatches:  # not mounted yet (a busy machine): show it once it is
            self.call_after_refresh(self._show_project, project)
            return
        if project is None or session is None:
            box.value = None
            facts.update("")
            return
        box.value = Secret(project.api_token)
        org = self._org_names.get(project.organization, "")
        facts.update(_facts(project.name, project.id, org, session.host))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        # The last boundary: a bug in a worker says so on screen instead of vanishing.
        if event.state == WorkerState.ERROR and event.worker.group == "projects":
            self.show_once_mounted(
                partial(
                    self._show_error,
                    "Something unexpected went wrong while listing your projects.",
                    "Try again; if it keeps happening, log in again.",
                )
            )

    # -- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.state.session
        phase = self.phase
        if action in ("copy_key", "open_web"):
            # While the list loads, the current project's key is already shown (from @me).
            shown = phase in ("ready", "loading") and self.shown is not None
            return shown or self.remembered is not None
        if action == "secret_keys":
            return phase == "ready" and self.shown is not None
        if action == "stop_loading":
            return phase == "loading" and self.remembered is None
        if action == "focus_filter":
            return phase == "ready"
        if action == "leave_filter":
            # By id: the phase is set before a busy machine has mounted the filter.
            focused = self.focused
            return phase == "ready" and focused is not None and focused.id == "project-filter"
        if action == "reload":
            return session is not None and phase != "loading"
        if action == "log_in":
            if parameters:  # Enter or l while signed out
                return session is None
            return session is not None and (not session.can_manage_keys or phase == "error")
        return True

    def action_copy_key(self) -> None:
        """Copy the selected project's API key (public: not cleared from the clipboard)."""
        session = self.state.session
        memo = self.remembered
        if session is None and memo is not None:
            what = "the project API key remembered from your last visit (not confirmed now)"
            self.guide.copy_text(memo.api_token, secret=False, what=what)
            return
        if session is None or session.selected_project is None:
            return
        token = session.selected_project.api_token
        self.guide.copy_text(token, secret=False, what="the project API key")

    def action_open_web(self) -> None:
        """Open the project's settings page in PostHog."""
        session, resuming = self.state.session, self.state.resuming
        if session is None:
            if resuming is not None:
                self.guide.open_page(resuming.host.project_settings_url(resuming.project.id))
            return
        project = session.selected_project
        url = session.host.project_settings_url(project.id if project else None)
        self.guide.open_page(url)

    def action_secret_keys(self) -> None:
        """Open the selected project's secret API keys (phs_)."""
        from phguide.ui.dialogs.secret_keys import SecretKeysDialog

        session = self.state.session
        if session is not None and session.selected_project is not None:
            self.app.push_screen(SecretKeysDialog(session, session.selected_project))

    def action_focus_filter(self) -> None:
        """Put the cursor in the filter box."""
        self.query_one("#project-filter", Input).focus()

    def action_stop_loading(self) -> None:
        """Stop a listing that takes too long (a slow or rate-limited server)."""
        self.workers.cancel_group(self, "projects")
        session = self.state.session
        if session is not None and session.projects is not None:
            # Listing again (r): the list from before is still right to show.
            self.phase = "ready"
            self.guide.say("Stopped listing your projects again: this is the list from before.")
            return
        self._show_error(
            "You stopped listing your projects.", "A slow answer can mean PostHog is busy."
        )

    def action_leave_filter(self) -> None:
        """Go from the filter box to the list (the number keys work again there)."""
        self.query_one(ProjectList).focus()

    def action_reload(self) -> None:
        """List the organizations and projects again."""
        session = self.state.session
        if session is not None:
            self.loaded_for = session
            self._load(session)

    def action_log_in(self, _how: str = "") -> None:
        """Go to the Log in step."""
        self.guide.action_go("log-in")


def _facts(name: str, project_id: int, org: str | None, host: Host) -> str:
    """The facts beside a project's key (phguide's markup; `org` None: not known to say)."""
    rows = [("Project", f"{escape(name)}  [dim]id {project_id}[/dim]")]
    if org is not None:
        rows.append(("Organization", escape(org) if org else "[dim]unknown[/dim]"))
    rows.append(("Ingestion host", escape(host.ingest_url)))
    rows.append(("Web page", escape(host.project_settings_url(project_id))))
    return "\n".join(f"[b]{label:<15}[/b]{value}" for label, value in rows)
