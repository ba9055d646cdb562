"""Rules for properties, zones, checkpoints, units, departments and routing rules."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Select, func, select

from app.audit import service as audit
from app.auth.models import User
from app.auth.service import current_user, get_property, get_scoped_ref, granted_property_ids
from app.common.models import assign
from app.common.schemas import searched, sorted_by
from app.errors import Conflict, Invalid
from app.extensions import db
from app.places.models import (
    UNIT_STATUSES,
    Checkpoint,
    Department,
    Property,
    RetiredCode,
    RoutingRule,
    Unit,
    UnitStatusChange,
    Zone,
)

# No 0/O, 1/I/L: codes are typed by hand when a label cannot be scanned.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


apply = assign  # the places' own name for it, used by imports too


def ensure_unique(model: Any, field: str, value: Any, exclude_id: int | None = None, **scope: Any):
    """Raise 409 naming the field when another row already has this value."""
    query = select(model.id).where(getattr(model, field) == value)
    for key, val in scope.items():
        query = query.where(getattr(model, key) == val)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query.limit(1)) is not None:
        raise Conflict("该值已被使用", f"This {field} is already in use.", field=field)


def update_audited(entity: str, obj: Any, data: dict[str, Any]) -> Any:
    """Copy loaded fields onto an object and record what changed."""
    before = audit.snapshot(obj, data.keys())
    apply(obj, data)
    audit.changed(entity, obj, before)
    return obj


def create_audited(entity: str, obj: Any, data: dict[str, Any]) -> Any:
    """Add a new object, flush it and record it with the values it was given."""
    db.session.add(obj)
    db.session.flush()
    audit.added(entity, obj, [k for k in data if hasattr(obj, k)])
    return obj


def set_active(entity: str, obj: Any, active: bool) -> None:
    """Deactivate or reactivate a set-up object (never deleted: history points at it)."""
    update_audited(entity, obj, {"active": active})


def filter_scoped(query: Select, model: Any, args: dict[str, Any], *names: str) -> Select:
    """Apply equality filters from query arguments that were given."""
    for name in ("property_id", "active", *names):
        if args.get(name) is not None:
            query = query.where(getattr(model, name) == args[name])
    return query


# --- properties ---


def list_properties(args: dict[str, Any]) -> Select:
    """Select the caller's properties."""
    query = select(Property).where(Property.id.in_(granted_property_ids()))
    if args.get("active") is not None:
        query = query.where(Property.active == args["active"])
    query = searched(query, args, Property.code, Property.name, Property.name_en)
    return sorted_by(query.order_by(Property.id), Property, args)


def create_property(data: dict[str, Any]) -> Property:
    """Create a property in the caller's company and grant it to the caller."""
    user = current_user()
    ensure_unique(Property, "code", data["code"], company_id=user.company_id)
    check_property_settings(data)
    prop = Property(company_id=user.company_id, **data)
    user.properties.append(prop)
    return create_audited("property", prop, data)


def update_property(prop: Property, data: dict[str, Any]) -> Property:
    """Change a property's settings."""
    if "code" in data:
        ensure_unique(Property, "code", data["code"], prop.id, company_id=prop.company_id)
    check_property_settings({**audit.snapshot(prop, SETTINGS), **data})
    return update_audited("property", prop, data)


SETTINGS = ("construction_start", "construction_end")


def check_property_settings(state: dict[str, Any]) -> None:
    """Refuse construction hours that end before they start."""
    start, end = state.get("construction_start"), state.get("construction_end")
    if start and end and start >= end:
        raise Invalid(
            "施工结束时间必须晚于开始时间",
            "Construction hours must end after they start.",
            field="construction_end",
        )


# --- zones ---


def create_zone(data: dict[str, Any]) -> Zone:
    """Create a zone in a granted property."""
    get_property(data["property_id"])
    ensure_unique(Zone, "name_zh", data["name_zh"], property_id=data["property_id"])
    return create_audited("zone", Zone(**data), data)


def update_zone(zone: Zone, data: dict[str, Any]) -> Zone:
    """Change a zone; deactivating it deactivates its checkpoints with it."""
    if "name_zh" in data:
        ensure_unique(Zone, "name_zh", data["name_zh"], zone.id, property_id=zone.property_id)
    if data.get("active") is False and zone.active:
        deactivate_zone(zone)
    return update_audited("zone", zone, data)


