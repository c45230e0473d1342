"""Personal API keys (contract §6)."""

from __future__ import annotations

import re

import pytest

from phguide.demo import DEMO_EMAIL, TOTP_EMAIL, DemoServer
from tests.demo.helpers import Http

KEYS = "/api/personal_api_keys/"
KEY_SHAPE = {
    "id",
    "label",
    "value",
    "mask_value",
    "created_at",
    "last_used_at",
    "last_rolled_at",
    "user_id",
    "scopes",
    "scoped_teams",
    "scoped_organizations",
}
NOT_WITH_A_KEY = "This action does not support Personal API Key access"


def _new(
    session: Http, label: str = "New key", scopes: list[str] | None = None
) -> dict[str, object]:
    body = {
        "label": label,
        "scopes": scopes or ["*"],
        "scoped_teams": [],
        "scoped_organizations": [],
    }
    reply = session.post(KEYS, body)
    assert reply.status == 201, reply.text
    created: dict[str, object] = reply.json()
    return created


def test_list_is_a_plain_array_newest_first_without_values(session: Http) -> None:
    rows = session.get(KEYS).json()
    assert isinstance(rows, list) and len(rows) == 3
    assert [r["label"] for r in rows] == [
        "Analytics export",
        "CI feature flags",
        "Local development",
    ]
    assert all(set(r) == KEY_SHAPE and r["value"] is None for r in rows)
    assert all(re.fullmatch(r"phx_\.\.\.[A-Za-z0-9]{4}", r["mask_value"]) for r in rows)
    assert session.get("/api/personal_api_keys").status == 200


def test_create_returns_the_value_once(demo_server: DemoServer, session: Http) -> None:
    created = _new(session, scopes=["project:read", "user:read"])
    value = created["value"]
    assert isinstance(value, str) and re.fullmatch(r"phx_[A-Za-z0-9]{35}", value)
    assert created["mask_value"] == f"{value[:4]}...{value[-4:]}"
    assert session.get(KEYS).json()[0]["id"] == created["id"]
    assert session.get(f"{KEYS}{created['id']}/").json()["value"] is None
    # Stored hashed: the plain value is nowhere in the server's state.
    assert value not in repr(demo_server.data.keys)
    me = Http(demo_server.url, bearer=value).get("/api/users/@me/")
    assert me.json()["email"] == DEMO_EMAIL


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"scopes": ["*"]}, (400, "required", "label")),
        ({"label": "  ", "scopes": ["*"]}, (400, "blank", "label")),
        ({"label": "x" * 41, "scopes": ["*"]}, (400, "invalid_input", "label")),
        ({"label": "ok"}, (400, "required", "scopes")),
        ({"label": "ok", "scopes": ["frobnicate:read"]}, (400, "invalid_input", "scopes")),
        ({"label": "ok", "scopes": ["project:delete"]}, (400, "invalid_input", "scopes")),
        ({"label": "ok", "scopes": "*"}, (400, "invalid_input", "scopes")),
        (
            {"label": "ok", "scopes": ["*"], "scoped_teams": [5001]},
            (400, "invalid_input", "scoped_teams"),
        ),
        (
            {"label": "ok", "scopes": ["*"], "scoped_organizations": ["not-a-uuid"]},
            (400, "invalid_input", "scoped_organizations"),
        ),
    ],
)
def test_create_validation(
    session: Http, body: dict[str, object], expected: tuple[int, str, str]
) -> None:
    assert session.post(KEYS, body).error() == expected


def test_invalid_scope_detail(session: Http) -> None:
    reply = session.post(KEYS, {"label": "ok", "scopes": ["project:read", "nope:read"]})
    assert reply.json()["detail"] == "Invalid scope: nope:read"


def test_forty_character_label_is_fine(session: Http) -> None:
    assert _new(session, label="x" * 40)["label"] == "x" * 40


