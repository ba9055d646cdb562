"""A user granted two properties: one property's admin edits its grants, never the account."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.extensions import db
from tests import factories
from tests.imports.test_routes import USER_HEADER, upload, xlsx

NEW_PASSWORD = "brand-new-pass-9"


def _stored(user_id: int) -> User:
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    return user


TAKEOVERS = {
    "role": ("patch", "", {"role": "admin"}),
    "password": ("patch", "", {"password": NEW_PASSWORD}),
    "active": ("patch", "", {"active": False}),
    "username": ("patch", "", {"username": "dual2"}),
    "display_name": ("patch", "", {"display_name": "改名"}),
    "phone": ("patch", "", {"phone": "13900000000"}),
    "reset-password": ("post", "/reset-password", {"password": NEW_PASSWORD}),
    "deactivate": ("post", "/deactivate", None),
    "delete": ("delete", "", None),
}


@pytest.mark.parametrize("name", TAKEOVERS)
def test_the_admin_of_one_property_cannot_change_a_shared_account(b_admin, dual, login, name):
    method, suffix, body = TAKEOVERS[name]
    resp = getattr(b_admin, method)(f"/api/v1/users/{dual.id}{suffix}", json=body)
    assert resp.status_code == 403, resp.get_json()
    problem = resp.get_json()
    assert resp.mimetype == "application/problem+json"
    assert problem["code"] == "account_shared"
    assert "不管理的项目" in problem["detail_zh"]
    assert "do not administer" in problem["detail_en"]
    stored = _stored(dual.id)
    assert (stored.username, stored.display_name, stored.phone) == ("dual", "dual", "13812345678")
    assert (stored.role, stored.active) == ("assistant", True)
    assert login(stored).get("/api/v1/me").status_code == 200  # the old password still works


def test_the_reported_takeover_leaves_the_other_property_closed(b_admin, dual, world, login):
    assert b_admin.patch(f"/api/v1/users/{dual.id}", json={"role": "admin"}).status_code == 403
    reset = b_admin.post(f"/api/v1/users/{dual.id}/reset-password", json={"password": NEW_PASSWORD})
    assert reset.status_code == 403
    assert b_admin.post(f"/api/v1/users/{dual.id}/deactivate").status_code == 403
    as_dual = login(dual)
    zone = {"property_id": world.a.prop.id, "kind": "grounds", "name_zh": "园区"}
    assert as_dual.post("/api/v1/zones", json=zone).status_code == 403


def test_an_admin_of_every_property_changes_the_account(both_admin, dual, client):
    assert (
        both_admin.patch(f"/api/v1/users/{dual.id}", json={"role": "supervisor"}).status_code == 200
    )
    reset = both_admin.post(
        f"/api/v1/users/{dual.id}/reset-password", json={"password": NEW_PASSWORD}
    )
    assert reset.status_code == 204
    assert both_admin.post(f"/api/v1/users/{dual.id}/deactivate").status_code == 200
    assert both_admin.post(f"/api/v1/users/{dual.id}/reactivate").status_code == 200
    login = client.post("/api/v1/auth/login", json={"username": "dual", "password": NEW_PASSWORD})
    assert login.status_code == 200 and login.get_json()["role"] == "supervisor"


def test_reactivating_a_shared_user_needs_all_their_properties(b_admin, both_admin, dual):
    assert both_admin.post(f"/api/v1/users/{dual.id}/deactivate").status_code == 200
    resp = b_admin.post(f"/api/v1/users/{dual.id}/reactivate")
    assert resp.status_code == 403 and resp.get_json()["code"] == "account_shared"
    assert _stored(dual.id).active is False


def test_a_shared_user_shows_only_the_grants_of_my_properties(b_admin, both_admin, dual, world):
    a, b = world.a.prop, world.b.prop
    shown = b_admin.get(f"/api/v1/users/{dual.id}")
    listed = b_admin.get("/api/v1/users?q=dual")
    for body, text in (
        (shown.get_json(), shown.get_data(as_text=True)),
        (listed.get_json()["items"][0], listed.get_data(as_text=True)),
    ):
        assert body["property_ids"] == [b.id]
        assert [p["name"] for p in body["properties"]] == [b.name]
        assert body["department_id"] is None and body["department"] is None  # A's department
        assert body["account_editable"] is False
        assert a.name not in text and a.code not in {p["code"] for p in body["properties"]}
    full = both_admin.get(f"/api/v1/users/{dual.id}").get_json()
    assert full["property_ids"] == [a.id, b.id] and full["account_editable"] is True
    assert full["department_id"] == world.a.department.id


def test_a_shared_user_sees_all_their_own_properties(dual, world, login):
    me = login(dual).get("/api/v1/me").get_json()
    assert me["property_ids"] == [world.a.prop.id, world.b.prop.id]
    assert me["department"]["id"] == world.a.department.id


def test_the_login_response_is_the_new_users_own(dual, world, login):
    # Logging in over another user's session: the answer is not filtered by the old user's view.
    client = login(world.b.users["admin"])
    resp = client.post("/api/v1/auth/login", json={"username": "dual", "password": "secret-pass-1"})
    assert resp.get_json()["property_ids"] == [world.a.prop.id, world.b.prop.id]


def test_filtering_users_by_another_propertys_property_or_department_finds_nothing(
    b_admin, dual, world
):
    assert b_admin.get(f"/api/v1/users?property_id={world.a.prop.id}").status_code == 404
    by_dept = b_admin.get(f"/api/v1/users?department_id={world.a.department.id}").get_json()
    assert by_dept["items"] == []


def test_the_form_sent_back_unchanged_edits_only_my_grants(b_admin, dual, world):
    third = factories.property_(world.a.prop.company, code="C")
    world.b.users["admin"].properties.append(third)
    db.session.commit()
    form = b_admin.get(f"/api/v1/users/{dual.id}").get_json()
    keys = ("username", "display_name", "phone", "role", "department_id", "active")
    body = {k: form[k] for k in keys} | {"property_ids": [world.b.prop.id, third.id]}
    resp = b_admin.patch(f"/api/v1/users/{dual.id}", json=body)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["property_ids"] == [world.b.prop.id, third.id]
    stored = _stored(dual.id)
    assert set(stored.property_ids) == {world.a.prop.id, world.b.prop.id, third.id}
    assert stored.department_id == world.a.department.id  # A's department stays


def test_an_empty_phone_sent_as_blank_is_no_change(b_admin, world):
    plain = factories.user("assistant", [world.a.prop, world.b.prop], username="plain")
    db.session.commit()
    resp = b_admin.patch(f"/api/v1/users/{plain.id}", json={"phone": "", "display_name": "plain"})
    assert resp.status_code == 200, resp.get_json()


def test_grants_of_my_properties_are_added_and_removed_one_by_one(b_admin, dual, world):
    a, b = world.a.prop, world.b.prop
    removed = b_admin.delete(f"/api/v1/users/{dual.id}/properties/{b.id}")
    assert removed.status_code == 200, removed.get_json()
    assert set(_stored(dual.id).property_ids) == {a.id}
    assert b_admin.get(f"/api/v1/users/{dual.id}").status_code == 404  # no longer shared
    mine = world.b.users["assistant"]
    granted = b_admin.put(f"/api/v1/users/{mine.id}/properties/{b.id}")
    assert granted.status_code == 200 and granted.get_json()["property_ids"] == [b.id]
    foreign = b_admin.put(f"/api/v1/users/{mine.id}/properties/{a.id}")
    assert foreign.status_code == 404 and "property_ids" in foreign.get_json()["errors"]
    last = b_admin.delete(f"/api/v1/users/{mine.id}/properties/{b.id}")
    assert last.status_code == 409 and "property_ids" in last.get_json()["errors"]


def test_the_department_of_another_property_is_not_mine_to_change(b_admin, dual, world):
    move = b_admin.patch(f"/api/v1/users/{dual.id}", json={"department_id": world.b.department.id})
    assert move.status_code == 403 and move.get_json()["code"] == "account_shared"
    assert _stored(dual.id).department_id == world.a.department.id
    plain = factories.user("assistant", [world.a.prop, world.b.prop], username="plain", phone=None)
    db.session.commit()
    into_mine = b_admin.patch(
        f"/api/v1/users/{plain.id}", json={"department_id": world.b.department.id}
    )
    assert into_mine.status_code == 200
    into_theirs = b_admin.patch(
        f"/api/v1/users/{plain.id}", json={"department_id": world.a.department.id}
    )
    assert into_theirs.status_code == 422 and "department_id" in into_theirs.get_json()["errors"]


def _sheet(*rows):
    return xlsx(USER_HEADER, [list(r) for r in rows])


def test_an_import_cannot_change_a_shared_account_or_reach_another_propertys_user(
    b_admin, dual, world
):
    b = world.b.prop.id
    promote = _sheet(["dual", "dual", "13812345678", "admin", "", "", ""])
    body = upload(b_admin, "users", b, promote).get_json()
    assert [(p["row"], p["field"]) for p in body["problems"]] == [(2, "role")]
    assert upload(b_admin, "users", b, promote, commit=True).status_code == 422
    assert _stored(dual.id).role == "assistant"
    stranger = _sheet([world.a.users["admin"].username, "夺权", "", "assistant", "", "", "否"])
    body = upload(b_admin, "users", b, stranger).get_json()
    assert [(p["row"], p["field"]) for p in body["problems"]] == [(2, "username")]
    stored = _stored(world.a.users["admin"].id)
    assert (stored.role, stored.active, stored.property_ids) == ("admin", True, [world.a.prop.id])


def test_an_exported_sheet_of_a_shared_user_imports_back_unchanged(b_admin, dual, world):
    b = world.b.prop.id
    exported = b_admin.get(f"/api/v1/users/export.csv?property_id={b}")
    assert exported.status_code == 200
    assert world.a.prop.name not in exported.get_data(as_text=True)
    same = _sheet(["dual", "dual", "13812345678", "assistant", "", "", "是"])
    done = upload(b_admin, "users", b, same, commit=True).get_json()
    assert done["committed"] is True and done["unchanged"] == 1, done
    stored = _stored(dual.id)
    assert stored.department_id == world.a.department.id
    assert set(stored.property_ids) == {world.a.prop.id, b}
