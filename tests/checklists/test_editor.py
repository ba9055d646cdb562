"""The checklist editor: add, edit, reorder and retire items; publish; who uses it."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories
from tests.inspections.conftest import submission


def _items(client, template_id):
    body = client.get(f"/api/v1/checklists/{template_id}").get_json()
    return [
        {k: v for k, v in i.items() if k not in ("id", "position")}
        for i in body["current_version"]["items"]
    ]


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


def test_editing_reordering_and_retiring_items_publishes_a_version_with_stable_keys(admin, world):
    tid = world.a.template.id
    clean, light = _items(admin, tid)
    light["text_zh"] = "照明灯具完好"  # edited, same key
    light["severity"] = "high"
    new = {
        "text_zh": "消防栓压力",
        "text_en": "Hydrant pressure",
        "answer_type": "number",
        "min_value": 0.1,
        "max_value": 0.4,
        "unit": "MPa",
        "photo_required_on_fail": False,
        "severity": "critical",
        "category": "fire",
    }
    # New order: the edited light first, the new item second; the cleaning item retired.
    resp = admin.put(f"/api/v1/checklists/{tid}", json={"items": [light, new]})
    assert resp.status_code == 200
    body = resp.get_json()
    version = body["current_version"]
    assert version["number"] == 2
    assert [i["text_zh"] for i in version["items"]] == ["照明灯具完好", "消防栓压力"]
    assert version["items"][0]["key"] == light["key"] and version["items"][0]["severity"] == "high"
    assert version["items"][1]["key"] not in (clean["key"], light["key"])
    assert version["items"][1]["photo_required_on_fail"] is False
    assert body["used_by"]["count"] == 1
    assert body["used_by"]["checkpoints"][0]["code"] == world.a.checkpoint.code
    v1 = admin.get(f"/api/v1/checklists/{tid}/versions/1").get_json()
    assert [i["text_zh"] for i in v1["items"]] == ["楼道清洁无杂物", "照明正常"]


def test_used_by_lists_active_checkpoints_of_the_kind_only(admin, world):
    other = factories.checkpoint(world.a.zone, kind="stairwell")
    factories.checkpoint(world.a.zone, kind="stairwell", active=False)
    factories.checkpoint(world.a.zone, kind="fire_equipment")
    db.session.commit()
    used = admin.get(f"/api/v1/checklists/{world.a.template.id}").get_json()["used_by"]
    assert used["count"] == 2
    assert {c["id"] for c in used["checkpoints"]} == {world.a.checkpoint.id, other.id}


def test_an_earlier_inspection_keeps_showing_the_version_it_used(admin, world, login):
    assistant = login(world.a.users["assistant"])
    code = world.a.checkpoint.code
    items = assistant.get(f"/api/v1/checkpoints/by-code/{code}").get_json()["checklist"]["items"]
    done = assistant.post("/api/v1/inspections", json=submission(code, items))
    assert done.status_code == 201, done.get_json()
    inspection_id = done.get_json()["id"]
    edited = _items(admin, world.a.template.id)
    edited[0]["text_zh"] = "楼道整洁"
    admin.put(f"/api/v1/checklists/{world.a.template.id}", json={"items": edited})
    detail = admin.get(f"/api/v1/inspections/{inspection_id}").get_json()
    assert detail["checklist_version"]["number"] == 1
    assert detail["results"][0]["item"]["text_zh"] == "楼道清洁无杂物"
    scanned = assistant.get(f"/api/v1/checkpoints/by-code/{code}").get_json()
    assert scanned["checklist"]["version"] == 2
    assert scanned["checklist"]["items"][0]["text_zh"] == "楼道整洁"


def test_patch_renames_or_retires_without_a_new_version(admin, world, login):
    tid = world.a.template.id
    resp = admin.patch(f"/api/v1/checklists/{tid}", json={"name_zh": "楼道检查", "active": False})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["name_zh"] == "楼道检查" and body["active"] is False
    assert [v["number"] for v in body["versions"]] == [1]
    assistant = login(world.a.users["assistant"])
    scanned = assistant.get(f"/api/v1/checkpoints/by-code/{world.a.checkpoint.code}").get_json()
    assert scanned["checklist"] is None
    listed = admin.get("/api/v1/checklists?active=false").get_json()["items"]
    assert [t["id"] for t in listed] == [tid]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"items": []}, "items"),
        ({"items": [{"text_zh": "x", "category": "nope"}]}, "items.0.category"),
        (
            {"items": [{"text_zh": "x", "category": "fire", "answer_type": "photo"}]},
            "items.0.answer_type",
        ),
        ({"items": [{"text_zh": "", "category": "fire"}]}, "items.0.text_zh"),
    ],
)
def test_a_bad_publish_names_the_field_and_changes_nothing(admin, world, body, field):
    resp = admin.put(f"/api/v1/checklists/{world.a.template.id}", json=body)
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]
    versions = admin.get(f"/api/v1/checklists/{world.a.template.id}").get_json()["versions"]
    assert len(versions) == 1


@pytest.mark.parametrize(
    "role,status",
    [
        ("admin", 200),
        ("supervisor", 200),
        ("frontdesk", 403),
        ("assistant", 403),
        ("inspector", 403),
        ("staff", 403),
    ],
)
def test_who_may_edit_checklists(world, login, role, status):
    client = login(world.a.users[role])
    tid = world.a.template.id
    items = _items(client, tid)
    items[0]["severity"] = "high"
    assert client.put(f"/api/v1/checklists/{tid}", json={"items": items}).status_code == status
    assert client.patch(f"/api/v1/checklists/{tid}", json={"name_en": "X"}).status_code == status


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_another_propertys_checklist_is_not_found(world, login, method):
    admin = login(world.a.users["admin"])
    url = f"/api/v1/checklists/{world.b.template.id}"
    body = {"items": [{"text_zh": "x", "category": "fire"}]} if method == "put" else {}
    assert getattr(admin, method)(url, json=body).status_code == 404
