"""Rules for renovation: permits, notices raised by failed unit checks, re-inspection
escalation and the deposit ledger (装修管理)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy import event as orm_event

from app.auth.models import User
from app.auth.service import current_user, get_property, get_scoped, get_scoped_ref
from app.common.models import utcnow
from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.photos.service import get_owned_photos
from app.places.models import Checkpoint, Property, Unit
from app.places.service import new_checkpoint_code, set_unit_status
from app.plans.models import PlanVersion
from app.plans.service import create_plan, update_plan
from app.renovation.models import LedgerEntry, Notice, Permit
from app.tickets.models import OPEN_STATUSES, Ticket
from app.tickets.service import new_ticket, notify, record_event

ACTIVE = ("approved", "in_progress", "completion_inspection")
# permit step → (states it leaves, state it reaches, roles)
PERMIT_STEPS: dict[str, tuple[tuple[str, ...], str, frozenset[str]]] = {
    "approve": (("applied",), "approved", frozenset({"supervisor"})),
    "reject": (("applied",), "rejected", frozenset({"supervisor"})),
    "start": (("approved",), "in_progress", frozenset({"inspector", "supervisor"})),
    "request_completion": (
        ("in_progress",),
        "completion_inspection",
        frozenset({"inspector", "supervisor", "frontdesk"}),
    ),
    "complete": (("completion_inspection",), "closed", frozenset({"inspector", "supervisor"})),
}


@orm_event.listens_for(LedgerEntry, "before_update")
@orm_event.listens_for(LedgerEntry, "before_delete")
def _ledger_is_immutable(_mapper: Any, _conn: Any, target: LedgerEntry) -> None:
    raise RuntimeError(f"deposit entry {target.id} is part of the ledger and cannot change")


# --- permits ---


def apply_for_permit(data: dict[str, Any]) -> Permit:
    """Record a renovation application (装修申请) for a unit."""
    unit = get_scoped_ref(Unit, data["unit_id"], "unit_id")
    if data["planned_end"] < data["planned_start"]:
        raise Invalid(
            "结束日期早于开始日期", "The planned end is before the start.", field="planned_end"
        )
    if _active_permit(unit.id, ("applied", *ACTIVE)) is not None:
        raise Conflict(
            "该户已有待批或有效的装修许可",
            "This unit already has a pending or active permit.",
            field="unit_id",
        )
    prop = db.session.get(Property, unit.property_id)
    assert prop is not None
    permit = Permit(property_id=unit.property_id, number="", **data)
    db.session.add(permit)
    db.session.flush()
    permit.number = f"{prop.code}-ZX-{permit.id:05d}"
    return permit


def _active_permit(unit_id: int, statuses: tuple[str, ...] = ACTIVE) -> Permit | None:
    return db.session.scalar(
        select(Permit).where(Permit.unit_id == unit_id, Permit.status.in_(statuses))
    )


def permit_step(permit: Permit, action: str, data: dict[str, Any]) -> Permit:
    """Move a permit along applied → approved → in progress → completion → closed."""
    user = current_user()
    sources, target, roles = PERMIT_STEPS[action]
    if user.role not in roles:
        raise Forbidden()
    if permit.status not in sources:
        allowed = [
            a for a, (src, _, r) in PERMIT_STEPS.items() if permit.status in src and user.role in r
        ]
        raise Conflict(
            "许可当前状态不允许此操作",
            f"Cannot {action} a permit that is {permit.status}.",
            allowed=allowed,
        )
    if action == "approve":
        _approve(permit, user)
    elif action == "reject":
        _need(data, "note", "请填写驳回原因", "Give the reason for rejecting.")
    elif action == "start":
        permit.started_at = utcnow()
    elif action == "complete" and not _complete(permit, user, data):
        return permit  # remaining issues recorded; the permit stays open
    if action in ("approve", "reject"):
        permit.decided_at, permit.decided_by_id = utcnow(), user.id
        permit.decision_note = data.get("note")
    permit.status = target
    db.session.flush()
    return permit


def _need(data: dict[str, Any], field: str, zh: str, en: str) -> None:
    if not (data.get(field) or "").strip():
        raise Invalid(zh, en, field=field)


def _approve(permit: Permit, user: User) -> None:
    """Approve: the unit becomes 装修, gets a door label, and the deposit is booked."""
    unit = permit.unit
    set_unit_status(unit, "renovating", user, f"装修许可 {permit.number} 已批准")
    if unit.owner_name is None:
        unit.owner_name, unit.owner_phone = permit.owner_name, permit.owner_phone
    renovation_checkpoint(unit)
    ensure_daily_plan(permit.property_id)
    if permit.deposit_cents:
        db.session.add(
            LedgerEntry(
                permit_id=permit.id,
                kind="deposit",
                amount_cents=permit.deposit_cents,
                reason="装修保证金",
                created_by_id=user.id,
            )
        )


def renovation_checkpoint(unit: Unit) -> Checkpoint:
    """Return the unit's door label checkpoint, creating it when the unit first renovates."""
    checkpoint = db.session.scalar(
        select(Checkpoint).where(
            Checkpoint.unit_id == unit.id, Checkpoint.kind == "renovation_unit"
        )
    )
    if checkpoint is None:
        checkpoint = Checkpoint(
            property_id=unit.property_id,
            zone_id=unit.zone_id,
            unit_id=unit.id,
            kind="renovation_unit",
            code=new_checkpoint_code(),
            name_zh=f"{unit.zone.name_zh} {unit.number} 装修单元",
            name_en=f"{unit.zone.name_en or unit.zone.name_zh} unit {unit.number} (renovation)",
            location=f"{unit.floor}F {unit.number} 户门",
        )
        db.session.add(checkpoint)
    checkpoint.active = True
    db.session.flush()
    return checkpoint