def deactivate_zone(zone: Zone) -> Zone:
    """Deactivate a zone and its active checkpoints: no patrol is due where nobody goes.

    The ids of the checkpoints it took with it are set on the zone for the response to name;
    reactivating the zone leaves them inactive, to be brought back one by one.
    """
    checkpoints = db.session.scalars(
        select(Checkpoint)
        .where(Checkpoint.zone_id == zone.id, Checkpoint.active.is_(True))
        .order_by(Checkpoint.id)
    ).all()
    for checkpoint in checkpoints:
        set_active("checkpoint", checkpoint, False)
    if zone.active:
        set_active("zone", zone, False)
    n = len(checkpoints)
    # Not columns: what the response tells the admin about this one change.
    said = {
        "checkpoints_deactivated": [c.id for c in checkpoints],
        "notice_zh": f"区域已停用，其下 {n} 个点位一并停用" if n else "区域已停用",
        "notice_en": (
            f"Zone deactivated, and its {n} checkpoint{'s' if n != 1 else ''} with it."
            if n
            else "Zone deactivated."
        ),
    }
    for key, value in said.items():
        setattr(zone, key, value)
    return zone


# --- checkpoints ---


def code_taken(code: str) -> bool:
    """Tell whether a checkpoint uses the code or a re-issued label retired it."""
    in_use = select(Checkpoint.id).where(Checkpoint.code == code)
    retired = select(RetiredCode.id).where(RetiredCode.code == code)
    return db.session.scalar(in_use.union_all(retired).limit(1)) is not None


def new_checkpoint_code() -> str:
    """Return a random checkpoint code that is neither in use nor retired."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not code_taken(code):
            return code


def ensure_code_free(code: str, exclude_id: int | None = None) -> None:
    """Raise 409 when another checkpoint has the code or it was retired (never handed out again)."""
    ensure_unique(Checkpoint, "code", code, exclude_id)
    if db.session.scalar(select(RetiredCode.id).where(RetiredCode.code == code)) is not None:
        raise Conflict(
            "该编码属于已作废的标签，不能再用",
            "This code belonged to a replaced label and cannot be used again.",
            field="code",
        )


def list_checkpoints(query: Select, args: dict[str, Any]) -> Select:
    """Filter checkpoints by zone, kind and a search text."""
    query = filter_scoped(query, Checkpoint, args, "zone_id", "kind")
    query = searched(
        query, args, Checkpoint.name_zh, Checkpoint.name_en, Checkpoint.code, Checkpoint.location
    )
    return sorted_by(query.order_by(Checkpoint.zone_id, Checkpoint.id), Checkpoint, args)


def create_checkpoint(data: dict[str, Any]) -> Checkpoint:
    """Create a checkpoint in a zone, giving it a fresh code unless one is chosen."""
    zone = get_scoped_ref(Zone, data["zone_id"], "zone_id")
    if data.get("code"):
        ensure_code_free(data["code"])
    else:
        data["code"] = new_checkpoint_code()
    return create_audited("checkpoint", Checkpoint(property_id=zone.property_id, **data), data)


def update_checkpoint(checkpoint: Checkpoint, data: dict[str, Any]) -> Checkpoint:
    """Change a checkpoint; it may move between zones of its own property only.

    Its code changes only by re-issuing the label (labels service), which retires the old one.
    """
    if "zone_id" in data:
        zone = get_scoped_ref(Zone, data["zone_id"], "zone_id")
        if zone.property_id != checkpoint.property_id:
            raise Invalid(
                "不能移到其他项目", "A checkpoint cannot move to another property.", field="zone_id"
            )
    return update_audited("checkpoint", checkpoint, data)


def find_by_code(code: str) -> Checkpoint | None:
    """Return the checkpoint with this code in the caller's properties."""
    return db.session.scalar(
        select(Checkpoint).where(
            Checkpoint.code == code.strip().upper(),
            Checkpoint.property_id.in_(granted_property_ids()),
        )
    )


def find_retired_code(code: str) -> RetiredCode | None:
    """Return the retired label code of a checkpoint in the caller's properties."""
    return db.session.scalar(
        select(RetiredCode)
        .join(Checkpoint, RetiredCode.checkpoint_id == Checkpoint.id)
        .where(
            RetiredCode.code == code.strip().upper(),
            Checkpoint.property_id.in_(granted_property_ids()),
        )
    )


# --- units ---


def _building(zone_id: int) -> Zone:
    zone = get_scoped_ref(Zone, zone_id, "zone_id")
    if zone.kind != "building":
        raise Invalid("户只能属于楼栋", "A unit belongs to a building zone.", field="zone_id")
    return zone


def create_unit(data: dict[str, Any]) -> Unit:
    """Create a unit in a building."""
    zone = _building(data["zone_id"])
    ensure_unique(Unit, "number", data["number"], zone_id=zone.id)
    note = data.pop("status_note", None)  # not a column: it belongs to the status's history
    unit = create_audited("unit", Unit(property_id=zone.property_id, **data), data)
    if note:
        user = current_user()
        db.session.add(
            UnitStatusChange(
                unit_id=unit.id,
                from_status=None,
                to_status=unit.status,
                changed_by_id=user.id if user else None,
                note=note,
            )
        )
    return unit


