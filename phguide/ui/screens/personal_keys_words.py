"""What step 4 says: why keys cannot be listed, their count, the questions before a create,
roll or delete, and what each outcome left.

The change itself and its outcome come from `core/key_changes`; the screen runs it in a worker.
"""

from __future__ import annotations

from typing import Final, Literal

from textual.content import Content

from phguide.api.errors import PostHogError
from phguide.api.models import Organization, PersonalApiKey
from phguide.core import key_changes
from phguide.core.state import METHOD_WORDS, FreshKey, Session
from phguide.ui.dialogs.confirm import ConfirmDialog
from phguide.ui.dialogs.create_key import CreateKeyDialog, KeySpec, ProjectChoice
from phguide.ui.safe import content

MAX_KEYS: Final = 10
"""PostHog's limit of personal keys per user."""

SPEC_FIELDS: Final = frozenset({"label", "scopes", "scoped_teams", "scoped_organizations"})
"""The create form's fields: an invalid-input error on one of them goes back to the form."""

Change = Literal["roll", "delete"]
"""A change to a listed key."""

Said = tuple[str | Content, str | Content]
"""What the problem box says: what happened (in bold) and what to do."""

Lost = key_changes.CreatedButValueLost[PersonalApiKey] | key_changes.NotCreated
"""The outcomes where the answer was lost and listing again told what happened."""


def key_session_text(session: Session) -> Content:
    """Why a sign-in with a personal key cannot list keys, and the two ways on."""
    how = METHOD_WORDS.get(session.method, "a personal API key")
    key = session.personal_key
    which = f" “{session.personal_key_label}”" if session.personal_key_label else ""
    if key is not None:
        which += f" ({key.masked})"
    return content(
        "[b]Your keys cannot be listed with this sign-in.[/b]\n\n"
        f"You are signed in with {how}$which. PostHog lets only an email-and-password "
        "sign-in list, create, roll or delete personal API keys: a request made with a "
        "personal key gets “This action does not support Personal API Key access”.\n\n"
        "Press [b]o[/b] to open Account settings → Personal API keys in your browser "
        "($url), or [b]l[/b] to log in with your email and password.",
        which=which,
        url=session.host.personal_keys_url(),
    )


def count_text(count: int) -> str:
    """How many keys there are of PostHog's limit, and what can be done (markup)."""
    text = f"[b]{count} of {MAX_KEYS} keys[/b]"
    if count >= MAX_KEYS:
        return text + (
            " — PostHog allows no more: delete one you no longer use ([b]d[/b]) before "
            "creating another (rolling one frees no slot)."
        )
    if count >= MAX_KEYS - 2:
        return text + f" — {MAX_KEYS - count} more can be created."
    return text + "   [b]n[/b] create  [b]r[/b] roll  [b]d[/b] delete  [b]o[/b] open in browser"


def restricted_orgs(session: Session | None) -> list[Organization]:
    """Organizations that forbid this user's personal keys (admins are not restricted)."""
    if session is None or session.user is None:
        return []
    return [
        org
        for org in session.user.organizations
        if not org.members_can_use_personal_api_keys and not org.is_admin
    ]


def org_warning(org: Organization) -> str:
    """Why a key of this user's gets 403 on `org`'s projects, and who can change that."""
    return (
        f"{org.name} does not allow members to use personal API keys: a key of yours gets "
        "“403 … does not allow using personal API keys” on its projects. Ask one of its "
        "admins to turn on “Members can use personal API keys”."
    )


def why_not_create(count: int, fresh: FreshKey | None) -> str | None:
    """Why `n` cannot create a key now, in words, or None when it can."""
    if count >= MAX_KEYS:
        return (
            f"You have {MAX_KEYS} of {MAX_KEYS} personal API keys, PostHog's limit: delete "
            "one you no longer use (d) before creating another."
        )
    if fresh is not None and not fresh.safe:
        return (
            f"First save (s), or copy, store and confirm (i) the new key “{fresh.label}”: "
            "PostHog will never show it again."
        )
    return None


