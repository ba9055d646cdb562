"""The audit trail: every kind of set-up change leaves who, when, old and new value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from tests.notify.conftest import channel


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


def _entries(admin, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    resp = admin.get(f"/api/v1/audit?{query}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"]


def _latest(admin, entity, **params):
    items = _entries(admin, entity=entity, **params)
    assert items, f"no audit entry for {entity}"
    return items[0]


def test_place_changes_are_recorded_with_old_and_new_values(admin, world):
    a = world.a
    admin.patch(f"/api/v1/properties/{a.prop.id}", json={"sla_close_hours": 72})
    entry = _latest(admin, "property")
    assert entry["action"] == "update" and entry["changes"] == {"sla_close_hours": [168, 72]}
    assert entry["user"]["username"] == "admin_a" and entry["property_id"] == a.prop.id

    zone = admin.post(
        "/api/v1/zones", json={"property_id": a.prop.id, "kind": "grounds", "name_zh": "园区"}
    ).get_json()
    entry = _latest(admin, "zone")
    assert (entry["action"], entry["entity_id"]) == ("create", zone["id"])
    assert entry["changes"]["name_zh"] == [None, "园区"]

    admin.patch(f"/api/v1/checkpoints/{a.checkpoint.id}", json={"location": "东侧"})
    assert _latest(admin, "checkpoint")["changes"] == {"location": [None, "东侧"]}
    admin.delete(f"/api/v1/checkpoints/{a.checkpoint.id}")
    entry = _latest(admin, "checkpoint")
    assert entry["action"] == "deactivate" and entry["changes"] == {"active": [True, False]}
    admin.patch(f"/api/v1/checkpoints/{a.checkpoint.id}", json={"active": True})
    assert _latest(admin, "checkpoint")["action"] == "reactivate"

    admin.patch(f"/api/v1/units/{a.unit.id}", json={"status": "renovating"})
    assert _latest(admin, "unit")["changes"] == {"status": ["not_taken", "renovating"]}

    admin.post(
        "/api/v1/departments", json={"property_id": a.prop.id, "code": "CLEAN", "name_zh": "环境部"}
    )
    assert _latest(admin, "department")["changes"]["code"] == [None, "CLEAN"]


def test_routing_sla_and_shift_changes_are_recorded(admin, world):
    a = world.a
    other = admin.post(
        "/api/v1/departments", json={"property_id": a.prop.id, "code": "SEC", "name_zh": "秩序部"}
    ).get_json()
    admin.patch(f"/api/v1/routing-rules/{a.rule.id}", json={"department_id": other["id"]})
    entry = _latest(admin, "routing_rule")
    assert entry["changes"] == {"department_id": [a.department.id, other["id"]]}
    admin.delete(f"/api/v1/routing-rules/{a.rule.id}")
    entry = _latest(admin, "routing_rule")
    assert entry["action"] == "delete" and entry["changes"]["category"] == ["equipment", None]
    admin.post(
        "/api/v1/shifts",
        json={
            "property_id": a.prop.id,
            "code": "early",
            "name_zh": "早班",
            "role": "assistant",
            "start_time": "08:30",
            "end_time": "17:30",
        },
    )
    assert _latest(admin, "shift")["action"] == "create"


def test_checklist_code_user_and_channel_changes_are_recorded(admin, world):
    a = world.a
    items = admin.get(f"/api/v1/checklists/{a.template.id}").get_json()["current_version"]["items"]
    items = [{k: v for k, v in i.items() if k not in ("id", "position")} for i in items]
    items[1]["severity"] = "high"
    admin.put(f"/api/v1/checklists/{a.template.id}", json={"items": items})
    entry = _latest(admin, "checklist")
    assert entry["action"] == "publish" and entry["changes"]["version"] == [1, 2]
    old_items, new_items = entry["changes"]["items"]
    assert old_items[1]["severity"] == "medium" and new_items[1]["severity"] == "high"

    old_code = a.checkpoint.code
    new_code = admin.post(f"/api/v1/checkpoints/{a.checkpoint.id}/reissue-code").get_json()["code"]
    entry = _latest(admin, "checkpoint", action="reissue_code")
    assert entry["changes"]["code"] == [old_code, new_code]
    assert entry["changes"]["label_version"] == [1, 2]

    user = a.users["assistant"]
    admin.post(f"/api/v1/users/{user.id}/reset-password", json={"password": "another-pass-1"})
    entry = _latest(admin, "user", entity_id=user.id)
    assert entry["action"] == "reset_password" and entry["changes"]["password"] == ["***", "***"]
    admin.patch(f"/api/v1/users/{user.id}", json={"role": "frontdesk"})
    assert _latest(admin, "user", entity_id=user.id)["changes"] == {
        "role": ["assistant", "frontdesk"]
    }
    admin.post(f"/api/v1/users/{user.id}/deactivate")
    assert _latest(admin, "user", entity_id=user.id)["action"] == "deactivate"

    hook = admin.post(
        "/api/v1/notification-channels",
        json={
            "property_id": a.prop.id,
            "audience": "supervisor",
            "kind": "webhook",
            "address": "https://hooks.example.com/a",
        },
    ).get_json()
    admin.patch(
        f"/api/v1/notification-channels/{hook['id']}",
        json={"address": "https://hooks.example.com/b"},
    )
    entry = _latest(admin, "notification_channel")
    assert entry["changes"] == {
        "address": ["https://hooks.example.com/a", "https://hooks.example.com/b"]
    }
    admin.delete(f"/api/v1/notification-channels/{hook['id']}")
    assert _latest(admin, "notification_channel")["action"] == "deactivate"


def test_nothing_changed_records_nothing(admin, world):
    admin.patch(f"/api/v1/zones/{world.a.zone.id}", json={"name_zh": world.a.zone.name_zh})
    assert _entries(admin, entity="zone") == []


def test_filters_by_user_time_and_property_and_pages(admin, world, login):
    a = world.a
    admin.patch(f"/api/v1/zones/{a.zone.id}", json={"name_en": "Block 1"})
    supervisor = login(a.users["supervisor"])
    supervisor.patch(f"/api/v1/units/{a.unit.id}", json={"floor": 4})
    by_supervisor = _entries(admin, user_id=a.users["supervisor"].id)
    assert [e["entity"] for e in by_supervisor] == ["unit"]
    today = datetime.now(UTC).date()
    assert len(_entries(admin, **{"from": today.isoformat(), "to": today.isoformat()})) == 2
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert _entries(admin, **{"from": tomorrow}) == []
    assert len(_entries(admin, property_id=a.prop.id)) == 2
    page = admin.get("/api/v1/audit?per_page=1&page=2").get_json()
    assert page["total"] == 2 and page["items"][0]["entity"] == "zone"  # newest first
    bad = admin.get("/api/v1/audit?from=yesterday")
    assert bad.status_code == 422 and "query.from" in bad.get_json()["errors"]


def test_another_propertys_changes_stay_hidden(admin, world, login):
    other = login(world.b.users["admin"])
    other.patch(f"/api/v1/zones/{world.b.zone.id}", json={"name_en": "Elsewhere"})
    assert _entries(admin) == []
    assert admin.get(f"/api/v1/audit?property_id={world.b.prop.id}").status_code == 404
    assert len(_entries(other)) == 1


@pytest.mark.parametrize(
    "role,status",
    [
        ("admin", 200),
        ("supervisor", 403),
        ("frontdesk", 403),
        ("assistant", 403),
        ("inspector", 403),
        ("staff", 403),
    ],
)
def test_only_admins_read_the_audit_trail(world, login, role, status):
    assert login(world.a.users[role]).get("/api/v1/audit").status_code == status


def test_channel_factory_is_not_audited(world, admin):
    # Set-up done outside the API (seed, factories) writes no entries.
    channel(world.a.prop, "webhook", "https://hooks.example.com/x")
    db.session.commit()
    assert _entries(admin) == []