def set_unit_status(unit: Unit, status: str, user: User | None, note: str | None = None) -> None:
    """Change a unit's hand-over status and record the change in its history."""
    if unit.status == status:
        return
    db.session.add(
        UnitStatusChange(
            unit_id=unit.id,
            from_status=unit.status,
            to_status=status,
            changed_by_id=user.id if user else None,
            note=note,
        )
    )
    unit.status = status


def unit_summary(property_id: int) -> list[dict[str, Any]]:
    """Count a property's active units per building and status (seed 000 §二.1)."""
    get_property(property_id)
    rows = db.session.execute(
        select(Zone.id, Zone.name_zh, Zone.name_en, Unit.status, func.count(Unit.id))
        .join(Unit, Unit.zone_id == Zone.id)
        .where(Zone.property_id == property_id, Unit.active.is_(True))
        .group_by(Zone.id, Zone.name_zh, Zone.name_en, Unit.status)
        .order_by(Zone.id)
    ).all()
    summary: dict[int, dict[str, Any]] = {}
    for zone_id, name_zh, name_en, status, count in rows:
        entry = summary.setdefault(
            zone_id,
            {
                "zone_id": zone_id,
                "name_zh": name_zh,
                "name_en": name_en,
                "total": 0,
                **dict.fromkeys(UNIT_STATUSES, 0),
            },
        )
        entry[status] += count
        entry["total"] += count
    return list(summary.values())


def update_unit(unit: Unit, data: dict[str, Any]) -> Unit:
    """Change a unit; it may move between buildings of its own property only."""
    zone_id = data.get("zone_id", unit.zone_id)
    zone = _building(zone_id)
    if zone.property_id != unit.property_id:
        raise Invalid(
            "不能移到其他项目", "A unit cannot move to another property.", field="zone_id"
        )
    ensure_unique(Unit, "number", data.get("number", unit.number), unit.id, zone_id=zone_id)
    before = audit.snapshot(unit, [k for k in data if k != "status_note"])
    if "status" in data:
        set_unit_status(unit, data.pop("status"), current_user(), data.pop("status_note", None))
    data.pop("status_note", None)
    apply(unit, data)
    audit.changed("unit", unit, before)
    return unit


# --- departments and routing ---


def create_department(data: dict[str, Any]) -> Department:
    """Create a department of a property."""
    get_property(data["property_id"])
    ensure_unique(Department, "code", data["code"], property_id=data["property_id"])
    return create_audited("department", Department(**data), data)


def update_department(dept: Department, data: dict[str, Any]) -> Department:
    """Change a department."""
    if "code" in data:
        ensure_unique(Department, "code", data["code"], dept.id, property_id=dept.property_id)
    if data.get("active") is False and dept.active:
        deactivate_department(dept)
    return update_audited("department", dept, data)


def deactivate_department(dept: Department) -> None:
    """Retire a department that no routing rule or active user still points at."""
    if db.session.scalar(select(RoutingRule.id).where(RoutingRule.department_id == dept.id)):
        raise Conflict(
            "仍有派单规则指向该部门", "Routing rules still send work to this department."
        )
    if db.session.scalar(
        select(User.id).where(User.department_id == dept.id, User.active.is_(True))
    ):
        raise Conflict("该部门仍有在职员工", "Active users still belong to this department.")
    set_active("department", dept, False)


def _routing_department(property_id: int, department_id: int) -> Department:
    dept = get_scoped_ref(Department, department_id, "department_id")
    if dept.property_id != property_id or not dept.active:
        raise Invalid(
            "部门不属于该项目",
            "The department is not an active department of this property.",
            field="department_id",
        )
    return dept


def create_routing_rule(data: dict[str, Any]) -> RoutingRule:
    """Route a category to a department of the same property."""
    get_property(data["property_id"])
    _routing_department(data["property_id"], data["department_id"])
    ensure_unique(RoutingRule, "category", data["category"], property_id=data["property_id"])
    return create_audited("routing_rule", RoutingRule(**data), data)


def update_routing_rule(rule: RoutingRule, data: dict[str, Any]) -> RoutingRule:
    """Change which department a category goes to."""
    if "department_id" in data:
        _routing_department(rule.property_id, data["department_id"])
    if "category" in data:
        ensure_unique(
            RoutingRule, "category", data["category"], rule.id, property_id=rule.property_id
        )
    return update_audited("routing_rule", rule, data)


def delete_routing_rule(rule: RoutingRule) -> None:
    """Delete a routing rule (its category then goes to the front desk)."""
    audit.record(
        "routing_rule",
        rule.id,
        "delete",
        {"category": [rule.category, None], "department_id": [rule.department_id, None]},
        property_id=rule.property_id,
        summary=rule.category,
    )
    db.session.delete(rule)


def route(property_id: int, category: str) -> Department | None:
    """Return the department a category routes to at a property, if a rule says so."""
    return db.session.scalar(
        select(Department)
        .join(RoutingRule, RoutingRule.department_id == Department.id)
        .where(RoutingRule.property_id == property_id, RoutingRule.category == category)
    )
