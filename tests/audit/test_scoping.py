"""The audit trail stays within the reader's properties, and contacts in it are masked."""

from __future__ import annotations

import pytest


@pytest.fixture
def a_admin(world, login):
    return login(world.a.users["admin"])


def _entries(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    resp = client.get(f"/api/v1/audit?{query}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def test_entries_about_another_propertys_users_stay_hidden(a_admin, b_admin, world):
    a_only = world.a.users["assistant"]
    a_admin.patch(f"/api/v1/users/{a_only.id}", json={"display_name": "改名"})
    a_admin.post(f"/api/v1/users/{a_only.id}/reset-password", json={"password": "another-pass-1"})
    a_admin.post(
        "/api/v1/users",
        json={
            "username": "newbie",
            "display_name": "新人",
            "role": "assistant",
            "property_ids": [world.a.prop.id],
            "password": "long-enough-1",
        },
    )
    assert len(_entries(a_admin, entity="user")) == 3
    assert _entries(b_admin) == []
    assert _entries(b_admin, entity="user", entity_id=a_only.id) == []


def test_entries_about_a_shared_user_show_only_my_grants(both_admin, b_admin, world):
    a, b = world.a.prop.id, world.b.prop.id
    created = both_admin.post(
        "/api/v1/users",
        json={
            "username": "shared",
            "display_name": "共用",
            "role": "assistant",
            "property_ids": [a, b],
            "department_id": world.a.department.id,
            "password": "long-enough-1",
        },
    ).get_json()
    for change in ({"role": "frontdesk"}, {"department_id": None}, {"property_ids": [b]}):
        resp = both_admin.patch(f"/api/v1/users/{created['id']}", json=change)
        assert resp.status_code == 200, resp.get_json()
    full = _entries(both_admin, entity="user", entity_id=created["id"])
    assert full[0]["changes"]["property_ids"] == [[a, b], [b]]
    seen = _entries(b_admin, entity="user", entity_id=created["id"])
    assert [e["action"] for e in seen] == ["update", "update", "update", "create"]
    removed_a, department, role, create = (e["changes"] for e in seen)
    assert removed_a == {}  # the change concerned A's grant only
    assert department == {"department_id": ["***", None]}
    assert role == {"role": ["assistant", "frontdesk"]}
    assert create["property_ids"] == [None, [b]]
    assert create["department_id"] == [None, "***"]  # A's department


def test_owner_and_user_phones_are_masked_in_changes(a_admin, world, login):
    a = world.a
    a_admin.patch(f"/api/v1/units/{a.unit.id}", json={"owner_phone": "13812345678"})
    a_admin.patch(f"/api/v1/units/{a.unit.id}", json={"owner_phone": "13987654321"})
    units = a_admin.get(f"/api/v1/units/{a.unit.id}").get_json()
    assert units["owner_phone"] == "139****4321"  # as /units shows it to an admin
    entry = _entries(a_admin, entity="unit")[0]
    assert entry["changes"]["owner_phone"] == ["138****5678", "139****4321"]
    a_admin.patch(f"/api/v1/users/{a.users['staff'].id}", json={"phone": "13700001111"})
    entry = _entries(a_admin, entity="user")[0]
    assert entry["changes"]["phone"] == [None, "137****1111"]
    text = a_admin.get("/api/v1/audit").get_data(as_text=True)
    assert "13812345678" not in text and "13700001111" not in text
