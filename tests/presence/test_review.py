"""Doubtful inspections stay out of coverage; a supervisor's review moves it and is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.common.models import utcnow
from app.extensions import db
from app.plans.models import Slot
from app.presence.models import Review
from tests.plans.helpers import make_plan


@pytest.fixture
def plan(scene):
    """Today's all-day plan for world A's stairwell, assigned to the assistant."""
    a = scene.world.a
    made = make_plan(
        a.users["supervisor"],
        utcnow() - timedelta(days=1),
        property_id=a.prop.id,
        checkpoint_ids=[a.checkpoint.id],
        start_minute=0,
        end_minute=1440,
        assignee_ids=[a.users["assistant"].id],
    )
    db.session.commit()
    return made


def today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def coverage(client, prop_id: int) -> dict:
    day = today().isoformat()
    resp = client.get(f"/api/v1/coverage?property_id={prop_id}&from={day}&to={day}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["total"]


def slot_status(plan) -> str:
    db.session.expire_all()
    slots = db.session.query(Slot).filter_by(plan_id=plan.id, local_day=today()).all()
    return slots[0].status


def scanned_today() -> datetime:
    # Minutes ago, but never before today's local midnight (the slot's window).
    midnight = datetime.combine(today(), datetime.min.time(), ZoneInfo("Asia/Shanghai"))
    return max(datetime.now(UTC) - timedelta(minutes=3), midnight.astimezone(UTC))


def strict(login, scene, threshold: int = 80) -> None:
    admin = login(scene.world.a.users["admin"])
    resp = admin.put(
        f"/api/v1/presence/settings?property_id={scene.world.a.prop.id}",
        json={"threshold": threshold},
    )
    assert resp.status_code == 200 and resp.get_json()["threshold"] == threshold


def test_a_doubtful_inspection_is_done_doubtful_not_done(scene, plan, login):
    strict(login, scene)  # a typed code (70) is now below the threshold
    body = scene.submit(scene.world.a.checkpoint, scanned_today(), signed=False)
    assert body["presence"]["status"] == "doubtful"
    assert slot_status(plan) == "done_doubtful"
    supervisor = login(scene.world.a.users["supervisor"])
    total = coverage(supervisor, scene.world.a.prop.id)
    assert total["done"] == 0 and total["done_doubtful"] == 1 and total["coverage_pct"] == 0


def test_a_trusted_inspection_beats_a_doubtful_one_in_the_same_slot(scene, plan, login):
    strict(login, scene)
    t = scanned_today()
    scene.submit(scene.world.a.checkpoint, t - timedelta(seconds=60), signed=False)
    scene.submit(scene.world.a.checkpoint, t)
    assert slot_status(plan) == "done_on_time"


def test_accepting_a_doubtful_inspection_counts_it_and_is_audited(scene, plan, login):
    strict(login, scene)
    body = scene.submit(scene.world.a.checkpoint, scanned_today(), signed=False)
    supervisor = login(scene.world.a.users["supervisor"])
    queue = supervisor.get("/api/v1/presence/review").get_json()
    assert [i["id"] for i in queue["items"]] == [body["id"]]
    assert queue["items"][0]["presence"]["reasons"][0]["code"] == "code_typed"
    resp = supervisor.post(
        f"/api/v1/inspections/{body['id']}/review",
        json={"decision": "accept", "note": "摄像头坏了，已核实在场"},
    )
    assert resp.status_code == 201, resp.get_json()
    assert slot_status(plan) == "done_on_time"
    assert coverage(supervisor, scene.world.a.prop.id)["done"] == 1
    assert supervisor.get("/api/v1/presence/review").get_json()["items"] == []
    case = supervisor.get(f"/api/v1/presence/review/{body['id']}").get_json()
    assert case["inspection"]["presence"]["status"] == "accepted"
    [audit] = case["reviews"]
    assert audit["decision"] == "accept" and audit["previous_status"] == "doubtful"
    assert audit["reviewer"]["id"] == scene.world.a.users["supervisor"].id
    assert audit["note"] == "摄像头坏了，已核实在场" and audit["decided_at"]
    # ...and in the admins' audit log with the other set-up and review decisions
    admin = login(scene.world.a.users["admin"])
    [entry] = admin.get(
        "/api/v1/audit", query_string={"entity": "inspection", "entity_id": body["id"]}
    ).get_json()["items"]
    assert entry["action"] == "accept"
    assert entry["user"]["id"] == scene.world.a.users["supervisor"].id
    assert entry["changes"]["presence_status"] == ["doubtful", "accepted"]


def test_rejecting_an_inspection_removes_it_from_coverage_and_notes_the_record(scene, plan, login):
    body = scene.submit(scene.world.a.checkpoint, scanned_today())
    assert slot_status(plan) == "done_on_time"
    supervisor = login(scene.world.a.users["supervisor"])
    assert (
        supervisor.post(
            f"/api/v1/inspections/{body['id']}/review", json={"decision": "reject"}
        ).status_code
        == 422
    )  # a rejection needs a reason
    resp = supervisor.post(
        f"/api/v1/inspections/{body['id']}/review",
        json={"decision": "reject", "note": "监控显示当时不在现场"},
    )
    assert resp.status_code == 201
    assert slot_status(plan) == "pending"
    total = coverage(supervisor, scene.world.a.prop.id)
    assert total["done"] == 0 and total["extra"] == 0
    assistant = scene.world.a.users["assistant"]
    notes = supervisor.get(f"/api/v1/presence/notes?user_id={assistant.id}").get_json()
    assert [n["inspection_id"] for n in notes["items"]] == [body["id"]]
    assert notes["items"][0]["subject_user"]["id"] == assistant.id
    listed = scene.client.get(f"/api/v1/inspections/{body['id']}").get_json()
    assert listed["presence"]["status"] == "rejected"


def test_a_review_decision_can_never_be_changed(scene, login):
    body = scene.submit(scene.world.a.checkpoint)
    supervisor = login(scene.world.a.users["supervisor"])
    supervisor.post(
        f"/api/v1/inspections/{body['id']}/review", json={"decision": "reject", "note": "x"}
    )
    review = db.session.query(Review).one()
    review.note = "rewritten"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError):
        db.session.delete(db.session.query(Review).one())
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("role", ["assistant", "staff", "frontdesk"])
def test_only_supervisors_and_admins_review(scene, login, role):
    body = scene.submit(scene.world.a.checkpoint)
    client = login(scene.world.a.users[role])
    assert client.get("/api/v1/presence/review").status_code == 403
    decided = client.post(f"/api/v1/inspections/{body['id']}/review", json={"decision": "accept"})
    assert decided.status_code == 403


def test_another_propertys_supervisor_cannot_review(scene, login):
    body = scene.submit(scene.world.a.checkpoint)
    other = login(scene.world.b.users["supervisor"])
    resp = other.post(f"/api/v1/inspections/{body['id']}/review", json={"decision": "accept"})
    assert resp.status_code == 404


def test_settings_have_defaults_and_are_validated(scene, login):
    prop = scene.world.a.prop.id
    supervisor = login(scene.world.a.users["supervisor"])
    assert (
        supervisor.get(f"/api/v1/presence/settings?property_id={prop}").get_json()["threshold"]
        == 60
    )
    admin = login(scene.world.a.users["admin"])
    bad = admin.put(f"/api/v1/presence/settings?property_id={prop}", json={"threshold": 101})
    assert bad.status_code == 422 and "threshold" in bad.get_json()["errors"]
    assert (
        supervisor.put(
            f"/api/v1/presence/settings?property_id={prop}", json={"threshold": 50}
        ).status_code
        == 403
    )
    ok = admin.put(f"/api/v1/presence/settings?property_id={prop}", json={"threshold": 50})
    assert ok.status_code == 200 and ok.get_json()["threshold"] == 50
    [entry] = admin.get(
        "/api/v1/audit", query_string={"entity": "presence_setting", "property_id": prop}
    ).get_json()["items"]
    assert entry["entity_id"] == prop and entry["changes"] == {"threshold": [60, 50]}
