"""Bearer tokens: my list, revoking one, the lifetime cap."""

from __future__ import annotations

from datetime import timedelta

from app.auth.models import ApiToken
from app.common.models import utcnow
from app.extensions import db
from tests.factories import PASSWORD


def _issue(client, **body):
    resp = client.post("/api/v1/auth/tokens", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_i_list_my_tokens_without_their_secret(app, login, world):
    me = login(world.a.users["supervisor"])
    first = _issue(me, name="nightly")
    second = _issue(me, name="import", days=7)
    _issue(login(world.a.users["admin"]), name="someone else's")
    app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {first['token']}"})
    resp = me.get("/api/v1/auth/tokens")
    assert resp.status_code == 200
    listed = resp.get_json()
    assert [t["id"] for t in listed] == [second["id"], first["id"]]
    assert set(listed[0]) == {"id", "name", "created_at", "expires_at", "last_used_at"}
    assert listed[0]["last_used_at"] is None
    assert listed[1]["last_used_at"] is not None
    assert first["token"] not in resp.get_data(as_text=True)


def test_listing_tokens_needs_a_login(client, world):
    assert client.get("/api/v1/auth/tokens").status_code == 401


def test_i_revoke_my_token(app, login, world):
    me = login(world.a.users["supervisor"])
    issued = _issue(me, name="nightly")
    bearer = {"Authorization": f"Bearer {issued['token']}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    resp = me.delete(f"/api/v1/auth/tokens/{issued['id']}")
    assert resp.status_code == 204
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert me.get("/api/v1/auth/tokens").get_json() == []
    assert me.delete(f"/api/v1/auth/tokens/{issued['id']}").status_code == 404


def test_another_users_token_is_not_found(app, login, world):
    theirs = _issue(login(world.a.users["admin"]), name="admin script")
    me = login(world.a.users["supervisor"])
    resp = me.delete(f"/api/v1/auth/tokens/{theirs['id']}")
    assert resp.status_code == 404
    assert db.session.get(ApiToken, theirs["id"]).revoked is False
    bearer = {"Authorization": f"Bearer {theirs['token']}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200


def test_a_token_lives_90_days_by_default(client, world):
    issued = _issue(client, username="admin_a", password=PASSWORD)
    stored = db.session.get(ApiToken, issued["id"])
    assert abs(stored.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)


def test_a_lifetime_above_the_cap_is_422_naming_days(app, client, world):
    body = {"username": "admin_a", "password": PASSWORD}
    assert client.post("/api/v1/auth/tokens", json={**body, "days": 90}).status_code == 201
    resp = client.post("/api/v1/auth/tokens", json={**body, "days": 91})
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["days"]
    resp = client.post("/api/v1/auth/tokens", json={**body, "days": 3650})
    assert resp.status_code == 422


def test_the_cap_comes_from_config(app, client, world):
    app.config["TOKEN_LIFETIME_DAYS"] = 10
    try:
        body = {"username": "admin_a", "password": PASSWORD}
        resp = client.post("/api/v1/auth/tokens", json={**body, "days": 11})
        assert resp.status_code == 422 and "10" in resp.get_json()["errors"]["days"][0]
        issued = _issue(client, **body)
        stored = db.session.get(ApiToken, issued["id"])
        assert stored.expires_at < utcnow() + timedelta(days=10, minutes=1)
    finally:
        app.config["TOKEN_LIFETIME_DAYS"] = 90