def ensure_daily_plan(property_id: int) -> None:
    """Make sure every unit under renovation is expected to be checked daily in construction
    hours: one plan over all renovation-unit labels, so new units join it by themselves, kept
    in step with the property's construction hours."""
    prop = db.session.get(Property, property_id)
    assert prop is not None
    hours = {
        "start_minute": _minutes(prop.construction_start),
        "end_minute": _minutes(prop.construction_end),
    }
    current = db.session.scalar(
        select(PlanVersion)
        .where(
            PlanVersion.property_id == prop.id,
            PlanVersion.checkpoint_kind == "renovation_unit",
            PlanVersion.assignee_role == "inspector",
            PlanVersion.valid_until.is_(None),
        )
        .limit(1)
    )
    if current is not None:
        update_plan(current.plan, hours)  # a no-op when the hours are unchanged
        return
    create_plan(
        {
            "property_id": prop.id,
            "name_zh": "装修单元日常巡查（施工时间内）",
            "name_en": "Units under renovation, daily in construction hours",
            "checkpoint_kind": "renovation_unit",
            "frequency": "daily",
            "assignee_role": "inspector",
            **hours,
        }
    )


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _complete(permit: Permit, user: User, data: dict[str, Any]) -> bool:
    """Record the completion inspection; a pass closes the permit and the unit is 收楼."""
    _need(data, "note", "请填写验收情况", "Record what the completion inspection found.")
    permit.completion_note = data["note"]
    if not data.get("passed"):
        return False
    permit.completed_at = utcnow()
    set_unit_status(permit.unit, "handed_over", user, f"装修 {permit.number} 竣工验收通过")
    checkpoint = renovation_checkpoint(permit.unit)
    checkpoint.active = False
    return True


# --- ledger ---


def balance(permit_id: int) -> int:
    """Return what is left of a permit's deposit, in fen (分)."""
    signed = func.sum(func.coalesce(LedgerEntry.amount_cents, 0) * _sign())
    return int(db.session.scalar(select(signed).where(LedgerEntry.permit_id == permit_id)) or 0)


def _sign() -> Any:
    return case((LedgerEntry.kind == "deposit", 1), else_=-1)


def add_entry(permit: Permit, data: dict[str, Any]) -> LedgerEntry:
    """Deduct from or refund a deposit; the balance can never go below zero."""
    user = current_user()
    if data.get("notice_ticket_id") is not None:
        notice = db.session.get(Notice, data["notice_ticket_id"])
        if notice is None or notice.unit_id != permit.unit_id:
            raise Invalid(
                "整改通知不属于该户", "That notice is not for this unit.", field="notice_ticket_id"
            )
    # Lock the permit row so two deductions cannot both pass the balance check.
    db.session.execute(select(Permit.id).where(Permit.id == permit.id).with_for_update())
    left = balance(permit.id)
    if data["amount_cents"] > left:
        raise Conflict(
            f"余额不足：剩余 {left / 100:.2f} 元",
            f"Not enough deposit left: {left / 100:.2f} yuan.",
            field="amount_cents",
            balance_cents=left,
        )
    entry = LedgerEntry(permit_id=permit.id, created_by_id=user.id, **data)
    db.session.add(entry)
    db.session.flush()
    return entry


