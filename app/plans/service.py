"""Rules for shifts, plans and slots: versioned edits, pausing, excusing, the inspection hook.

Editing or pausing a plan never rewrites the past: the version in force is closed at the moment
of the edit and a new version starts then. Slots already expected (their window started before
the edit) keep pointing at the old version; the old version's future pending slots are dropped
and the new version's are materialized at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, or_, select

from app.audit import service as audit
from app.auth.models import ROLES, User, property_grant
from app.auth.service import current_user, get_property, get_scoped_ref, scoped
from app.common.models import assign, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.inspections.models import Inspection
from app.places.models import CHECKPOINT_KINDS, Checkpoint, Property, Zone
from app.plans import matching, sweep
from app.plans.expand import at_local, local_date
from app.plans.models import Plan, PlanVersion, Shift, Slot

VERSION_FIELDS = (
    "name_zh",
    "name_en",
    "zone_id",
    "checkpoint_kind",
    "checkpoint_ids",
    "frequency",
    "weekdays",
    "month_day",
    "shift_ids",
    "start_minute",
    "end_minute",
    "grace_minutes",
    "assignee_ids",
    "assignee_role",
    "paused",
)
DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(VERSION_FIELDS),
    "grace_minutes": 0,
    "paused": False,
}


def on_inspection_stored(
    inspection: Inspection, now: datetime | None = None, standing: str | None = None
) -> None:
    """Match a just-stored inspection to the slots it fulfils (call once it is flushed)."""
    matching.on_inspection_stored(inspection, now, standing)


# --- shifts ---


def create_shift(data: dict[str, Any]) -> Shift:
    """Add a shift to a granted property."""
    get_property(data["property_id"])
    _unique_shift(data["property_id"], data["code"])
    shift = Shift(**data)
    db.session.add(shift)
    db.session.flush()
    audit.added("shift", shift, data.keys())
    return shift


def update_shift(shift: Shift, data: dict[str, Any], now: datetime | None = None) -> Shift:
    """Change a shift; its future pending slots are made again with the new times."""
    if "code" in data and data["code"] != shift.code:
        _unique_shift(shift.property_id, data["code"])
    before = audit.snapshot(shift, data.keys())
    assign(shift, data)
    audit.changed("shift", shift, before)
    db.session.execute(
        delete(Slot).where(
            Slot.shift_id == shift.id,
            Slot.window_start > (now or utcnow()),
            Slot.status == "pending",
        )
    )
    db.session.flush()
    return shift


def _unique_shift(property_id: int, code: str) -> None:
    if db.session.scalar(select(Shift.id).filter_by(property_id=property_id, code=code)):
        raise Conflict("班次代码已存在", "A shift with this code exists.", field="code")


# --- plans ---


def create_plan(data: dict[str, Any], now: datetime | None = None) -> Plan:
    """Create a plan from now (or from the start of a later local day) and expand its slots."""
    now = now or utcnow()
    prop = get_property(data.pop("property_id"))
    starts_on = data.pop("starts_on", None)
    valid_from = now
    if starts_on is not None:
        tz = ZoneInfo(prop.timezone)
        if starts_on < local_date(now, tz):
            raise Invalid("开始日期不能早于今天", "starts_on is in the past.", field="starts_on")
        valid_from = max(now, at_local(starts_on, 0, tz))
    user = current_user()
    plan = Plan(property_id=prop.id, created_by_id=user.id)
    db.session.add(plan)
    db.session.flush()
    _new_version(plan, prop, {**DEFAULTS, **data}, valid_from, now)
    return plan


def update_plan(plan: Plan, data: dict[str, Any], now: datetime | None = None) -> Plan:
    """Apply an edit (or a pause) from now on: close the current version, start a new one."""
    now = now or utcnow()
    old = plan.current
    state = {name: getattr(old, name) for name in VERSION_FIELDS}
    merged = {**state, **data}
    if merged == state:
        return plan
    old.valid_until = now
    db.session.execute(
        delete(Slot).where(
            Slot.plan_version_id == old.id, Slot.window_start >= now, Slot.status == "pending"
        )
    )
    prop = db.session.get(Property, plan.property_id)
    assert prop is not None
    _new_version(plan, prop, merged, now, now)
    return plan


def _new_version(
    plan: Plan, prop: Property, state: dict[str, Any], valid_from: datetime, now: datetime
) -> PlanVersion:
    _check_plan(prop, state)
    number = len(plan.versions) + 1
    version = PlanVersion(
        plan=plan,
        property_id=prop.id,
        number=number,
        valid_from=valid_from,
        created_by_id=current_user().id,
        **state,
    )
    db.session.add(version)
    db.session.flush()
    sweep.materialize_version(version, prop, now, sweep.horizon(prop, now))
    db.session.flush()
    return version


def _check_plan(prop: Property, state: dict[str, Any]) -> None:
    """Refuse a plan state that cannot expand into slots (zh + en, naming the field)."""
    _check_target(prop, state)
    _check_timing(prop, state)
    _check_assignees(prop, state)


def _check_target(prop: Property, state: dict[str, Any]) -> None:
    if not (state["zone_id"] or state["checkpoint_kind"] or state["checkpoint_ids"]):
        raise Invalid(
            "请选择区域、点位类型或点位",
            "Choose a zone, a checkpoint kind or checkpoints.",
            field="zone_id",
        )
    if state["zone_id"] is not None:
        zone = get_scoped_ref(Zone, state["zone_id"], "zone_id")
        _same_property(zone.property_id, prop, "zone_id")
    if state["checkpoint_kind"] and state["checkpoint_kind"] not in CHECKPOINT_KINDS:
        raise Invalid("未知的点位类型", "Unknown checkpoint kind.", field="checkpoint_kind")
    ids = set(state["checkpoint_ids"] or [])
    if ids:
        found = db.session.scalars(
            select(Checkpoint.id).where(Checkpoint.id.in_(ids), Checkpoint.property_id == prop.id)
        )
        if set(found) != ids:
            raise Invalid(
                "点位不属于该项目",
                "Some checkpoints are not in this property.",
                field="checkpoint_ids",
            )


def _check_timing(prop: Property, state: dict[str, Any]) -> None:
    frequency, shift_ids = state["frequency"], state["shift_ids"] or []
    shifts = set(db.session.scalars(select(Shift.id).where(Shift.property_id == prop.id)))
    if not set(shift_ids) <= shifts:
        raise Invalid("班次不属于该项目", "Unknown shift for this property.", field="shift_ids")
    has_times = state["start_minute"] is not None and state["end_minute"] is not None
    if (state["start_minute"] is None) != (state["end_minute"] is None):
        raise Invalid("请同时填写开始和结束时间", "Give both start and end.", field="end_time")
    if frequency == "shift" and not shift_ids:
        raise Invalid("每班巡查须选择班次", "Choose the shifts.", field="shift_ids")
    if frequency != "shift" and len(shift_ids) > 1:
        raise Invalid(
            "只能选择一个班次作为时段", "Choose one shift as the window.", field="shift_ids"
        )
    if frequency in ("daily", "weekdays") and not (has_times or shift_ids):
        raise Invalid("请填写时段或班次", "Give a time window or a shift.", field="start_time")
    if frequency == "weekdays" and not state["weekdays"]:
        raise Invalid("请选择星期", "Choose the weekdays.", field="weekdays")
    if state["month_day"] is not None and frequency != "monthly":
        raise Invalid("仅每月计划可指定日期", "month_day is for monthly plans.", field="month_day")


def _check_assignees(prop: Property, state: dict[str, Any]) -> None:
    ids = state["assignee_ids"] or []
    if not ids and not state["assignee_role"]:
        raise Invalid("请指定负责人或角色", "Name the zone owners or a role.", field="assignee_ids")
    if state["assignee_role"] and state["assignee_role"] not in ROLES:
        raise Invalid("未知的角色", "Unknown role.", field="assignee_role")
    granted = set(
        db.session.scalars(
            select(property_grant.c.user_id).where(
                property_grant.c.property_id == prop.id, property_grant.c.user_id.in_(ids)
            )
        )
    )
    if granted != set(ids):
        raise Invalid(
            "负责人须为该项目的用户",
            "Assignees must be users of this property.",
            field="assignee_ids",
        )


def _same_property(property_id: int, prop: Property, field: str) -> None:
    if property_id != prop.id:
        raise Invalid("不属于该项目", "Not part of this property.", field=field)


def list_plans(args: dict[str, Any]) -> Select:
    """Filter the caller's plans by property and zone; oldest first."""
    query = scoped(Plan)
    if args.get("property_id") is not None:
        query = query.where(Plan.property_id == args["property_id"])
    if args.get("zone_id") is not None:
        current = select(PlanVersion.plan_id).where(
            PlanVersion.valid_until.is_(None), PlanVersion.zone_id == args["zone_id"]
        )
        query = query.where(Plan.id.in_(current))
    return query.order_by(Plan.id)


