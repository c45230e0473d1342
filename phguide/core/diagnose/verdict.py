"""The verdict on a key: structured rows that the CLI prints and the screen colours.

Plain classes, not dataclasses, and no typing at run time: `phguide check` answers text that is
no key with these alone, and importing those two would double its start.
"""

from __future__ import annotations

TYPE_CHECKING = False  # true for type checkers; typing itself is not imported (see cli.output)
if TYPE_CHECKING:
    from typing import Any, Final, Literal, TypeAlias

    from phguide.api.key_kinds import KeyKind
    from phguide.core.hosts import Host

    Severity: TypeAlias = Literal["error", "warning"]
    WrongInput: TypeAlias = Literal["secret-key", "project-token"]
    """Which of the pair a server SDK's local evaluation takes was refused."""
    RowKind: TypeAlias = Literal["fact", "explain", "verdict", "note", "problem", "warning"]


class Problem:
    """Something wrong with the key or how it is used, and what to do about it (read-only;
    equal when the words are, so the same problem is said once)."""

    __slots__ = ("fix", "message", "severity")

    def __init__(self, message: str, fix: str, severity: Severity = "error") -> None:
        self.message: Final = message
        self.fix: Final = fix
        self.severity: Final = severity

    def _values(self) -> tuple[str, str, str]:
        return (self.message, self.fix, self.severity)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Problem):
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return f"Problem({self.message!r}, {self.fix!r}, {self.severity!r})"


class Row:
    """One line of a diagnosis: what it is (`kind`), its label, its text, and a fix
    (read-only)."""

    __slots__ = ("fix", "kind", "label", "text")

    def __init__(self, kind: RowKind, label: str, text: str, fix: str = "") -> None:
        self.kind: Final = kind
        self.label: Final = label
        self.text: Final = text
        self.fix: Final = fix


class Diagnosis:
    """The verdict on one key: what it is, whether it works, where, and what to fix (read-only).

    It never holds the key, only its mask.
    """

    __slots__ = (
        "checked",
        "host",
        "key_label",
        "kind",
        "kind_explanation",
        "kind_label",
        "last_used",
        "mask",
        "notes",
        "organizations",
        "problems",
        "projects",
        "scopes",
        "user_email",
        "valid",
        "wrong_input",
        "wrong_job",
    )

    def __init__(
        self,
        *,
        kind: KeyKind,
        kind_label: str,
        kind_explanation: str,
        mask: str,
        valid: bool | None,
        host: Host | None = None,
        checked: tuple[str, ...] = (),
        user_email: str | None = None,
        key_label: str | None = None,
        scopes: tuple[str, ...] | None = (),
        projects: tuple[str, ...] = (),
        organizations: tuple[str, ...] = (),
        last_used: str | None = None,
        notes: tuple[str, ...] = (),
        problems: tuple[Problem, ...] = (),
        wrong_job: bool = False,
        wrong_input: WrongInput | None = None,
    ) -> None:
        self.kind: Final = kind
        self.kind_label: Final = kind_label
        self.kind_explanation: Final = kind_explanation
        self.mask: Final = mask
        """The key as PostHog masks it (`phx_...abcd`)."""
        self.valid: Final = valid
        """True when a PostHog accepted it, False when it refused it, None when unknown."""
        self.host: Final = host
        """Where the key works (None when it works nowhere phguide asked, or was not checked)."""
        self.checked: Final = checked
        """The PostHogs asked, by label, in order."""
        self.user_email: Final = user_email
        self.key_label: Final = key_label
        """A personal key's label, as its owner named it."""
        self.scopes: Final = scopes
        """The key's scopes; None when PostHog did not say. Empty means no access."""
        self.projects: Final = projects
        """The projects the key is scoped to or can see, as "Name (id N)"."""
        self.organizations: Final = organizations
        self.last_used: Final = last_used
        """When a personal key was last used (ISO 8601, as PostHog says it)."""
        self.notes: Final = notes
        self.problems: Final = problems
        self.wrong_job: Final = wrong_job
        """True when the user said what the key is for, and this kind of key cannot do it."""
        self.wrong_input: Final = wrong_input
        """For a secret key checked with a project token: which of the two was refused."""

    @property
    def works(self) -> bool:
        """True when the key works, for the job it was named for, with what came with it."""
        return self.valid is True and not self.wrong_job and self.wrong_input is None

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the key from doing its job."""
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def verdict(self) -> str:
        """One line: works, works elsewhere, refused, or unknown."""
        if self.valid is None:
            return "Not checked live." if not self.checked else "Could not be checked."
        if self.kind == "unknown" and not self.checked:
            return "Not a PostHog key."
        where = self.host.label if self.host else "PostHog"
        if self.wrong_input == "project-token":
            return f"The secret key works on {where}, but the project token is wrong."
        if not self.valid:
            refused = f"Refused by {' and '.join(self.checked)}" if self.checked else "Not valid"
            if self.wrong_input == "secret-key":
                return f"{refused}: the secret key is not accepted."
            return f"{refused}."
        if self.host is not None and self.checked and self.checked[0] != self.host.label:
            return f"Works, but on {where}, not on {self.checked[0]}."
        return f"Works on {where}."

    def rows(self, *, explain: bool = True) -> list[Row]:
        """The diagnosis as structured rows, for the terminal and the screen alike.

        Args:
            explain: Include what this kind of key is for.
        """
        rows = [Row("fact", "Key", self.mask), Row("fact", "Type", self.kind_label)]
        if explain:
            rows.append(Row("explain", "", self.kind_explanation))
        rows.append(Row("verdict", "Verdict", self.verdict))
        if self.host is not None:
            where = f"{self.host.label} ({_host_url(self.host, self.kind)})"
            rows.append(Row("fact", "Host", where))
        scopes: str | None = None
        if self.scopes is not None and self.kind == "personal" and self.valid:
            from phguide.core.scopes import describe  # only a key checked live has scopes

            scopes = describe(self.scopes)
        elif self.scopes:
            scopes = ", ".join(self.scopes)
        for label, value in (
            ("User", self.user_email),
            ("Label", self.key_label),
            ("Scopes", scopes),
            ("Projects", ", ".join(self.projects) if self.projects else None),
            ("Orgs", ", ".join(self.organizations) if self.organizations else None),
            ("Last used", _when(self.last_used) if self.last_used else None),
        ):
            if value:
                rows.append(Row("fact", label, value))
        rows.extend(Row("note", "Note", note) for note in self.notes)
        for problem in self.problems:
            kind: RowKind = "problem" if problem.severity == "error" else "warning"
            word = "Problem" if problem.severity == "error" else "Warning"
            rows.append(Row(kind, word, problem.message, problem.fix))
        return rows

    def to_lines(self, *, explain: bool = True) -> list[str]:
        """The rows as plain lines, for the terminal (escape before any markup)."""
        lines: list[str] = []
        for row in self.rows(explain=explain):
            if row.kind == "explain":
                lines.append(f"{'':12}{row.text}")
                continue
            lines.append(f"{row.label + ':':<11} {row.text}")
            if row.fix:
                lines.append(f"  Fix:      {row.fix}")
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The diagnosis as JSON-ready data."""
        host = None
        if self.host is not None:
            host = {
                "label": self.host.label,
                "region": self.host.region,
                "app_url": self.host.app_url,
                "ingest_url": self.host.ingest_url,
            }
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "explanation": self.kind_explanation,
            "mask": self.mask,
            "valid": self.valid,
            "verdict": self.verdict,
            "wrong_job": self.wrong_job,
            "wrong_input": self.wrong_input,
            "host": host,
            "checked": list(self.checked),
            "user": self.user_email,
            "label": self.key_label,
            "scopes": None if self.scopes is None else list(self.scopes),
            "projects": list(self.projects),
            "organizations": list(self.organizations),
            "last_used": self.last_used,
            "notes": list(self.notes),
            "problems": [
                {"message": p.message, "fix": p.fix, "severity": p.severity} for p in self.problems
            ],
        }

    def to_json(self) -> str:
        """The diagnosis as a JSON document."""
        import json  # here: `phguide check` on text that is no key starts without it

        return json.dumps(self.as_dict(), indent=2)