def create_dialog(
    session: Session | None, initial: KeySpec | None, errors: dict[str, str]
) -> CreateKeyDialog:
    """The form asking a new key's label, scopes and projects (`errors` next to its fields)."""
    restricted = restricted_orgs(session)
    warnings = [
        f"{org.name} does not allow members' personal API keys: this key will get 403 "
        "on its projects."
        for org in restricted
    ]
    return CreateKeyDialog(
        _project_choices(session, {org.id for org in restricted}),
        warnings=warnings,
        initial=initial,
        errors=errors,
        app_url=session.host.app_url if session else None,
    )


def confirm_dialog(what: Change, key: PersonalApiKey) -> ConfirmDialog:
    """The warning before rolling or deleting `key`."""
    if what == "roll":
        return ConfirmDialog(
            f"Roll “{key.label}”?",
            f"The key {key.mask_value} gets a new value, shown once. The old value stops "
            "working at once: everything that uses it fails until you put the new one in. "
            "If your keyring holds this key, the new value replaces the old one there.",
            yes="Roll key",
            no="Cancel",
            danger=True,
        )
    return ConfirmDialog(
        f"Delete “{key.label}”?",
        f"The key {key.mask_value} stops working at once, for good. This cannot be undone. "
        "If your keyring holds this key, its entry is removed.",
        yes="Delete key",
        no="Cancel",
        danger=True,
    )


def create_unknown(label: str, outcome: key_changes.Unknown) -> Said:
    """A create whose answer was lost, and listing again failed too."""
    reason = outcome.check_error.message if outcome.check_error else "no answer"
    return (
        content("Creating “$label” failed: $why", label=label, why=outcome.error.message),
        content(
            "phguide could not check whether it was created ($reason). Press [b]F5[/b] to "
            "list your keys: if it is there, its value was lost in transit: roll it or "
            "delete it.",
            reason=reason,
        ),
    )


def create_lost(label: str, outcome: Lost) -> Said:
    """A create whose answer was lost, settled by listing again."""
    why = outcome.error.message
    if isinstance(outcome, key_changes.CreatedButValueLost):
        return (
            content(
                "The key “$label” was created, but its value was lost in transit ($why).",
                label=label,
                why=why,
            ),
            content(
                "PostHog cannot show it again: roll it ([b]r[/b], selected below) to get a new "
                "value, or delete it ([b]d[/b])."
            ),
        )
    return (
        content("The key “$label” was not created ($why).", label=label, why=why),
        content("Nothing changed on the server. Press [b]n[/b] to try again."),
    )


def change_unknown(doing: str, label: str, outcome: key_changes.Unknown) -> Said:
    """A roll or delete whose answer was lost, and listing again failed too."""
    again = outcome.check_error.message if outcome.check_error else "no answer"
    return (
        content(
            "$doing “$label” failed: $why", doing=doing, label=label, why=outcome.error.message
        ),
        content(
            "phguide could not check what happened ($again). Press [b]F5[/b] to list your keys.",
            again=again,
        ),
    )


def change_lost(what: Change, label: str, outcome: Lost) -> Said:
    """A roll or delete whose answer was lost, settled by listing again."""
    if isinstance(outcome, key_changes.CreatedButValueLost):
        text = content(
            "“$label” was rolled, but its new value was lost in transit: the old value no "
            "longer works. Roll it again ([b]r[/b]) to get a value you can see.",
            label=label,
        )
    elif what == "delete":
        text = content("“$label” was not deleted: try again.", label=label)
    else:
        text = content("“$label” was not rolled: its value still works. Try again.", label=label)
    return outcome.error.message, text


def deleted_lost(label: str, lost: PostHogError, kept: str) -> Said:
    """A delete whose answer was lost, which listing again showed done."""
    return (
        content("“$label” was deleted.", label=label),
        content(
            "The answer was lost ($why), but PostHog no longer lists the key. $kept",
            why=lost.message,
            kept=kept,
        ),
    )


def _project_choices(session: Session | None, restricted: set[str]) -> list[ProjectChoice]:
    if session is None or session.projects is None:
        return []
    return [
        ProjectChoice(p.id, p.name, org.organization.name, org.organization.id in restricted)
        for org in session.projects
        for p in org.projects
    ]