# --- slots ---


def list_slots(args: dict[str, Any]) -> Select:
    """Filter the caller's slots by property, local days, zone, status, plan and person."""
    query = scoped(Slot)
    for name in ("property_id", "zone_id", "checkpoint_id", "plan_id", "assignee_id", "status"):
        if args.get(name) is not None:
            query = query.where(getattr(Slot, name) == args[name])
    if args.get("from_") is not None:
        query = query.where(Slot.local_day >= args["from_"])
    if args.get("to") is not None:
        query = query.where(Slot.local_day <= args["to"])
    return query.order_by(Slot.window_start, Slot.id)


def my_slots(user: User, now: datetime | None = None) -> list[Slot]:
    """Return the caller's slots of today (local to each granted property), by window."""
    now = now or utcnow()
    days = [(p.id, local_date(now, ZoneInfo(p.timezone))) for p in user.properties]
    if not days:
        return []
    today = or_(*((Slot.property_id == pid) & (Slot.local_day == day) for pid, day in days))
    mine = or_(
        Slot.assignee_id == user.id,
        Slot.assignee_id.is_(None) & (Slot.assignee_role == user.role),
    )
    query = select(Slot).where(today, mine).order_by(Slot.window_start, Slot.id)
    return list(db.session.scalars(query))


def excuse(slot: Slot, reason: str, now: datetime | None = None) -> Slot:
    """Excuse a pending or missed slot with a reason (a supervisor: e.g. inaccessible)."""
    if slot.status not in ("pending", "missed"):
        raise Conflict(
            "只有待巡查或漏巡的时段可以豁免",
            "Only a pending or missed slot can be excused.",
            field="status",
        )
    slot.status = "excused"
    slot.excused_at = now or utcnow()
    slot.excused_by_id = current_user().id
    slot.excuse_reason = reason
    db.session.flush()
    return slot
