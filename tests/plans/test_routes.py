"""The plans API: shifts, plans and their versions, slots, excusing, hand-over notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g

from app.extensions import db
from app.plans import handover
from tests import factories
from tests.plans.conftest import MON, NOW0
from tests.plans.helpers import local, make_plan, slots_of


def _tomorrow(site) -> str:
    return (
        datetime.now(UTC).astimezone(ZoneInfo(site.prop.timezone)).date() + timedelta(days=1)
    ).isoformat()


def _body(site, **kw):
    return {
        "property_id": site.prop.id,
        "name_zh": "1幢日常巡查",
        "name_en": "Building 1 daily",
        "zone_id": site.zone.id,
        "frequency": "daily",
        "start_time": "00:00",
        "end_time": "24:00",
        "assignee_ids": [site.users["assistant"].id],
        "starts_on": _tomorrow(site),
        **kw,
    }


def test_a_supervisor_creates_edits_and_pauses_a_plan(site, login):
    client = login(site.users["supervisor"])
    resp = client.post("/api/v1/plans", json=_body(site, grace_minutes=30))
    assert resp.status_code == 201, resp.get_json()
    plan = resp.get_json()
    assert plan["current"]["start_time"] == "00:00" and plan["current"]["end_time"] == "24:00"
    slots = client.get(f"/api/v1/slots?property_id={site.prop.id}&plan_id={plan['id']}").get_json()
    assert slots["total"] == 3 and {s["local_day"] for s in slots["items"]} == {_tomorrow(site)}
    edited = client.patch(f"/api/v1/plans/{plan['id']}", json={"end_time": "12:00"}).get_json()
    assert [v["number"] for v in edited["versions"]] == [1, 2]
    assert edited["versions"][0]["valid_until"] == edited["current"]["valid_from"]
    paused = client.patch(f"/api/v1/plans/{plan['id']}", json={"paused": True}).get_json()
    assert paused["current"]["paused"] is True
    after = client.get(f"/api/v1/slots?property_id={site.prop.id}&plan_id={plan['id']}").get_json()
    assert after["total"] == 0  # nothing had started yet
    listed = client.get(f"/api/v1/plans?property_id={site.prop.id}").get_json()
    assert listed["total"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"zone_id": None}, "zone_id"),
        ({"frequency": "shift"}, "shift_ids"),
        ({"frequency": "weekdays"}, "weekdays"),
        ({"month_day": 31}, "month_day"),
        ({"start_time": "25:00"}, "start_time"),
        ({"assignee_ids": []}, "assignee_ids"),
        ({"starts_on": "2020-01-01"}, "starts_on"),
        ({"frequency": "hourly"}, "frequency"),
    ],
)
def test_plans_that_cannot_expand_are_refused(site, login, change, field):
    client = login(site.users["supervisor"])
    resp = client.post("/api/v1/plans", json=_body(site, **change))
    assert resp.status_code == 422, resp.get_json()
    assert field in resp.get_json()["errors"]


def test_another_propertys_zone_or_assignee_is_refused(world, site, login):
    client = login(site.users["supervisor"])
    resp = client.post("/api/v1/plans", json=_body(site, zone_id=world.b.zone.id))
    assert resp.status_code == 404 and "zone_id" in resp.get_json()["errors"]
    other = world.b.users["assistant"].id
    resp = client.post("/api/v1/plans", json=_body(site, assignee_ids=[other]))
    assert resp.status_code == 422 and "assignee_ids" in resp.get_json()["errors"]


def test_shifts_are_listed_to_all_and_changed_by_planners(site, login):
    assistant = login(site.users["assistant"])
    body = assistant.get(f"/api/v1/shifts?property_id={site.prop.id}").get_json()
    assert [(s["code"], s["start_time"], s["end_time"]) for s in body["items"]] == [
        ("early", "08:30", "17:30"),
        ("middle", "13:00", "21:00"),
    ]
    new = {
        "property_id": site.prop.id,
        "code": "night",
        "name_zh": "夜班",
        "role": "assistant",
        "start_time": "21:00",
        "end_time": "08:30",
    }
    assert assistant.post("/api/v1/shifts", json=new).status_code == 403
    admin = login(site.users["admin"])
    created = admin.post("/api/v1/shifts", json=new)
    assert created.status_code == 201, created.get_json()
    assert admin.post("/api/v1/shifts", json=new).status_code == 409
    changed = admin.patch(f"/api/v1/shifts/{created.get_json()['id']}", json={"end_time": "08:00"})
    assert changed.get_json()["end_time"] == "08:00"


def test_only_a_supervisor_excuses_and_only_open_slots(world, site, login):
    plan = make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        start_minute=540,
        end_minute=720,
        assignee_role="assistant",
        starts_on=MON,
    )
    db.session.commit()
    slot = slots_of(plan, MON)[0]
    url = f"/api/v1/slots/{slot.id}/excuse"
    for role in ("assistant", "frontdesk", "admin", "inspector", "staff"):
        assert login(site.users[role]).post(url, json={"reason": "x"}).status_code == 403, role
    assert login(world.b.users["supervisor"]).post(url, json={"reason": "x"}).status_code == 404
    supervisor = login(site.users["supervisor"])
    assert supervisor.post(url, json={"reason": " "}).status_code == 422
    resp = supervisor.post(url, json={"reason": "消防通道封闭施工 / closed for works"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "excused" and resp.get_json()["status_en"] == "Excused"
    assert supervisor.post(url, json={"reason": "again"}).status_code == 409


def test_slot_lists_are_for_the_dispatch_side_and_mine_for_everyone(site, login):
    make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        start_minute=0,
        end_minute=1440,
        assignee_ids=[site.users["assistant"].id],
    )
    db.session.commit()
    assert login(site.users["assistant"]).get("/api/v1/slots").status_code == 403
    assert login(site.users["frontdesk"]).get("/api/v1/slots").status_code == 200
    mine = login(site.users["assistant"]).get("/api/v1/slots/mine")
    assert mine.status_code == 200 and isinstance(mine.get_json()["items"], list)


def test_handover_goes_to_the_next_shift_of_the_same_role(world, site):
    mate = factories.user("assistant", [site.prop], username="assistant_mate")
    g.user = site.users["assistant"]
    plan = make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        shift_ids=[site.shifts["early"].id],
        assignee_ids=[site.users["assistant"].id],
        starts_on=MON,
    )
    g.user = site.users["assistant"]
    note = handover.create_note(
        {"property_id": site.prop.id, "note": "3号楼梯间未巡，钥匙在前台"}, now=local(MON, 17)
    )
    assert note.from_shift.code == "early" and note.to_shift.code == "middle"
    assert note.for_day == MON
    assert sorted(note.slot_ids) == sorted(s.id for s in slots_of(plan, MON))
    late = handover.create_note(
        {"property_id": site.prop.id, "note": "夜间照明已报修"}, now=local(MON, 20, 50)
    )
    assert (late.from_shift.code, late.to_shift.code, late.for_day) == (
        "middle",
        "early",
        MON + timedelta(days=1),
    )
    assert [n.id for n in handover.my_notes(mate, now=local(MON, 17, 5))] == [late.id, note.id]
    assert handover.my_notes(site.users["assistant"], now=local(MON, 17, 5)) == []
    assert handover.my_notes(world.b.users["assistant"], now=local(MON, 17, 5)) == []
    assert handover.my_notes(site.users["frontdesk"], now=local(MON, 17, 5)) == []
    assert handover.my_notes(mate, now=local(MON + timedelta(days=3), 9)) == []


def test_handover_over_http(site, login):
    mate = factories.user("assistant", [site.prop], username="assistant_mate2")
    named = factories.user("assistant", [site.prop], username="assistant_named")
    db.session.commit()
    client = login(site.users["assistant"])
    resp = client.post(
        "/api/v1/handovers", json={"property_id": site.prop.id, "note": "交接：E幢电梯异响"}
    )
    assert resp.status_code == 201, resp.get_json()
    note = resp.get_json()
    assert note["author"]["username"] == site.users["assistant"].username
    mine = login(mate).get("/api/v1/handovers/mine").get_json()["items"]
    assert [n["id"] for n in mine] == [note["id"]]
    acked = login(mate).post(f"/api/v1/handovers/{note['id']}/ack")
    assert acked.status_code == 200 and acked.get_json()["acknowledged_at"]
    direct = client.post(
        "/api/v1/handovers",
        json={"property_id": site.prop.id, "note": "给你", "to_user_id": named.id},
    ).get_json()
    named_notes = login(named).get("/api/v1/handovers/mine").get_json()["items"]
    assert named_notes[0]["id"] == direct["id"]
    assert (
        login(site.users["staff"])
        .post("/api/v1/handovers", json={"property_id": site.prop.id, "note": "x"})
        .status_code
        == 403
    )
    assert login(site.users["staff"]).post(f"/api/v1/handovers/{note['id']}/ack").status_code == 404


def test_a_submitted_inspection_fulfils_its_slot(site, login):
    from app.common.models import utcnow
    from tests.inspections.conftest import submission

    plan = make_plan(
        site.users["supervisor"],
        utcnow() - timedelta(days=1),
        property_id=site.prop.id,
        checkpoint_ids=[site.checkpoint.id],
        start_minute=0,
        end_minute=1440,
        assignee_ids=[site.users["assistant"].id],
    )
    db.session.commit()
    client = login(site.users["assistant"])
    items = client.get(f"/api/v1/checkpoints/by-code/{site.checkpoint.code}").get_json()
    resp = client.post(
        "/api/v1/inspections", json=submission(site.checkpoint.code, items["checklist"]["items"])
    )
    assert resp.status_code == 201, resp.get_json()
    db.session.expire_all()
    done = [s for s in slots_of(plan) if s.status == "done_on_time"]
    assert [s.inspection_id for s in done] == [resp.get_json()["id"]]
    mine = client.get("/api/v1/slots/mine").get_json()["items"]
    assert any(s["status"] == "done_on_time" for s in mine)


def test_the_next_shift_sees_the_handed_over_checkpoints(site, login):
    plan = make_plan(
        site.users["supervisor"],
        NOW0,
        property_id=site.prop.id,
        zone_id=site.zone.id,
        start_minute=540,
        end_minute=720,
        assignee_role="assistant",
        starts_on=MON,
    )
    mate = factories.user("assistant", [site.prop], username="assistant_mate3")
    db.session.commit()
    handed = slots_of(plan, MON)[:1]
    resp = login(site.users["assistant"]).post(
        "/api/v1/handovers",
        json={"property_id": site.prop.id, "note": "A幢没巡完", "slot_ids": [s.id for s in handed]},
    )
    assert resp.status_code == 201, resp.get_json()
    [note] = login(mate).get("/api/v1/handovers/mine").get_json()["items"]
    assert [(s["id"], s["status"], s["checkpoint"]["code"]) for s in note["slots"]] == [
        (handed[0].id, "pending", handed[0].checkpoint.code)
    ]
    assert note["slots"][0]["checkpoint"]["zone"]["name_zh"] == site.zone.name_zh
