"""Places over HTTP: codes, filters, pagination and the rules that keep data consistent."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.places.models import Checkpoint, Zone
from app.places.service import CODE_ALPHABET
from tests import factories


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


def test_new_checkpoint_gets_a_readable_unique_code_and_label_url(admin, world):
    resp = admin.post(
        "/api/v1/checkpoints",
        json={
            "zone_id": world.a.zone.id,
            "kind": "fire_equipment",
            "name_zh": "5F 消防栓",
            "name_en": "5F hydrant",
            "location": "五楼电梯口",
            "lat": 21.27,
            "lng": 110.36,
        },
    )
    assert resp.status_code == 201
    body = resp.get_json()
    assert len(body["code"]) == 6 and set(body["code"]) <= set(CODE_ALPHABET)
    assert body["url"] == f"https://patrol.example.com/c/{body['code']}"
    assert body["property_id"] == world.a.prop.id
    assert body["zone"]["name_zh"] == world.a.zone.name_zh


def test_chosen_code_is_upper_cased_and_must_be_unique(admin, world):
    resp = admin.post(
        "/api/v1/checkpoints",
        json={"zone_id": world.a.zone.id, "kind": "shop", "name_zh": "便利店", "code": "shop-01"},
    )
    assert resp.status_code == 201 and resp.get_json()["code"] == "SHOP-01"
    resp = admin.post(
        "/api/v1/checkpoints",
        json={"zone_id": world.a.zone.id, "kind": "shop", "name_zh": "花店", "code": "SHOP-01"},
    )
    assert resp.status_code == 409 and list(resp.get_json()["errors"]) == ["code"]


@pytest.mark.parametrize("lat", [91, -91, "north"])
def test_bad_coordinates_are_refused(admin, world, lat):
    resp = admin.post(
        "/api/v1/checkpoints",
        json={"zone_id": world.a.zone.id, "kind": "shop", "name_zh": "店", "lat": lat},
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["lat"]


def test_by_code_is_case_insensitive_and_refuses_retired(login, admin, world):
    assistant = login(world.a.users["assistant"])
    code = world.a.checkpoint.code
    assert assistant.get(f"/api/v1/checkpoints/by-code/{code.lower()}").status_code == 200
    assert admin.delete(f"/api/v1/checkpoints/{world.a.checkpoint.id}").status_code == 204
    resp = assistant.get(f"/api/v1/checkpoints/by-code/{code}")
    assert resp.status_code == 404
    assert resp.get_json()["detail_zh"] == "该点位已停用"
    # Deactivated, not deleted: it is still listed for the admin with active=false.
    assert admin.get(f"/api/v1/checkpoints/{world.a.checkpoint.id}").get_json()["active"] is False


def test_checkpoint_cannot_move_to_another_property(admin, world):
    resp = admin.patch(
        f"/api/v1/checkpoints/{world.a.checkpoint.id}", json={"zone_id": world.b.zone.id}
    )
    assert resp.status_code == 404 and list(resp.get_json()["errors"]) == ["zone_id"]
    assert db.session.get(Checkpoint, world.a.checkpoint.id).zone_id == world.a.zone.id


def test_checkpoint_filters_and_search(admin, world):
    grounds = factories.zone(world.a.prop, kind="grounds", name_zh="园区")
    lamp = factories.checkpoint(grounds, kind="grounds_lighting", name_zh="主干道路灯")
    db.session.commit()
    by_zone = admin.get(f"/api/v1/checkpoints?zone_id={grounds.id}").get_json()
    assert [c["id"] for c in by_zone["items"]] == [lamp.id]
    by_kind = admin.get("/api/v1/checkpoints?kind=stairwell").get_json()
    assert [c["id"] for c in by_kind["items"]] == [world.a.checkpoint.id]
    found = admin.get("/api/v1/checkpoints?q=路灯").get_json()
    assert [c["id"] for c in found["items"]] == [lamp.id]


def test_pagination_reports_total_and_pages(admin, world):
    for _ in range(7):
        factories.checkpoint(world.a.zone)
    db.session.commit()
    first = admin.get("/api/v1/checkpoints?per_page=3").get_json()
    last = admin.get("/api/v1/checkpoints?per_page=3&page=3").get_json()
    assert first["total"] == 8 and len(first["items"]) == 3
    assert len(last["items"]) == 2
    seen = {
        c["id"]
        for p in (1, 2, 3)
        for c in admin.get(f"/api/v1/checkpoints?per_page=3&page={p}").get_json()["items"]
    }
    assert len(seen) == 8


def test_unit_belongs_to_a_building(admin, world):
    grounds = factories.zone(world.a.prop, kind="grounds", name_zh="园区")
    db.session.commit()
    resp = admin.post("/api/v1/units", json={"zone_id": grounds.id, "floor": 1, "number": "101"})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["zone_id"]
    resp = admin.post(
        "/api/v1/units",
        json={"zone_id": world.a.zone.id, "floor": 1, "number": "101", "status": "handed_over"},
    )
    assert resp.status_code == 201 and resp.get_json()["status"] == "handed_over"
    again = admin.post(
        "/api/v1/units", json={"zone_id": world.a.zone.id, "floor": 1, "number": "101"}
    )
    assert again.status_code == 409


def test_unit_status_filter(admin, world):
    factories.unit(world.a.zone, number="1201", status="renovating")
    db.session.commit()
    items = admin.get("/api/v1/units?status=renovating").get_json()["items"]
    assert [u["number"] for u in items] == ["1201"]
    resp = admin.get("/api/v1/units?status=flying")
    assert resp.status_code == 422


def test_property_time_zone_is_validated(admin):
    resp = admin.post(
        "/api/v1/properties", json={"code": "X", "name": "新", "timezone": "Mars/Base"}
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["timezone"]
    resp = admin.post("/api/v1/properties", json={"code": "X", "name": "新"})
    assert resp.status_code == 201 and resp.get_json()["timezone"] == "Asia/Shanghai"


def test_new_property_is_granted_to_its_creator(admin, world):
    created = admin.post("/api/v1/properties", json={"code": "nw", "name": "新项目"}).get_json()
    assert created["code"] == "NW"
    mine = [p["id"] for p in admin.get("/api/v1/me").get_json()["properties"]]
    assert created["id"] in mine
    zone = admin.post(
        "/api/v1/zones", json={"property_id": created["id"], "kind": "grounds", "name_zh": "园区"}
    )
    assert zone.status_code == 201


def test_department_in_use_cannot_be_deactivated(admin, world):
    resp = admin.delete(f"/api/v1/departments/{world.a.department.id}")
    assert resp.status_code == 409
    spare = factories.department(world.a.prop, code="SPARE", name_zh="备用部")
    db.session.commit()
    assert admin.delete(f"/api/v1/departments/{spare.id}").status_code == 204
    assert admin.get(f"/api/v1/departments/{spare.id}").get_json()["active"] is False


def test_routing_rule_must_point_inside_its_property(admin, world):
    resp = admin.post(
        "/api/v1/routing-rules",
        json={
            "property_id": world.a.prop.id,
            "category": "fire",
            "department_id": world.b.department.id,
        },
    )
    assert resp.status_code == 404 and list(resp.get_json()["errors"]) == ["department_id"]
    resp = admin.post(
        "/api/v1/routing-rules",
        json={
            "property_id": world.a.prop.id,
            "category": "equipment",
            "department_id": world.a.department.id,
        },
    )
    assert resp.status_code == 409 and list(resp.get_json()["errors"]) == ["category"]


def test_routing_lookup(world, app):
    from app.places.service import route

    assert route(world.a.prop.id, "equipment").id == world.a.department.id
    assert route(world.a.prop.id, "greening") is None
    assert route(world.b.prop.id, "equipment").id == world.b.department.id


def test_zone_patch_cannot_change_property(admin, world):
    resp = admin.patch(f"/api/v1/zones/{world.a.zone.id}", json={"property_id": world.b.prop.id})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["property_id"]
    assert db.session.get(Zone, world.a.zone.id).property_id == world.a.prop.id


def test_vocab_lists_codes_in_both_languages(client):
    body = client.get("/api/v1/vocab").get_json()
    kinds = {k["code"]: k for k in body["checkpoint_kinds"]}
    assert kinds["fire_equipment"]["zh"] == "消防设施"
    assert kinds["fire_equipment"]["en"] == "Fire equipment"
    assert {c["code"] for c in body["categories"]} >= {"house", "equipment", "government"}
    statuses = {s["code"]: s["zh"] for s in body["ticket_statuses"]}
    assert statuses["resolved"] == "待验证"
    assert {a["code"] for a in body["ticket_actions"]} >= {"accept", "verify", "approve_delay"}


def test_code_changes_only_through_reissue(admin, world):
    resp = admin.patch(f"/api/v1/checkpoints/{world.a.checkpoint.id}", json={"code": "HIJACK"})
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["code"]
    assert db.session.get(Checkpoint, world.a.checkpoint.id).code == world.a.checkpoint.code


@pytest.mark.parametrize("how", ["delete", "patch"])
def test_deactivating_a_zone_deactivates_its_checkpoints_and_says_so(admin, world, how):
    other = factories.checkpoint(world.a.zone)
    retired = factories.checkpoint(world.a.zone)
    retired.active = False
    elsewhere = factories.zone(world.a.prop)
    kept = factories.checkpoint(elsewhere)
    db.session.commit()
    url = f"/api/v1/zones/{world.a.zone.id}"
    if how == "delete":  # scripts rely on DELETE answering 204, as it always has
        assert admin.delete(url).status_code == 204
    else:
        resp = admin.patch(url, json={"active": False})
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["active"] is False
        assert body["checkpoints_deactivated"] == sorted([world.a.checkpoint.id, other.id])
        assert "2" in body["notice_zh"] and "2 checkpoints" in body["notice_en"]
    db.session.expire_all()
    assert not db.session.get(Checkpoint, world.a.checkpoint.id).active
    assert not db.session.get(Checkpoint, other.id).active
    assert db.session.get(Checkpoint, kept.id).active
    listed = admin.get(f"/api/v1/checkpoints?zone_id={world.a.zone.id}&active=true").get_json()
    assert listed["items"] == []


def test_a_new_unit_keeps_its_status_note_in_history(admin, world):
    resp = admin.post(
        "/api/v1/units",
        json={
            "zone_id": world.a.zone.id,
            "floor": 3,
            "number": "301",
            "status": "handed_over",
            "status_note": "业主已收楼",
        },
    )
    assert resp.status_code == 201, resp.get_json()
    assert "status_note" not in resp.get_json()
    history = admin.get(f"/api/v1/units/{resp.get_json()['id']}/history").get_json()
    assert [(h["from_status"], h["to_status"], h["note"]) for h in history] == [
        (None, "handed_over", "业主已收楼")
    ]


def test_a_new_unit_without_a_note_has_no_history(admin, world):
    resp = admin.post(
        "/api/v1/units", json={"zone_id": world.a.zone.id, "floor": 3, "number": "302"}
    )
    assert resp.status_code == 201, resp.get_json()
    assert admin.get(f"/api/v1/units/{resp.get_json()['id']}/history").get_json() == []


def test_control_characters_in_a_zone_name_are_refused(admin, world):
    before = db.session.query(Zone).count()
    resp = admin.post(
        "/api/v1/zones",
        json={"property_id": world.a.prop.id, "kind": "building", "name_zh": "坏\u0001区"},
    )
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["name_zh"]
    assert db.session.query(Zone).count() == before