def _host_url(host: Host, kind: KeyKind) -> str:
    return host.ingest_url if kind == "project" else host.app_url


def _when(iso: str) -> str:
    # Here: the times (datetime) load only for a key that was checked live.
    from datetime import UTC

    from phguide.core.when import ago, parse_time

    moment = parse_time(iso)
    if moment is None:
        return iso
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({ago(moment)})"


class Found:
    """What the live checks learned (mutable while they run)."""

    __slots__ = (
        "checked",
        "forbidden",
        "host",
        "key_label",
        "last_used",
        "notes",
        "organizations",
        "problems",
        "projects",
        "scopes",
        "user_email",
        "valid",
        "wrong_input",
    )

    def __init__(self, notes: list[str] | None = None) -> None:
        self.valid: bool | None = None
        self.host: Host | None = None
        self.checked: list[str] = []
        self.user_email: str | None = None
        self.key_label: str | None = None
        self.scopes: tuple[str, ...] | None = ()
        self.projects: list[str] = []
        self.organizations: list[str] = []
        self.last_used: str | None = None
        self.notes: list[str] = [] if notes is None else notes
        self.problems: list[Problem] = []
        self.forbidden: dict[str, Problem] = {}
        """Organization name -> the problem already said about its ban on personal keys."""
        self.wrong_input: WrongInput | None = None
        """A secret key's pair check: which input was refused."""

    def add(self, problem: Problem) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def add_forbidden(self, organization: str, problem: Problem) -> None:
        """Say once per organization that it bans personal keys (a refusal beats a warning)."""
        earlier = self.forbidden.get(organization)
        if earlier is not None:
            if earlier.severity == "warning" and problem.severity == "error":
                self.problems[self.problems.index(earlier)] = problem
                self.forbidden[organization] = problem
            return
        self.forbidden[organization] = problem
        self.add(problem)
