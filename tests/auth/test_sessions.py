"""Server-side sessions: a saved cookie dies at logout, password change and deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.models import AuthSession
from app.common.models import utcnow
from app.extensions import db
from tests.factories import PASSWORD

COOKIE = "patrol_session"
NEW_PASSWORD = "brand-new-pass-9"


def _saved_cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    return thief.get("/api/v1/me")


def _bearer(app, username: str, password: str = PASSWORD) -> dict[str, str]:
    resp = app.test_client().post(
        "/api/v1/auth/tokens", json={"username": username, "password": password}
    )
    assert resp.status_code == 201
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def test_the_cookie_holds_only_a_session_id_kept_as_a_hash(app, login, world):
    client = login(world.a.users["assistant"])
    record = db.session.query(AuthSession).one()
    assert record.user_id == world.a.users["assistant"].id
    assert record.revoked_at is None
    assert record.expires_at > utcnow() + timedelta(days=13)
    cookie = _saved_cookie(client)
    assert record.session_hash not in cookie
    assert _replay(app, cookie).status_code == 200


def test_the_cookie_has_max_age_for_phones_with_a_wrong_clock(app, client, world):
    resp = client.post("/api/v1/auth/login", json={"username": "assistant_a", "password": PASSWORD})
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert f"Max-Age={app.config['PERMANENT_SESSION_LIFETIME']}" in cookie
    assert "Expires=" in cookie


def test_login_keeps_the_user_agent(app, world):
    client = app.test_client()
    resp = client.post(
        "/api/v1/auth/login",
        json={"username": "assistant_a", "password": PASSWORD},
        headers={"User-Agent": "PatrolPhone/1.0"},
    )
    assert resp.status_code == 200
    assert db.session.query(AuthSession).one().user_agent == "PatrolPhone/1.0"


def test_a_replayed_cookie_after_logout_is_401(app, login, world):
    client = login(world.a.users["assistant"])
    cookie = _saved_cookie(client)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert _replay(app, cookie).status_code == 401
    assert db.session.query(AuthSession).one().revoked_at is not None


def test_logout_ends_only_this_session(app, login, world):
    user = world.a.users["assistant"]
    phone, laptop = login(user), login(user)
    assert laptop.post("/api/v1/auth/logout").status_code == 204
    assert phone.get("/api/v1/me").status_code == 200


def test_an_expired_session_is_401(app, login, world):
    client = login(world.a.users["assistant"])
    record = db.session.query(AuthSession).one()
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_use_moves_last_seen_and_expiry_along(app, login, world):
    client = login(world.a.users["assistant"])
    record = db.session.query(AuthSession).one()
    record.last_seen_at = utcnow() - timedelta(days=1)
    record.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 200
    db.session.refresh(record)
    assert record.last_seen_at > utcnow() - timedelta(minutes=1)
    assert record.expires_at > utcnow() + timedelta(days=13)


def test_own_password_change_ends_old_cookies_and_tokens(app, login, world):
    user = world.a.users["assistant"]
    phone, laptop = login(user), login(user)
    phone_cookie, laptop_cookie = _saved_cookie(phone), _saved_cookie(laptop)
    bearer = _bearer(app, user.username)
    resp = laptop.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert resp.status_code == 204
    assert laptop.get("/api/v1/me").status_code == 200  # this client got a new session
    assert _saved_cookie(laptop) != laptop_cookie
    assert _replay(app, laptop_cookie).status_code == 401
    assert _replay(app, phone_cookie).status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401


@pytest.mark.parametrize("how", ["reset", "patch", "deactivate", "delete"])
def test_admin_action_ends_old_cookies_and_tokens(app, login, world, how):
    user = world.a.users["staff"]
    cookie = _saved_cookie(login(user))
    bearer = _bearer(app, user.username)
    admin = login(world.a.users["admin"])
    url = f"/api/v1/users/{user.id}"
    resp = {
        "reset": lambda: admin.post(f"{url}/reset-password", json={"password": NEW_PASSWORD}),
        "patch": lambda: admin.patch(url, json={"password": NEW_PASSWORD}),
        "deactivate": lambda: admin.post(f"{url}/deactivate"),
        "delete": lambda: admin.delete(url),
    }[how]()
    assert resp.status_code in (200, 204)
    if how in ("deactivate", "delete"):
        assert admin.post(f"{url}/reactivate").status_code == 200
    assert _replay(app, cookie).status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    records = db.session.query(AuthSession).filter_by(user_id=user.id).all()
    assert records and all(r.revoked_at is not None for r in records)
    assert admin.get("/api/v1/me").status_code == 200


def test_a_cookie_from_before_server_sessions_is_dropped(app, world):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["uid"] = world.a.users["assistant"].id
        sess["sv"] = 1
    assert client.get("/api/v1/me").status_code == 401
