"""User administration: reset password, deactivate and reactivate, grants, the user list."""

from __future__ import annotations

import pytest

NEW_PASSWORD = "brand-new-pass-9"


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


def _login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _token(client, username, password):
    resp = client.post(
        "/api/v1/auth/tokens", json={"username": username, "password": password, "name": "t"}
    )
    assert resp.status_code == 201
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def test_reset_password_refuses_the_old_one_and_ends_sessions_and_tokens(
    admin, world, login, client, app
):
    user = world.a.users["assistant"]
    session = login(user)
    bearer = _token(app.test_client(), user.username, "secret-pass-1")
    resp = admin.post(f"/api/v1/users/{user.id}/reset-password", json={"password": NEW_PASSWORD})
    assert resp.status_code == 204
    assert _login(client, user.username, "secret-pass-1").status_code == 401
    assert _login(client, user.username, NEW_PASSWORD).status_code == 200
    assert session.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401


def test_a_short_reset_password_names_the_field(admin, world):
    user = world.a.users["assistant"]
    resp = admin.post(f"/api/v1/users/{user.id}/reset-password", json={"password": "short"})
    assert resp.status_code == 422 and "password" in resp.get_json()["errors"]


def test_deactivate_refuses_login_and_tokens_and_reactivate_lets_them_back(
    admin, world, login, client, app
):
    user = world.a.users["staff"]
    session = login(user)
    bearer = _token(app.test_client(), user.username, "secret-pass-1")
    resp = admin.post(f"/api/v1/users/{user.id}/deactivate")
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    assert _login(client, user.username, "secret-pass-1").status_code == 401
    assert session.get("/api/v1/me").status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    listed = admin.get("/api/v1/users?active=false").get_json()["items"]
    assert [u["username"] for u in listed] == [user.username]
    back = admin.post(f"/api/v1/users/{user.id}/reactivate")
    assert back.status_code == 200 and back.get_json()["active"] is True
    assert _login(client, user.username, "secret-pass-1").status_code == 200
    # Tokens revoked on deactivation stay revoked.
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401


def test_an_admin_cannot_deactivate_themselves(admin, world):
    me = world.a.users["admin"]
    resp = admin.post(f"/api/v1/users/{me.id}/deactivate")
    assert resp.status_code == 409 and "active" in resp.get_json()["errors"]


def test_role_department_and_grants_are_edited(admin, world):
    user = world.a.users["assistant"]
    resp = admin.patch(
        f"/api/v1/users/{user.id}",
        json={"role": "staff", "department_id": world.a.department.id},
    )
    assert resp.status_code == 200
    assert resp.get_json()["department"]["code"] == "ENG"
    refused = admin.patch(f"/api/v1/users/{user.id}", json={"role": "staff", "department_id": None})
    assert refused.status_code == 422 and "department_id" in refused.get_json()["errors"]
    foreign = admin.patch(f"/api/v1/users/{user.id}", json={"property_ids": [world.b.prop.id]})
    assert foreign.status_code == 404 and "property_ids" in foreign.get_json()["errors"]


def test_my_own_password_change(world, login, client):
    me = login(world.a.users["frontdesk"])
    wrong = me.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    ok = me.post(
        "/api/v1/me/password",
        json={"current_password": "secret-pass-1", "new_password": NEW_PASSWORD},
    )
    assert ok.status_code == 204
    assert _login(client, world.a.users["frontdesk"].username, NEW_PASSWORD).status_code == 200


def test_user_list_searches_sorts_and_pages(admin, world):
    body = admin.get("/api/v1/users?q=ASSIST&sort=-username").get_json()
    assert [u["username"] for u in body["items"]] == ["assistant_a"]
    page = admin.get(
        f"/api/v1/users?property_id={world.a.prop.id}&sort=-role&per_page=2"
    ).get_json()
    assert page["total"] == 6 and len(page["items"]) == 2
    assert [u["role"] for u in page["items"]] == ["supervisor", "staff"]
    bad = admin.get("/api/v1/users?sort=password_hash")
    assert bad.status_code == 422 and "query.sort" in bad.get_json()["errors"]


@pytest.mark.parametrize(
    "role,status",
    [
        ("admin", 204),
        ("supervisor", 403),
        ("frontdesk", 403),
        ("assistant", 403),
        ("inspector", 403),
        ("staff", 403),
    ],
)
def test_only_admins_reset_passwords(world, login, role, status):
    target = world.a.users["assistant"] if role != "assistant" else world.a.users["inspector"]
    client = login(world.a.users[role])
    resp = client.post(f"/api/v1/users/{target.id}/reset-password", json={"password": NEW_PASSWORD})
    assert resp.status_code == status
    for action in ("deactivate", "reactivate"):
        expected = 200 if status == 204 else status
        assert client.post(f"/api/v1/users/{target.id}/{action}").status_code == expected


@pytest.mark.parametrize("action", ["reset-password", "deactivate", "reactivate"])
def test_another_propertys_user_is_not_found(admin, world, action):
    other = world.b.users["assistant"]
    body = {"password": NEW_PASSWORD} if action == "reset-password" else None
    assert admin.post(f"/api/v1/users/{other.id}/{action}", json=body).status_code == 404