def test_ten_key_limit(session: Http) -> None:
    for n in range(7):
        _new(session, label=f"key {n}")
    reply = session.post(KEYS, {"label": "eleventh", "scopes": ["*"]})
    assert reply.error() == (400, "invalid_input", None)
    assert reply.json()["detail"] == (
        "You can only have 10 personal API keys. Remove an existing key before creating a new one."
    )


def test_get_patch_delete(session: Http) -> None:
    created = _new(session)
    path = f"{KEYS}{created['id']}/"
    patched = session.patch(path, {"label": "Renamed", "scopes": ["feature_flag:read"]})
    assert patched.status == 200
    assert patched.json()["label"] == "Renamed"
    assert patched.json()["scopes"] == ["feature_flag:read"]
    assert patched.json()["value"] is None
    assert session.patch(path, {"label": ""}).error() == (400, "blank", "label")
    deleted = session.delete(path)
    assert (deleted.status, deleted.body) == (204, b"")
    assert session.get(path).error() == (404, "not_found", None)


def test_roll_replaces_the_value(demo_server: DemoServer, session: Http) -> None:
    created = _new(session)
    old = str(created["value"])
    rolled = session.post(f"{KEYS}{created['id']}/roll/")
    assert rolled.status == 200
    new = rolled.json()["value"]
    assert new != old and re.fullmatch(r"phx_[A-Za-z0-9]{35}", new)
    assert rolled.json()["last_rolled_at"]
    assert Http(demo_server.url, bearer=old).get("/api/users/@me/").error() == (
        401,
        "authentication_failed",
        None,
    )
    assert Http(demo_server.url, bearer=new).get("/api/users/@me/").status == 200


def test_current_key(demo_server: DemoServer, session: Http) -> None:
    created = _new(session, scopes=["user:read"])
    keyed = Http(demo_server.url, bearer=str(created["value"]))
    current = keyed.get(f"{KEYS}@current/")
    assert current.status == 200
    assert current.json()["id"] == created["id"]
    assert current.json()["scopes"] == ["user:read"]
    assert current.json()["last_used_at"] is not None


def test_a_personal_key_cannot_manage_keys(demo_server: DemoServer, session: Http) -> None:
    created = _new(session)
    keyed = Http(demo_server.url, bearer=str(created["value"]))
    key_path = f"{KEYS}{created['id']}/"
    for reply in (
        keyed.get(KEYS),
        keyed.post(KEYS, {"label": "x", "scopes": ["*"]}),
        keyed.post(f"{key_path}roll/"),
        keyed.delete(key_path),
    ):
        assert reply.error() == (403, "permission_denied", None)
        assert reply.json()["detail"] == NOT_WITH_A_KEY


def test_writes_need_a_recent_login(demo_server: DemoServer, session: Http) -> None:
    created = _new(session)
    demo_server.clock.advance(2 * 3600 + 1)
    assert session.get(KEYS).status == 200  # reading is fine
    for reply in (
        session.post(KEYS, {"label": "x", "scopes": ["*"]}),
        session.post(f"{KEYS}{created['id']}/roll/"),
        session.patch(f"{KEYS}{created['id']}/", {"label": "y"}),
        session.delete(f"{KEYS}{created['id']}/"),
    ):
        assert reply.error() == (403, "sensitive_action_required_reauth", None)
    session.login(DEMO_EMAIL)
    assert session.post(f"{KEYS}{created['id']}/roll/").status == 200


def test_session_writes_need_csrf(session: Http) -> None:
    reply = session.post(KEYS, {"label": "x", "scopes": ["*"]}, csrf=False)
    assert reply.error() == (403, "permission_denied", None)


def test_other_users_keys_are_not_found(demo_server: DemoServer, session: Http) -> None:
    demo_server.issue_key(TOTP_EMAIL, "Tess's key")
    other_id = next(k.id for k in demo_server.data.keys.values() if k.user_email == TOTP_EMAIL)
    assert session.get(f"{KEYS}{other_id}/").error() == (404, "not_found", None)
    assert session.delete(f"{KEYS}{other_id}/").status == 404
