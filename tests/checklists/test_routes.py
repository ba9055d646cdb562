"""Checklist versioning: editing publishes a new version; old versions never change."""

from __future__ import annotations

import pytest

from app.checklists.models import ChecklistVersion
from app.extensions import db


@pytest.fixture
def supervisor(world, login):
    return login(world.a.users["supervisor"])


ITEMS = [
    {
        "text_zh": "灭火器压力",
        "text_en": "Extinguisher pressure",
        "answer_type": "number",
        "min_value": 0.7,
        "max_value": 1.4,
        "unit": "MPa",
        "category": "fire",
        "severity": "high",
    },
    {"text_zh": "消防通道畅通", "text_en": "Fire exit clear", "category": "fire"},
]


def test_create_publishes_version_one(supervisor, world):
    resp = supervisor.post(
        "/api/v1/checklists",
        json={
            "property_id": world.a.prop.id,
            "kind": "fire_equipment",
            "name_zh": "消防设施检查",
            "name_en": "Fire equipment check",
            "items": ITEMS,
        },
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["current_version"]["number"] == 1
    items = body["current_version"]["items"]
    assert [i["position"] for i in items] == [1, 2]
    assert items[0]["min_value"] == 0.7 and items[0]["unit"] == "MPa"
    assert items[1]["answer_type"] == "pass_fail" and items[1]["photo_required_on_fail"] is True


def test_edit_creates_new_version_and_keeps_the_old(supervisor, world):
    tid = world.a.template.id
    v1 = supervisor.get(f"/api/v1/checklists/{tid}").get_json()["current_version"]
    edited = [
        {"text_zh": "楼道清洁无杂物", "text_en": "Corridor clean", "category": "cleaning"},
        {"text_zh": "应急灯正常", "text_en": "Emergency light works", "category": "equipment"},
    ]
    resp = supervisor.put(f"/api/v1/checklists/{tid}", json={"items": edited})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["current_version"]["number"] == 2
    assert [v["number"] for v in body["versions"]] == [1, 2]
    old = supervisor.get(f"/api/v1/checklists/{tid}/versions/1").get_json()
    assert old["items"] == v1["items"]
    scanned = supervisor.get(f"/api/v1/checkpoints/by-code/{world.a.checkpoint.code}").get_json()
    assert scanned["checklist"]["version"] == 2
    assert scanned["checklist"]["items"][1]["text_zh"] == "应急灯正常"


def test_publishing_identical_items_does_not_add_a_version(supervisor, world):
    tid = world.a.template.id
    current = supervisor.get(f"/api/v1/checklists/{tid}/versions/1").get_json()["items"]
    same = [{k: v for k, v in i.items() if k not in ("id", "position")} for i in current]
    resp = supervisor.put(f"/api/v1/checklists/{tid}", json={"items": same})
    assert resp.get_json()["current_version"]["number"] == 1
    assert db.session.query(ChecklistVersion).filter_by(template_id=tid).count() == 1


@pytest.mark.parametrize(
    "item,field",
    [
        (
            {
                "text_zh": "压力",
                "answer_type": "number",
                "min_value": 2,
                "max_value": 1,
                "category": "fire",
            },
            "items.0.min_value",
        ),
        ({"text_zh": "是否整洁", "min_value": 1, "category": "cleaning"}, "items.0.min_value"),
        ({"text_zh": "x", "category": "cleaning", "severity": "apocalyptic"}, "items.0.severity"),
        ({"category": "cleaning"}, "items.0.text_zh"),
    ],
)
def test_bad_items_are_refused(supervisor, world, item, field):
    resp = supervisor.put(f"/api/v1/checklists/{world.a.template.id}", json={"items": [item]})
    assert resp.status_code == 422
    assert field in resp.get_json()["errors"]
    assert (
        db.session.query(ChecklistVersion).filter_by(template_id=world.a.template.id).count() == 1
    )


def test_empty_checklist_is_refused(supervisor, world):
    resp = supervisor.put(f"/api/v1/checklists/{world.a.template.id}", json={"items": []})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["items"]


def test_one_template_per_kind(supervisor, world):
    resp = supervisor.post(
        "/api/v1/checklists",
        json={
            "property_id": world.a.prop.id,
            "kind": "stairwell",
            "name_zh": "重复",
            "items": ITEMS,
        },
    )
    assert resp.status_code == 409 and list(resp.get_json()["errors"]) == ["kind"]


def test_checkpoint_without_template_has_null_checklist(login, world, app):
    from tests import factories

    shop = factories.checkpoint(world.a.zone, kind="shop", name_zh="便利店")
    db.session.commit()
    client = login(world.a.users["assistant"])
    body = client.get(f"/api/v1/checkpoints/by-code/{shop.code}").get_json()
    assert body["checklist"] is None
    assert body["name_zh"] == "便利店"


def test_unknown_version_is_404(supervisor, world):
    assert supervisor.get(f"/api/v1/checklists/{world.a.template.id}/versions/9").status_code == 404


def test_item_keys_survive_edits(supervisor, world):
    tid = world.a.template.id
    v1 = supervisor.get(f"/api/v1/checklists/{tid}").get_json()["current_version"]["items"]
    clean, lights = v1[0], v1[1]
    edited = [
        {"text_zh": clean["text_zh"], "category": "cleaning"},  # unchanged text: same item
        {"key": lights["key"], "text_zh": "楼道照明及应急灯正常", "category": "equipment"},
        {"text_zh": "消防通道畅通", "category": "fire"},  # new item
    ]
    v2 = supervisor.put(f"/api/v1/checklists/{tid}", json={"items": edited}).get_json()
    keys = [i["key"] for i in v2["current_version"]["items"]]
    assert keys[0] == clean["key"]
    assert keys[1] == lights["key"]
    assert keys[2] not in (clean["key"], lights["key"])


@pytest.mark.parametrize("name", ["", " ", "\t \n"])
def test_a_checklist_name_cannot_be_blanked(supervisor, world, name):
    tpl_id = supervisor.post(
        "/api/v1/checklists",
        json={"property_id": world.a.prop.id, "kind": "shop", "name_zh": "商铺", "items": ITEMS},
    ).get_json()["id"]
    resp = supervisor.patch(f"/api/v1/checklists/{tpl_id}", json={"name_zh": name})
    assert resp.status_code == 422, resp.get_json()
    assert list(resp.get_json()["errors"]) == ["name_zh"]
    resp = supervisor.put(f"/api/v1/checklists/{tpl_id}", json={"name_zh": name, "items": ITEMS})
    assert resp.status_code == 422, resp.get_json()
    assert list(resp.get_json()["errors"]) == ["name_zh"]
    assert supervisor.get(f"/api/v1/checklists/{tpl_id}").get_json()["name_zh"] == "商铺"


def test_an_optional_english_name_may_be_cleared(supervisor, world):
    tpl_id = supervisor.post(
        "/api/v1/checklists",
        json={
            "property_id": world.a.prop.id,
            "kind": "shop",
            "name_zh": "商铺",
            "name_en": "Shop",
            "items": ITEMS,
        },
    ).get_json()["id"]
    resp = supervisor.patch(f"/api/v1/checklists/{tpl_id}", json={"name_en": " "})
    assert resp.status_code == 200, resp.get_json()
