"""Offline login's server half: a phone's kept key reopens only its own person's session."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from app.auth.models import OfflineGrant
from app.common.models import utcnow
from app.extensions import db
from tests.factories import PASSWORD


def _login(app, user, **extra):
    phone = app.test_client()
    resp = phone.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD, **extra}
    )
    assert resp.status_code == 200, resp.get_json()
    return phone, resp.get_json()


def _resume(app, key):
    phone = app.test_client()
    return phone, phone.post("/api/v1/auth/resume", json={"key": key})


def test_a_login_asking_for_it_gets_a_key_shown_once_and_stored_hashed(app, world):
    user = world.a.users["assistant"]
    _, answer = _login(app, user, offline=True)
    key = answer["offline_key"]
    assert len(key) >= 40
    grant = db.session.query(OfflineGrant).one()
    assert grant.user_id == user.id and key not in grant.key_hash
    _, plain = _login(app, user)
    assert "offline_key" not in plain  # only a login that asks for it
    phone, _ = _login(app, user)
    assert "offline_key" not in phone.get("/api/v1/me").get_json()


def test_the_key_reopens_the_session_after_a_logout(app, world):
    user = world.a.users["assistant"]
    phone, answer = _login(app, user, offline=True)
    assert phone.post("/api/v1/auth/logout").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    again, resp = _resume(app, answer["offline_key"])
    assert resp.status_code == 200
    assert resp.get_json()["id"] == user.id
    assert again.get("/api/v1/me").get_json()["id"] == user.id
    # Usable again for the next offline login until it expires.
    assert _resume(app, answer["offline_key"])[1].status_code == 200


@pytest.mark.parametrize("change", ["reset", "deactivate", "own_password"])
def test_a_change_of_password_or_access_ends_the_key(app, world, login, change):
    user = world.a.users["assistant"]
    phone, answer = _login(app, user, offline=True)
    admin = login(world.a.users["admin"])
    if change == "reset":
        resp = admin.post(
            f"/api/v1/users/{user.id}/reset-password", json={"password": "x-new-pass-9"}
        )
    elif change == "deactivate":
        resp = admin.post(f"/api/v1/users/{user.id}/deactivate")
    else:
        resp = phone.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "x-new-pass-9"},
        )
    assert resp.status_code in (200, 204), resp.get_json()
    _, refused = _resume(app, answer["offline_key"])
    assert refused.status_code == 401
    assert refused.get_json()["code"] == "offline_grant_refused"


def test_the_key_expires(app, world):
    _, answer = _login(app, world.a.users["assistant"], offline=True)
    later = utcnow() + timedelta(hours=app.config["OFFLINE_LOGIN_HOURS"], minutes=1)
    with time_machine.travel(later, tick=True):
        _, resp = _resume(app, answer["offline_key"])
    assert resp.status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [({}, "key"), ({"key": "short"}, "key"), ({"key": 5}, "key"), ({"key": "k" * 101}, "key")],
)
def test_a_bad_key_names_the_field(client, world, body, field):
    resp = client.post("/api/v1/auth/resume", json=body)
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]


def test_an_unknown_key_is_refused_and_opens_nothing(app, world):
    phone, resp = _resume(app, "x" * 43)
    assert resp.status_code == 401
    assert phone.get("/api/v1/me").status_code == 401


def test_no_key_when_offline_login_is_switched_off(app, world):
    app.config["OFFLINE_LOGIN_HOURS"] = 0
    try:
        _, answer = _login(app, world.a.users["assistant"], offline=True)
    finally:
        app.config["OFFLINE_LOGIN_HOURS"] = 72
    assert answer.get("offline_key") is None
    assert db.session.query(OfflineGrant).count() == 0
