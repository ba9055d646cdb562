"""Tickets through every state, with the right roles only, leaving a complete history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.tickets.models import Ticket, TicketEvent
from tests import factories
from tests.inspections.conftest import upload
from tests.tickets.conftest import signed_label, step

ROLES = ["assistant", "inspector", "frontdesk", "staff", "supervisor", "admin"]


def now_iso(minutes: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def test_failed_item_walks_every_state(world, as_role, failed_ticket):
    tid = failed_ticket["id"]
    staff, supervisor = as_role("staff"), as_role("supervisor")

    assert step(staff, tid, "accept").get_json()["status"] == "accepted"
    assert step(staff, tid, "start", note="已派电工").get_json()["status"] == "in_progress"
    missing_photo = step(staff, tid, "resolve", note="换了灯管")
    assert missing_photo.status_code == 422
    assert list(missing_photo.get_json()["errors"]) == ["photo_ids"]
    after = upload(staff, colour=(30, 200, 30))
    resolved = step(staff, tid, "resolve", note="换了灯管", photo_ids=[after])
    assert resolved.status_code == 200 and resolved.get_json()["status"] == "resolved"

    wrong_code = step(
        supervisor,
        tid,
        "verify",
        checkpoint_code=world.b.checkpoint.code,
        scanned_at=now_iso(),
        photo_ids=[upload(supervisor)],
    )
    assert wrong_code.status_code == 422
    assert list(wrong_code.get_json()["errors"]) == ["checkpoint_code"]
    stale = step(
        supervisor,
        tid,
        "verify",
        checkpoint_code=world.a.checkpoint.code,
        scanned_at=now_iso(-60),
        photo_ids=[upload(supervisor)],
    )
    assert list(stale.get_json()["errors"]) == ["scanned_at"]
    check_photo = upload(supervisor, colour=(30, 30, 200))
    verified = step(
        supervisor,
        tid,
        "verify",
        checkpoint_code=world.a.checkpoint.code.lower(),
        scanned_at=now_iso(),
        photo_ids=[check_photo],
    )
    assert verified.status_code == 200 and verified.get_json()["status"] == "verified"
    closed = step(supervisor, tid, "close", note="验证通过")
    assert closed.status_code == 200
    body = closed.get_json()
    assert body["status"] == "closed" and body["closed_at"]
    assert [e["action"] for e in body["events"]] == [
        "create",
        "accept",
        "start",
        "resolve",
        "verify",
        "close",
    ]
    assert [(e["from_status"], e["to_status"]) for e in body["events"][1:]] == [
        ("new", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "verified"),
        ("verified", "closed"),
    ]
    assert [e["actor"]["username"] for e in body["events"]] == [
        "assistant_a",
        "staff_a",
        "staff_a",
        "staff_a",
        "supervisor_a",
        "supervisor_a",
    ]
    # Before and after, side by side.
    assert len(body["before_photos"]) == 1
    assert [p["id"] for p in body["after_photos"]] == [after, check_photo]
    assert body["allowed_actions"] == ["comment"]


def test_complaint_from_the_front_desk(world, as_role):
    frontdesk, staff = as_role("frontdesk"), as_role("staff")
    resp = frontdesk.post(
        "/api/v1/tickets",
        json={
            "property_id": world.a.prop.id,
            "category": "environment",
            "unit_id": world.a.unit.id,
            "description": "楼道有装修垃圾堆放\n已两天",
            "reporter_name": "王女士",
            "reporter_phone": "13812345678",
            "priority": "urgent",
            "source": "phone",
            "photo_ids": [upload(frontdesk)],
        },
    )
    assert resp.status_code == 201, resp.get_json()
    ticket = resp.get_json()
    assert ticket["kind"] == "complaint" and ticket["priority"] == "urgent"
    assert ticket["department_id"] is None  # no rule for 环境卫生类 at A: front desk dispatches
    assert ticket["zone_id"] == world.a.zone.id  # taken from the unit
    assert ticket["reporter_phone"] == "13812345678"  # the front desk sees it in full
    assert ticket["title"] == "楼道有装修垃圾堆放"
    due = datetime.fromisoformat(ticket["accept_due_at"]) - datetime.fromisoformat(
        ticket["created_at"]
    )
    assert due == pytest.approx(timedelta(minutes=15), abs=timedelta(seconds=5))
    listed = frontdesk.get("/api/v1/tickets?kind=complaint").get_json()["items"][0]
    assert listed["reporter_phone"] == "138****5678"  # masked in lists

    tid = ticket["id"]
    assert step(staff, tid, "accept").status_code == 404  # not (yet) their department's
    dispatched = step(
        frontdesk, tid, "reassign", department_id=world.a.department.id, note="派工程部处理"
    )
    assert dispatched.status_code == 200
    assert dispatched.get_json()["department"]["code"] == "ENG"
    detail = staff.get(f"/api/v1/tickets/{tid}").get_json()
    assert detail["reporter_phone"] == "138****5678"  # staff never see it in full
    for action, extra in (
        ("accept", {}),
        ("start", {}),
        ("resolve", {"note": "已清运", "photo_ids": [upload(staff)]}),
    ):
        assert step(staff, tid, action, **extra).status_code == 200
    assert step(frontdesk, tid, "verify", note="现场已清理").status_code == 200
    no_callback = step(frontdesk, tid, "close")
    assert no_callback.status_code == 422
    assert list(no_callback.get_json()["errors"]) == ["callback_satisfied"]
    closed = step(
        frontdesk, tid, "close", callback_satisfied=True, callback_note="已电话回访王女士，满意"
    )
    assert closed.status_code == 200
    assert closed.get_json()["callback_satisfied"] is True


@pytest.mark.parametrize(
    "field,value",
    [
        ("category", "greening"),
        ("reporter_phone", "call me"),
        ("priority", "asap"),
        ("description", ""),
        ("unit_id", 999999),
    ],
)
def test_bad_complaints_are_refused(world, as_role, field, value):
    body = {
        "property_id": world.a.prop.id,
        "category": "house",
        "description": "漏水",
        "unit_id": world.a.unit.id,
        field: value,
    }
    resp = as_role("frontdesk").post("/api/v1/tickets", json=body)
    assert resp.status_code in (404, 422)
    assert field in resp.get_json()["errors"]
    assert db.session.query(Ticket).count() == 0


def test_complaint_needs_a_location(world, as_role):
    resp = as_role("frontdesk").post(
        "/api/v1/tickets",
        json={"property_id": world.a.prop.id, "category": "house", "description": "漏水"},
    )
    assert resp.status_code == 422 and list(resp.get_json()["errors"]) == ["location_text"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_take_in_complaints(world, as_role, role):
    resp = as_role(role).post(
        "/api/v1/tickets",
        json={
            "property_id": world.a.prop.id,
            "category": "house",
            "description": "漏水",
            "location_text": "A幢 3F",
        },
    )
    assert resp.status_code == (201 if role in ("frontdesk", "supervisor") else 403)


# Which roles may take each step (from a state where the step is legal).
MAY = {
    "accept": {"staff"},
    "start": {"staff"},
    "resolve": {"staff"},
    "verify": {"frontdesk", "supervisor"},
    "reopen": {"frontdesk", "supervisor"},
    "close": {"frontdesk", "supervisor"},
    "reassign": {"frontdesk", "supervisor"},
}
SETUP = {  # steps (by staff / supervisor) that bring a new ticket to where the action is legal
    "accept": [],
    "start": [("staff", "accept")],
    "resolve": [("staff", "accept")],
    "verify": [("staff", "accept"), ("staff", "resolve")],
    "reopen": [("staff", "accept"), ("staff", "resolve")],
    "close": [("staff", "accept"), ("staff", "resolve"), ("supervisor", "verify")],
    "reassign": [],
}


def _payload(world, client, action: str) -> dict:
    return {
        "resolve": {"note": "修好了", "photo_ids": [upload(client)]},
        "verify": {
            "checkpoint_code": world.a.checkpoint.code,
            "scanned_at": now_iso(),
            "photo_ids": [upload(client)],
            **signed_label(world.a.checkpoint),
        },
        "reopen": {"note": "灯还是不亮"},
        "reassign": {"department_id": world.a.department.id, "note": "重新派单"},
    }.get(action, {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MAY))
def test_role_matrix(world, as_role, failed_ticket, action, role):
    tid = failed_ticket["id"]
    for who, prior in SETUP[action]:
        client = as_role(who)
        assert step(client, tid, prior, **_payload(world, client, prior)).status_code == 200
    client = as_role(role)
    before = db.session.query(TicketEvent).count()
    resp = step(client, tid, action, **_payload(world, client, action))
    if role in MAY[action]:
        assert resp.status_code == 200, resp.get_json()
    else:
        assert resp.status_code == 403, resp.get_json()
        db.session.expire_all()
        assert db.session.query(TicketEvent).count() == before


@pytest.mark.parametrize(
    "action,role",
    [
        ("start", "staff"),
        ("resolve", "staff"),
        ("verify", "supervisor"),
        ("close", "supervisor"),
        ("reopen", "frontdesk"),
        ("approve_delay", "supervisor"),
    ],
)
def test_illegal_transitions_are_409_naming_the_allowed(
    world, as_role, failed_ticket, action, role
):
    client = as_role(role)
    resp = step(client, failed_ticket["id"], action, **_payload(world, client, action))
    assert resp.status_code == 409
    body = resp.get_json()
    assert "allowed" in body and action not in body["allowed"]
    assert body["detail_zh"]


def test_staff_of_another_department_cannot_see_or_touch(world, as_role, failed_ticket, login):
    from tests import factories

    env = factories.department(world.a.prop, code="ENV", name_zh="环境部")
    cleaner = factories.user("staff", [world.a.prop], env, username="cleaner_a")
    db.session.commit()
    client = login(cleaner)
    assert client.get(f"/api/v1/tickets/{failed_ticket['id']}").status_code == 404
    assert step(client, failed_ticket["id"], "accept").status_code == 404


def test_reopen_goes_back_to_the_department_and_is_counted(world, as_role, failed_ticket):
    tid = failed_ticket["id"]
    staff, supervisor = as_role("staff"), as_role("supervisor")
    step(staff, tid, "accept")
    step(staff, tid, "resolve", note="修好了", photo_ids=[upload(staff)])
    assert step(supervisor, tid, "reopen").status_code == 422  # a reason is required
    reopened = step(supervisor, tid, "reopen", note="复查仍不亮").get_json()
    assert reopened["status"] == "reopened" and reopened["reopen_count"] == 1
    assert "accept" in staff.get(f"/api/v1/tickets/{tid}").get_json()["allowed_actions"]
    assert step(staff, tid, "start").get_json()["status"] == "in_progress"


def test_overdue_ticket_needs_an_approved_delay_to_close(world, as_role, failed_ticket):
    tid = failed_ticket["id"]
    staff, supervisor = as_role("staff"), as_role("supervisor")
    step(staff, tid, "accept")
    step(staff, tid, "resolve", note="修好了", photo_ids=[upload(staff)])
    step(
        supervisor,
        tid,
        "verify",
        checkpoint_code=world.a.checkpoint.code,
        scanned_at=now_iso(),
        photo_ids=[upload(supervisor)],
    )
    ticket = db.session.get(Ticket, tid)
    ticket.close_due_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()

    refused = step(supervisor, tid, "close")
    assert refused.status_code == 409 and refused.get_json()["allowed"] == ["delay"]
    assert step(staff, tid, "delay", until=now_iso(60 * 24)).status_code == 422  # no reason
    assert step(staff, tid, "delay", note="等厂家配件", until=now_iso(-5)).status_code == 422
    asked = step(staff, tid, "delay", note="等厂家配件", until=now_iso(60 * 24))
    assert asked.status_code == 200 and asked.get_json()["delay_reason"] == "等厂家配件"
    assert step(as_role("frontdesk"), tid, "approve_delay").status_code == 403
    approved = step(supervisor, tid, "approve_delay").get_json()
    assert approved["delay_until"] is None
    assert datetime.fromisoformat(approved["close_due_at"]) > datetime.now(UTC)
    assert step(supervisor, tid, "close").status_code == 200


def test_history_is_immutable(world, as_role, failed_ticket):
    tid = failed_ticket["id"]
    staff = as_role("staff")
    first = staff.get(f"/api/v1/tickets/{tid}").get_json()["events"]
    step(staff, tid, "accept")
    step(staff, tid, "start")
    step(staff, tid, "comment", note="等材料")
    later = staff.get(f"/api/v1/tickets/{tid}").get_json()["events"]
    assert later[: len(first)] == first
    event = db.session.get(TicketEvent, later[1]["id"])
    event.note = "rewritten"
    with pytest.raises(RuntimeError, match="cannot change"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="cannot change"):
        db.session.delete(db.session.get(TicketEvent, later[1]["id"]))
        db.session.flush()
    db.session.rollback()


def test_comment_needs_text_and_works_when_closed(world, as_role, failed_ticket):
    assistant = as_role("assistant")
    assert step(assistant, failed_ticket["id"], "comment").status_code == 422
    assert step(assistant, failed_ticket["id"], "comment", note="二楼也有").status_code == 200


@pytest.mark.parametrize(
    "body,field",
    [
        ({"action": "fly"}, "action"),
        ({}, "action"),
        ({"action": "comment", "note": "x", "until": "tomorrow"}, "until"),
        ({"action": "comment", "note": "x", "photo_ids": [1, "a"]}, "photo_ids.1"),
    ],
)
def test_malformed_steps(world, as_role, failed_ticket, body, field):
    resp = as_role("staff").post(f"/api/v1/tickets/{failed_ticket['id']}/events", json=body)
    assert resp.status_code == 422 and field in resp.get_json()["errors"]


def test_reassign_answers_with_the_new_department(world, as_role, failed_ticket):
    cleaning = factories.department(world.a.prop, code="CLN", name_zh="环境部")
    db.session.commit()
    supervisor = as_role("supervisor")
    assert supervisor.get(f"/api/v1/tickets/{failed_ticket['id']}").get_json()["department"][
        "code"
    ] == ("ENG")
    moved = step(
        supervisor, failed_ticket["id"], "reassign", department_id=cleaning.id, note="改派"
    )
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert body["department_id"] == cleaning.id
    assert body["department"]["code"] == "CLN"  # not the old ENG, not null
    assert body["assignee"] is None


def _resolved(as_role, tid):
    staff = as_role("staff")
    step(staff, tid, "accept")
    assert step(staff, tid, "resolve", note="修好了", photo_ids=[upload(staff)]).status_code == 200


def test_verifying_by_a_scanned_signed_label_lets_the_front_desk_close(
    world, as_role, failed_ticket
):
    tid = failed_ticket["id"]
    _resolved(as_role, tid)
    frontdesk = as_role("frontdesk")
    label = signed_label(world.a.checkpoint)
    scan = {"checkpoint_code": world.a.checkpoint.code, "scanned_at": now_iso()}
    forged = {**scan, **label, "label_sig": "a" * 12, "photo_ids": [upload(frontdesk)]}
    forged = step(frontdesk, tid, "verify", **forged)
    assert forged.status_code == 403 and list(forged.get_json()["errors"]) == ["label_sig"]
    verified = step(frontdesk, tid, "verify", **scan, **label, photo_ids=[upload(frontdesk)])
    assert verified.status_code == 200, verified.get_json()
    details = verified.get_json()["events"][-1]["details"]
    assert details["label_scanned"] is True and "doubtful" not in details
    assert step(frontdesk, tid, "close").status_code == 200


def test_verifying_by_a_typed_code_is_doubtful_and_only_a_supervisor_closes(
    world, as_role, failed_ticket, monkeypatch
):
    told: list[str] = []
    monkeypatch.setattr(
        "app.tickets.service.enqueue", lambda _p, audience, *a, **k: told.append(audience)
    )
    tid = failed_ticket["id"]
    _resolved(as_role, tid)
    frontdesk, supervisor = as_role("frontdesk"), as_role("supervisor")
    typed = {"checkpoint_code": world.a.checkpoint.code, "scanned_at": now_iso()}
    verified = step(frontdesk, tid, "verify", **typed, photo_ids=[upload(frontdesk)])
    assert verified.status_code == 200
    body = verified.get_json()
    assert body["status"] == "verified"
    details = body["events"][-1]["details"]
    assert details["doubtful"] is True and details["label_scanned"] is False
    assert "close" not in body["allowed_actions"]
    refused = step(frontdesk, tid, "close")
    assert refused.status_code == 403
    assert "supervisor" in refused.get_json()["detail_en"]
    assert told[-1:] == ["supervisor"]  # the verification was reported for a look
    assert step(supervisor, tid, "close").status_code == 200


def _complaint_verified(world, as_role) -> int:
    frontdesk = as_role("frontdesk")
    body = {"property_id": world.a.prop.id, "category": "environment", "unit_id": world.a.unit.id}
    tid = frontdesk.post("/api/v1/tickets", json={**body, "description": "楼道垃圾"}).get_json()
    tid = tid["id"]
    step(frontdesk, tid, "reassign", department_id=world.a.department.id, note="派工程部")
    _walk_to_verified(world, as_role, tid)
    return tid


def _walk_to_verified(world, as_role, tid: int) -> None:
    frontdesk, staff = as_role("frontdesk"), as_role("staff")
    assert step(staff, tid, "accept").status_code == 200
    assert step(staff, tid, "resolve", note="已清运", photo_ids=[upload(staff)]).status_code == 200
    assert step(frontdesk, tid, "verify", note="现场已清理").status_code == 200


def test_an_unsatisfied_call_back_reopens_the_complaint_to_the_front_desk(
    world, as_role, monkeypatch
):
    told: list[str] = []
    monkeypatch.setattr(
        "app.tickets.service.enqueue", lambda _p, audience, *a, **k: told.append(audience)
    )
    frontdesk = as_role("frontdesk")
    tid = _complaint_verified(world, as_role)
    answer = step(
        frontdesk, tid, "close", callback_satisfied=False, callback_note="王女士：仍有异味，不满意"
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "reopened" and body["closed_at"] is None
    assert body["department_id"] is None and body["assignee"] is None
    assert body["callback_satisfied"] is False and body["callback_note"].startswith("王女士")
    last = body["events"][-1]
    assert (last["action"], last["from_status"], last["to_status"]) == (
        "reopen",
        "verified",
        "reopened",
    )
    assert last["details"]["reason"] == "callback_unsatisfied"
    assert last["details"]["from_department_id"] == world.a.department.id
    assert told[-1] == "frontdesk"
    # Rectify until the resident is satisfied: dispatched again, fixed again, then closed.
    step(frontdesk, tid, "reassign", department_id=world.a.department.id, note="再次派单")
    _walk_to_verified(world, as_role, tid)
    closed = step(frontdesk, tid, "close", callback_satisfied=True, callback_note="已满意")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert closed.get_json()["reopen_count"] == 1


@pytest.mark.parametrize(
    ("rating", "status"), [(1, "reopened"), (2, "reopened"), (3, "closed"), (5, "closed")]
)
def test_a_call_back_rating_of_two_or_less_reopens_and_never_closes(world, as_role, rating, status):
    frontdesk = as_role("frontdesk")
    tid = _complaint_verified(world, as_role)
    answer = step(frontdesk, tid, "close", callback_rating=rating, callback_note="电话回访王女士")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == status and body["callback_rating"] == rating
    assert body["callback_satisfied"] is (rating > 2)
    assert body["events"][-1]["details"]["callback_rating"] == rating
    # "Satisfied" said beside a low rating does not close it either.
    if status == "reopened":
        assert body["closed_at"] is None and body["events"][-1]["action"] == "reopen"


@pytest.mark.parametrize("rating", [0, 6, "很好"])
def test_a_rating_outside_one_to_five_is_refused_by_name(world, as_role, rating):
    frontdesk = as_role("frontdesk")
    tid = _complaint_verified(world, as_role)
    answer = step(frontdesk, tid, "close", callback_rating=rating, callback_note="回访")
    assert answer.status_code == 422 and list(answer.get_json()["errors"]) == ["callback_rating"]
    assert db.session.get(Ticket, tid).status == "verified"


def test_satisfied_with_a_low_rating_still_reopens(world, as_role):
    frontdesk = as_role("frontdesk")
    tid = _complaint_verified(world, as_role)
    body = step(
        frontdesk, tid, "close", callback_satisfied=True, callback_rating=2, callback_note="勉强"
    ).get_json()
    assert body["status"] == "reopened" and body["callback_satisfied"] is False
