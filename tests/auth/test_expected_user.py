"""A shared phone sends each record under the person who made it, or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.common.models import utcnow
from app.extensions import db
from app.inspections.models import Inspection
from tests.factories import PASSWORD
from tests.inspections.conftest import submission


def _as(user_id) -> dict[str, str]:
    return {"X-Patrol-User": str(user_id)}


def test_a_record_for_another_person_is_refused_and_not_stored(world, login, checklist):
    # A logged out offline, B logged in offline; the browser still holds A's cookie.
    phone = login(world.a.users["assistant"])
    body = submission(world.a.checkpoint.code, checklist)

    resp = phone.post("/api/v1/inspections", json=body, headers=_as(world.a.users["supervisor"].id))

    assert resp.status_code == 409
    assert resp.get_json()["code"] == "session_user_mismatch"
    assert "重新登录" in resp.get_json()["detail_zh"]
    assert db.session.query(Inspection).count() == 0


def test_the_same_person_goes_through(world, login, checklist):
    me = world.a.users["assistant"]
    phone = login(me)
    body = submission(world.a.checkpoint.code, checklist)

    resp = phone.post("/api/v1/inspections", json=body, headers=_as(me.id))

    assert resp.status_code == 201
    assert db.session.query(Inspection).one().user_id == me.id


@pytest.mark.parametrize("value", ["abc", "-1", "1" * 13, "1 2"])
def test_a_malformed_header_names_itself(world, login, value):
    phone = login(world.a.users["assistant"])
    resp = phone.get("/api/v1/me", headers={"X-Patrol-User": value})
    assert resp.status_code == 422
    assert "X-Patrol-User" in resp.get_json()["errors"]


def test_login_and_logout_are_exempt_so_the_phone_can_put_its_session_right(world, login):
    other = world.a.users["supervisor"]
    phone = login(world.a.users["assistant"])
    assert phone.post("/api/v1/auth/logout", headers=_as(other.id)).status_code == 204
    resp = phone.post(
        "/api/v1/auth/login",
        json={"username": other.username, "password": PASSWORD},
        headers=_as(other.id),
    )
    assert resp.status_code == 200
    assert phone.get("/api/v1/me", headers=_as(other.id)).get_json()["id"] == other.id


def test_anonymous_is_asked_to_log_in_not_told_of_a_mismatch(client, world):
    resp = client.get("/api/v1/me", headers=_as(world.a.users["assistant"].id))
    assert resp.status_code == 401


def test_me_tells_the_phone_how_long_an_offline_login_may_last(app, world, login):
    phone = login(world.a.users["assistant"])
    me = phone.get("/api/v1/me").get_json()
    until = me["offline_login_until"]
    from datetime import datetime

    left = datetime.fromisoformat(until) - utcnow()
    assert timedelta(hours=71) < left <= timedelta(hours=72)
    assert me["session_version"] == 1


def test_offline_login_can_be_switched_off(app, world, login):
    app.config["OFFLINE_LOGIN_HOURS"] = 0
    try:
        assert (
            login(world.a.users["assistant"]).get("/api/v1/me").get_json()["offline_login_until"]
            is None
        )
    finally:
        app.config["OFFLINE_LOGIN_HOURS"] = 72


def test_a_password_reset_raises_the_session_version_the_phone_compares(world, login):
    user = world.a.users["assistant"]
    admin = login(world.a.users["admin"])
    assert (
        admin.post(
            f"/api/v1/users/{user.id}/reset-password", json={"password": "another-pass-42"}
        ).status_code
        == 204
    )
    phone = login(user, password="another-pass-42")
    assert phone.get("/api/v1/me").get_json()["session_version"] == 2
