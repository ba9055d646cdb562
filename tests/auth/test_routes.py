"""Login, sessions, bearer tokens, password changes and user management."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.models import ApiToken, User
from app.common.models import utcnow
from app.extensions import db
from tests.factories import PASSWORD


def test_login_sets_secure_cookie_and_returns_user(client, world):
    resp = client.post("/api/v1/auth/login", json={"username": "assistant_a", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["username"] == "assistant_a"
    assert body["roles"] == ["assistant"]
    assert [p["id"] for p in body["properties"]] == [world.a.prop.id]
    assert "password" not in body and "password_hash" not in body
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert client.get("/api/v1/me").get_json()["username"] == "assistant_a"


@pytest.mark.parametrize(
    "username,password",
    [
        ("assistant_a", "wrong-password"),
        ("nobody", PASSWORD),
        ("assistant_a", ""),
    ],
)
def test_bad_credentials_are_401(client, world, username, password):
    resp = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert resp.status_code == 401
    assert resp.get_json()["detail_zh"] == "用户名或密码错误"
    assert client.get("/api/v1/me").status_code == 401


def test_logout_ends_session(login, world):
    client = login(world.a.users["assistant"])
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_deactivated_user_cannot_log_in_and_loses_session(login, world):
    victim = login(world.a.users["assistant"])
    admin = login(world.a.users["admin"])
    assert admin.delete(f"/api/v1/users/{world.a.users['assistant'].id}").status_code == 204
    assert victim.get("/api/v1/me").status_code == 401
    resp = victim.post("/api/v1/auth/login", json={"username": "assistant_a", "password": PASSWORD})
    assert resp.status_code == 401


def test_admin_cannot_deactivate_self(login, world):
    admin = login(world.a.users["admin"])
    resp = admin.delete(f"/api/v1/users/{world.a.users['admin'].id}")
    assert resp.status_code == 409
    assert admin.get("/api/v1/me").status_code == 200


def test_token_from_credentials_works_as_bearer(client, world):
    resp = client.post(
        "/api/v1/auth/tokens",
        json={"username": "supervisor_a", "password": PASSWORD, "name": "nightly report"},
    )
    assert resp.status_code == 201
    token = resp.get_json()["token"]
    stored = db.session.query(ApiToken).one()
    assert token not in stored.token_hash  # only a hash is kept
    fresh = client.application.test_client()
    me = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json()["username"] == "supervisor_a"


def test_token_for_logged_in_user(login, world):
    client = login(world.a.users["admin"])
    resp = client.post("/api/v1/auth/tokens", json={"name": "import script", "days": 1})
    assert resp.status_code == 201
    assert resp.get_json()["token_type"] == "Bearer"


def test_token_needs_credentials_or_session(client, world):
    assert client.post("/api/v1/auth/tokens", json={"name": "x"}).status_code == 401
    resp = client.post("/api/v1/auth/tokens", json={"username": "admin_a", "password": "bad"})
    assert resp.status_code == 401


@pytest.mark.parametrize("spoil", ["expire", "revoke", "garbage"])
def test_invalid_tokens_are_401(client, world, spoil):
    resp = client.post("/api/v1/auth/tokens", json={"username": "admin_a", "password": PASSWORD})
    token = resp.get_json()["token"]
    stored = db.session.query(ApiToken).one()
    if spoil == "expire":
        stored.expires_at = utcnow() - timedelta(seconds=1)
    elif spoil == "revoke":
        stored.revoked = True
    else:
        token = token + "x"
    db.session.commit()
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401


def test_own_password_change_ends_other_sessions(login, world):
    user = world.a.users["assistant"]
    phone, laptop = login(user), login(user)
    resp = laptop.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "brand-new-pass"}
    )
    assert resp.status_code == 204
    assert laptop.get("/api/v1/me").status_code == 200
    assert phone.get("/api/v1/me").status_code == 401
    login(user, "brand-new-pass")


def test_password_change_checks_current_and_strength(login, world):
    client = login(world.a.users["assistant"])
    resp = client.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": "brand-new-pass"}
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["current_password"]
    resp = client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["new_password"]


def test_admin_resets_password(login, world):
    admin = login(world.a.users["admin"])
    target = world.a.users["staff"]
    resp = admin.patch(f"/api/v1/users/{target.id}", json={"password": "reset-by-admin"})
    assert resp.status_code == 200
    login(target, "reset-by-admin")


def test_staff_needs_a_department_of_their_property(login, world):
    admin = login(world.a.users["admin"])
    base = {
        "username": "fixer",
        "display_name": "修理工",
        "role": "staff",
        "property_ids": [world.a.prop.id],
        "password": "long-enough-1",
    }
    resp = admin.post("/api/v1/users", json=base)
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["department_id"]
    resp = admin.post("/api/v1/users", json={**base, "department_id": world.b.department.id})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["department_id"]
    resp = admin.post("/api/v1/users", json={**base, "department_id": world.a.department.id})
    assert resp.status_code == 201
    assert resp.get_json()["department"]["code"] == "ENG"
    login(db.session.get(User, resp.get_json()["id"]), "long-enough-1")


def test_duplicate_username_is_409(login, world):
    admin = login(world.a.users["admin"])
    resp = admin.post(
        "/api/v1/users",
        json={
            "username": "assistant_b",
            "display_name": "x",
            "role": "assistant",
            "property_ids": [world.a.prop.id],
            "password": "long-enough-1",
        },
    )
    assert resp.status_code == 409
    assert list(resp.get_json()["errors"]) == ["username"]


def test_editing_grants_keeps_properties_the_admin_cannot_see(login, world):
    both = world.a.users["supervisor"]
    both.properties.append(world.b.prop)
    db.session.commit()
    admin = login(world.a.users["admin"])
    resp = admin.patch(f"/api/v1/users/{both.id}", json={"property_ids": [world.a.prop.id]})
    assert resp.status_code == 200
    db.session.refresh(both)
    assert sorted(both.property_ids) == sorted([world.a.prop.id, world.b.prop.id])


def test_password_is_hashed_with_a_modern_algorithm(app, world):
    from app.auth.service import hash_password

    app.config["PASSWORD_HASH_METHOD"] = None
    try:
        assert hash_password("patrol-demo").startswith("scrypt:")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
