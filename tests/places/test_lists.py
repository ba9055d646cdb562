"""Back-office lists: search, sort, filters and pages the same way; property settings."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories


@pytest.fixture
def admin(world, login):
    return login(world.a.users["admin"])


def test_checkpoints_search_sort_filter_and_page(admin, world):
    zone = world.a.zone
    for name in ("东门消防栓", "西门消防栓", "北门岗亭"):
        factories.checkpoint(zone, name_zh=name, kind="fire_equipment")
    factories.checkpoint(world.b.zone, name_zh="东门消防栓B")
    db.session.commit()
    body = admin.get("/api/v1/checkpoints?q=消防栓&sort=-name_zh").get_json()
    assert [c["name_zh"] for c in body["items"]] == ["西门消防栓", "东门消防栓"]
    page = admin.get("/api/v1/checkpoints?kind=fire_equipment&sort=name_zh&per_page=2&page=2")
    assert page.get_json()["total"] == 3 and len(page.get_json()["items"]) == 1
    assert admin.get("/api/v1/checkpoints?sort=secret").status_code == 422


@pytest.mark.parametrize(
    "url,key",
    [
        ("/api/v1/zones?q={q}&sort=-name_zh", "name_zh"),
        ("/api/v1/units?q={q}&sort=-number", "number"),
        ("/api/v1/departments?q={q}&sort=code", "code"),
        ("/api/v1/properties?q={q}&sort=-code", "code"),
        ("/api/v1/routing-rules?q={q}&sort=category", "category"),
        ("/api/v1/checklists?q={q}&sort=kind", "kind"),
    ],
)
def test_every_list_takes_q_and_sort(admin, world, url, key):
    obj = {
        "name_zh": world.a.zone,
        "number": world.a.unit,
        "code": world.a.department if "departments" in url else world.a.prop,
        "category": world.a.rule,
        "kind": world.a.template,
    }[key]
    value = getattr(obj, key)
    body = admin.get(url.format(q=value)).get_json()
    assert body["total"] >= 1 and body["items"][0][key] == value
    assert admin.get(url.format(q="no-such-thing-xyz")).get_json()["total"] == 0
    assert admin.get(url.format(q=value) + "x").status_code == 422  # -name_zhx: unknown column


def test_property_sla_and_construction_hours_are_edited_and_validated(admin, world):
    url = f"/api/v1/properties/{world.a.prop.id}"
    resp = admin.patch(
        url,
        json={
            "sla_accept_minutes": 30,
            "sla_accept_urgent_minutes": 10,
            "sla_close_hours": 72,
            "sla_close_urgent_hours": 12,
            "construction_start": "09:00",
            "construction_end": "17:30",
        },
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["sla_accept_minutes"], body["sla_close_urgent_hours"]) == (30, 12)
    assert (body["construction_start"], body["construction_end"]) == ("09:00", "17:30")
    for bad, field in (
        ({"sla_accept_minutes": 0}, "sla_accept_minutes"),
        ({"construction_start": "25:00"}, "construction_start"),
        ({"construction_start": "18:00"}, "construction_end"),
    ):
        refused = admin.patch(url, json=bad)
        assert refused.status_code == 422 and field in refused.get_json()["errors"], bad
    assert admin.get(url).get_json()["construction_start"] == "09:00"


@pytest.mark.parametrize(
    "role,status", [("admin", 200), ("supervisor", 403), ("frontdesk", 403), ("staff", 403)]
)
def test_only_admins_edit_property_settings(world, login, role, status):
    client = login(world.a.users[role])
    url = f"/api/v1/properties/{world.a.prop.id}"
    assert client.patch(url, json={"sla_close_hours": 48}).status_code == status


def test_another_property_is_not_found(admin, world):
    assert (
        admin.patch(
            f"/api/v1/properties/{world.b.prop.id}", json={"sla_close_hours": 48}
        ).status_code
        == 404
    )
    assert admin.delete(f"/api/v1/units/{world.b.unit.id}").status_code == 404


def test_vocab_names_audit_entities_and_channel_kinds(client):
    body = client.get("/api/v1/vocab").get_json()
    assert {e["code"]: e["zh"] for e in body["audit_entities"]}["routing_rule"] == "派单规则"
    assert {a["code"] for a in body["audit_actions"]} >= {"publish", "reissue_code", "import"}
    assert {k["code"] for k in body["channel_kinds"]} == {"webhook", "wecom", "email"}


def test_shifts_take_q_and_sort(admin, world):
    for code, start in (("early", "08:30"), ("middle", "13:00")):
        body = {
            "property_id": world.a.prop.id,
            "code": code,
            "name_zh": f"{code}班",
            "role": "assistant",
            "start_time": start,
            "end_time": "21:00",
        }
        assert admin.post("/api/v1/shifts", json=body).status_code == 201
    listed = admin.get("/api/v1/shifts?sort=-start_minute").get_json()["items"]
    assert [s["code"] for s in listed] == ["middle", "early"]
    assert [s["code"] for s in admin.get("/api/v1/shifts?q=EARL").get_json()["items"]] == ["early"]
