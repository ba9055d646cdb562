"""A permit from application to closing, with notices, re-inspection and the deposit ledger."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.places.models import Checkpoint, Unit, UnitStatusChange
from app.renovation.models import LedgerEntry, Notice
from app.tickets.models import Ticket
from tests.inspections.conftest import submission, upload
from tests.openapi import assert_documented
from tests.renovation.conftest import permit_body


def _step(client, permit_id, action, **data):
    return client.post(f"/api/v1/permits/{permit_id}/steps", json={"action": action, **data})


def _approved(world, as_role) -> dict:
    permit = as_role("frontdesk").post("/api/v1/permits", json=permit_body(world)).get_json()
    assert _step(as_role("supervisor"), permit["id"], "approve").status_code == 200
    assert _step(as_role("inspector"), permit["id"], "start").status_code == 200
    return permit


def _unit_code(world) -> str:
    return db.session.query(Checkpoint).filter_by(unit_id=world.a.unit.id).one().code


def _check(client, world, fail: bool):
    code = _unit_code(world)
    items = client.get(f"/api/v1/checkpoints/by-code/{code}").get_json()["checklist"]["items"]
    body = submission(code, items, fail={0: [upload(client)]} if fail else None)
    resp = client.post("/api/v1/inspections", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_permit_from_application_to_closing(world, as_role, renovation_checklist):
    frontdesk, supervisor, inspector = (
        as_role("frontdesk"),
        as_role("supervisor"),
        as_role("inspector"),
    )
    applied = frontdesk.post("/api/v1/permits", json=permit_body(world))
    assert applied.status_code == 201, applied.get_json()
    permit = applied.get_json()
    assert permit["status"] == "applied" and permit["number"].startswith("A-ZX-")
    assert permit["owner_phone"] == "13900001111"  # the front desk sees it in full
    assert (
        as_role("staff").get(f"/api/v1/permits/{permit['id']}").get_json()["owner_phone"]
        == "139****1111"
    )

    assert _step(inspector, permit["id"], "approve").status_code == 403
    approved = _step(supervisor, permit["id"], "approve", note="资料齐全").get_json()
    assert approved["status"] == "approved" and approved["balance_cents"] == 300000
    unit = db.session.get(Unit, world.a.unit.id)
    assert unit.status == "renovating"
    history = db.session.query(UnitStatusChange).filter_by(unit_id=unit.id).all()
    assert [h.to_status for h in history] == ["renovating"]
    # The unit now has a door label with the renovation checklist.
    scan = inspector.get(f"/api/v1/checkpoints/by-code/{_unit_code(world)}").get_json()
    assert scan["kind"] == "renovation_unit" and len(scan["checklist"]["items"]) == 2

    assert _step(inspector, permit["id"], "start").get_json()["status"] == "in_progress"
    assert _step(inspector, permit["id"], "request_completion").status_code == 200
    not_yet = _step(inspector, permit["id"], "complete", passed=False, note="阳台防水未做闭水试验")
    assert not_yet.get_json()["status"] == "completion_inspection"
    assert not_yet.get_json()["completion_note"] == "阳台防水未做闭水试验"
    done = _step(inspector, permit["id"], "complete", passed=True, note="验收合格")
    assert done.get_json()["status"] == "closed"
    db.session.refresh(unit)
    assert unit.status == "handed_over"
    assert db.session.query(Checkpoint).filter_by(unit_id=unit.id).one().active is False


def test_one_active_permit_per_unit_and_dates_in_order(world, as_role):
    frontdesk = as_role("frontdesk")
    assert frontdesk.post("/api/v1/permits", json=permit_body(world)).status_code == 201
    again = frontdesk.post("/api/v1/permits", json=permit_body(world))
    assert again.status_code == 409 and list(again.get_json()["errors"]) == ["unit_id"]
    backwards = frontdesk.post("/api/v1/permits", json=permit_body(world, unit_id=world.b.unit.id))
    assert backwards.status_code == 404  # another property's unit
    from tests import factories

    other = factories.unit(world.a.zone, number="1502")
    db.session.commit()
    bad = frontdesk.post(
        "/api/v1/permits", json=permit_body(world, unit_id=other.id, planned_end="2026-01-01")
    )
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["planned_end"]


def test_rejecting_needs_a_reason_and_leaves_the_unit(world, as_role):
    permit = as_role("frontdesk").post("/api/v1/permits", json=permit_body(world)).get_json()
    assert _step(as_role("supervisor"), permit["id"], "reject").status_code == 422
    rejected = _step(as_role("supervisor"), permit["id"], "reject", note="缺少施工图")
    assert rejected.get_json()["status"] == "rejected"
    assert db.session.get(Unit, world.a.unit.id).status != "renovating"
    assert _step(as_role("inspector"), permit["id"], "start").status_code == 409


def test_failed_check_becomes_a_notice_with_a_pdf(app, world, as_role, renovation_checklist):
    permit = _approved(world, as_role)
    inspector = as_role("inspector")
    inspection = _check(inspector, world, fail=True)
    [ticket] = inspection["tickets"]
    assert ticket["kind"] == "renovation" and ticket["department"]["code"] == "ENG"
    notice = db.session.get(Notice, ticket["id"])
    assert notice.permit_id == permit["id"] and "装修垃圾" in notice.rule
    due = notice.deadline - datetime.now(UTC)
    assert timedelta(days=2, hours=23) < due <= timedelta(days=3)
    pdf = inspector.get(f"/api/v1/tickets/{ticket['id']}/notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert_documented(app, "get", "/api/v1/tickets/{obj_id}/notice.pdf", pdf)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in (
        "整改通知书",
        ticket["number"],
        "花园A",
        "湛江美家装饰有限公司",
        "装修垃圾袋装并堆放在指定地点",
        world.a.unit.number,
    ):
        assert expected in text, expected


def test_reinspection_after_the_deadline_escalates(world, as_role, renovation_checklist):
    _approved(world, as_role)
    inspector = as_role("inspector")
    ticket_id = _check(inspector, world, fail=True)["tickets"][0]["id"]
    notice = db.session.get(Notice, ticket_id)
    # Before the deadline a repeat failure is only a repeat.
    _check(inspector, world, fail=True)
    db.session.refresh(notice)
    assert notice.stage == 0
    notice.deadline = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    _check(inspector, world, fail=True)
    db.session.refresh(notice)
    assert notice.stage == 1
    _check(inspector, world, fail=True)
    _check(inspector, world, fail=True)
    db.session.refresh(notice)
    assert notice.stage == 2  # then a record for the owners' committee; no further stage
    ticket = db.session.get(Ticket, ticket_id)
    stages = [e.details["stage"] for e in ticket.events if e.action == "escalate"]
    assert stages == [1, 2]
    _check(inspector, world, fail=False)
    assert ticket.events[-1].details == {"reinspection": "pass"}


def test_notice_pdf_only_for_renovation_tickets(world, as_role, failed_ticket):
    resp = as_role("supervisor").get(f"/api/v1/tickets/{failed_ticket['id']}/notice.pdf")
    assert resp.status_code == 404


def test_violation_without_a_permit(world, as_role):
    inspector = as_role("inspector")
    resp = inspector.post(
        f"/api/v1/units/{world.a.unit.id}/violations",
        json={
            "rule": "未办理装修申请擅自施工",
            "description": "户内正在砸墙，无装修许可证",
            "photo_ids": [upload(inspector)],
        },
    )
    assert resp.status_code == 201, resp.get_json()
    notice = db.session.get(Notice, resp.get_json()["id"])
    assert notice.permit_id is None and notice.rule == "未办理装修申请擅自施工"
    assert (
        as_role("assistant")
        .post(f"/api/v1/units/{world.a.unit.id}/violations", json={"rule": "x", "description": "y"})
        .status_code
        == 403
    )


def test_deposit_ledger(world, as_role, renovation_checklist):
    permit = _approved(world, as_role)
    supervisor = as_role("supervisor")
    notice_id = _check(as_role("inspector"), world, fail=True)["tickets"][0]["id"]
    url = f"/api/v1/permits/{permit['id']}/ledger"
    deducted = supervisor.post(
        url,
        json={
            "kind": "deduction",
            "amount_cents": 50000,
            "reason": "装修垃圾乱堆放",
            "notice_ticket_id": notice_id,
        },
    )
    assert deducted.status_code == 201
    assert supervisor.get(url).get_json()["balance_cents"] == 250000
    too_much = supervisor.post(
        url, json={"kind": "deduction", "amount_cents": 250001, "reason": "再次违规"}
    )
    assert too_much.status_code == 409 and too_much.get_json()["balance_cents"] == 250000
    refund = supervisor.post(
        url, json={"kind": "refund", "amount_cents": 250000, "reason": "竣工退还"}
    )
    assert refund.status_code == 201
    ledger = supervisor.get(url).get_json()
    assert ledger["balance_cents"] == 0
    assert [e["kind"] for e in ledger["entries"]] == ["deposit", "deduction", "refund"]
    assert (
        as_role("inspector")
        .post(url, json={"kind": "refund", "amount_cents": 1, "reason": "x"})
        .status_code
        == 403
    )
    entry = db.session.query(LedgerEntry).first()
    entry.amount_cents = 1
    with pytest.raises(RuntimeError, match="cannot change"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "deposit", "amount_cents": 1, "reason": "x"}, "kind"),
        ({"kind": "deduction", "amount_cents": 0, "reason": "x"}, "amount_cents"),
        ({"kind": "deduction", "amount_cents": 10, "reason": ""}, "reason"),
    ],
)
def test_bad_ledger_entries(world, as_role, body, field):
    permit = _approved(world, as_role)
    resp = as_role("supervisor").post(f"/api/v1/permits/{permit['id']}/ledger", json=body)
    assert resp.status_code == 422 and field in resp.get_json()["errors"]


def test_renovating_units_get_a_daily_slot_in_construction_hours(
    world, as_role, renovation_checklist
):
    from zoneinfo import ZoneInfo

    from app.plans.models import Slot
    from app.plans.sweep import sweep

    _approved(world, as_role)
    checkpoint = db.session.query(Checkpoint).filter_by(unit_id=world.a.unit.id).one()
    tz = ZoneInfo("Asia/Shanghai")
    tomorrow = datetime.now(tz).date() + timedelta(days=1)
    morning = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 7, 0, tzinfo=tz)
    sweep(morning)
    db.session.commit()
    [slot] = db.session.query(Slot).filter_by(checkpoint_id=checkpoint.id, local_day=tomorrow).all()
    assert slot.window_start.astimezone(tz).strftime("%H:%M") == "08:00"
    assert slot.window_end.astimezone(tz).strftime("%H:%M") == "18:00"
    assert slot.assignee_role == "inspector" and slot.status == "pending"
    # Nobody checked the unit that day: once the window closes the slot is missed.
    sweep(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 19, 0, tzinfo=tz))
    db.session.commit()
    db.session.refresh(slot)
    assert slot.status == "missed"
    # A second unit approved later joins the same plan by itself.
    from tests import factories

    other = factories.unit(world.a.zone, number="1602")
    db.session.commit()
    permit = (
        as_role("frontdesk")
        .post("/api/v1/permits", json=permit_body(world, unit_id=other.id))
        .get_json()
    )
    assert _step(as_role("supervisor"), permit["id"], "approve").status_code == 200
    from app.plans.models import Plan

    assert db.session.query(Plan).count() == 1


def test_construction_hours_change_edits_the_daily_plan(world, as_role, renovation_checklist):
    from app.plans.models import Plan, PlanVersion
    from app.renovation.service import ensure_daily_plan

    _approved(world, as_role)
    world.a.prop.construction_start, world.a.prop.construction_end = "09:00", "17:00"
    ensure_daily_plan(world.a.prop.id)
    db.session.commit()
    assert db.session.query(Plan).count() == 1
    live = db.session.query(PlanVersion).filter(PlanVersion.valid_until.is_(None)).one()
    assert (live.start_minute, live.end_minute) == (9 * 60, 17 * 60)