# --- notices ---


def notice_for_failure(ticket: Ticket, inspection: Inspection, result: ItemResult) -> None:
    """Turn the ticket a failed unit check raised into a rectification notice (整改通知书)."""
    checkpoint = inspection.checkpoint
    if checkpoint.unit_id is None or db.session.get(Notice, ticket.id) is not None:
        return
    unit = db.session.get(Unit, checkpoint.unit_id)
    assert unit is not None
    _make_notice(ticket, unit, result.item.text_zh)


def _make_notice(ticket: Ticket, unit: Unit, rule: str) -> Notice:
    prop = db.session.get(Property, ticket.property_id)
    assert prop is not None
    deadline = utcnow() + timedelta(days=prop.notice_deadline_days)
    permit = _active_permit(unit.id)
    ticket.kind = "renovation"
    ticket.unit_id = unit.id
    ticket.close_due_at = deadline
    notice = Notice(
        ticket_id=ticket.id,
        unit_id=unit.id,
        rule=rule,
        deadline=deadline,
        permit_id=permit.id if permit else None,
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def record_violation(unit_id: int, data: dict[str, Any]) -> Ticket:
    """Record a violation seen at a unit (e.g. building without a permit) as a notice."""
    user = current_user()
    unit = get_scoped(Unit, unit_id)
    prop = get_property(unit.property_id)
    photos = get_owned_photos(data.get("photo_ids") or [], user, prop.id, "photo_ids")
    ticket = new_ticket(
        prop,
        user,
        "normal",
        "renovation",
        kind="renovation",
        source="inspector",
        severity="high",
        zone_id=unit.zone_id,
        title=f"{unit.zone.name_zh} {unit.number}：{data['rule']}",
        description=data["description"],
    )
    event = record_event(
        ticket, user, "create", note=data["description"], photos=photos, to_status="new"
    )
    _make_notice(ticket, unit, data["rule"])
    notify(ticket, event)
    return ticket


def reinspect(inspection: Inspection, now: datetime | None = None) -> None:
    """Check open notices of the inspected unit: past the deadline, a repeat failure escalates."""
    checkpoint = inspection.checkpoint
    if checkpoint.unit_id is None:
        return
    now = now or utcnow()
    outcomes = {r.item.key: r.outcome for r in inspection.results}
    notices = db.session.scalars(
        select(Notice)
        .join(Ticket, Ticket.id == Notice.ticket_id)
        .where(Notice.unit_id == checkpoint.unit_id, Ticket.status.in_(OPEN_STATUSES))
    ).all()
    for notice in notices:
        ticket = db.session.get(Ticket, notice.ticket_id)
        assert ticket is not None
        outcome = outcomes.get(ticket.item_key) if ticket.item_key else None
        if outcome is None or now < notice.deadline or inspection.id == ticket.inspection_id:
            continue
        notice.last_reinspected_at = now
        if outcome == "fail" and notice.stage < 2:
            notice.stage += 1
            event = record_event(
                ticket,
                inspection.user,
                "escalate",
                inspection=inspection,
                note=_escalation_note(notice.stage),
                details={"stage": notice.stage, "reason": "not_rectified"},
            )
            notify(ticket, event)
        elif outcome == "pass":
            record_event(
                ticket,
                inspection.user,
                "comment",
                inspection=inspection,
                note="复查：已整改 / re-inspection: rectified",
                details={"reinspection": "pass"},
            )


def _escalation_note(stage: int) -> str:
    if stage == 1:
        return "逾期未整改，已上报主管 / not rectified by the deadline: escalated to the supervisor"
    return (
        "劝阻无效，材料已汇总报业委会、居委会及主管部门 / still not rectified: recorded for "
        "the owners' committee and the authorities"
    )
