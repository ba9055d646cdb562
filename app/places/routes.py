"""HTTP routes for properties, zones, checkpoints, units, departments and routing rules."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import select

from app.audit.models import ACTIONS as AUDIT_ACTIONS
from app.audit.models import ENTITIES as AUDIT_ENTITIES
from app.auth import service as auth
from app.auth.models import ROLES
from app.checklists.models import ANSWER_TYPES, SEVERITIES
from app.common.schemas import paginate, searched, sorted_by
from app.extensions import db
from app.inspections.models import OUTCOMES
from app.notify.models import AUDIENCES, CHANNEL_KINDS, DELIVERY_STATUSES
from app.places import schemas as s
from app.places import service
from app.places.models import (
    CATEGORIES,
    CHECKPOINT_KINDS,
    UNIT_STATUSES,
    ZONE_KINDS,
    Checkpoint,
    Department,
    RoutingRule,
    Unit,
    UnitStatusChange,
    Zone,
)
from app.renovation.models import PERMIT_STATUSES
from app.tickets.models import ACTIONS, PRIORITIES, SOURCES, TICKET_KINDS, TICKET_STATUSES

blp = Blueprint(
    "places",
    __name__,
    description="Properties, zones, checkpoints, units, "
    "departments, routing rules (项目、区域、点位、户、部门、派单规则)",
)
vocab_blp = Blueprint("vocab", __name__, description="Code lists with Chinese and English labels")

NO_CONTENT = {204: {"description": "Deactivated or deleted"}}


def commit(obj: Any) -> Any:
    """Commit the request's one transaction and hand back the object to dump."""
    db.session.commit()
    return obj


# --- properties ---


@blp.get("/properties")
@auth.login_required
@blp.arguments(s.PropertyArgs, location="query")
@blp.response(200, s.PropertyPage)
def list_properties(args):
    """List the properties granted to me."""
    return paginate(service.list_properties(args), args)


@blp.post("/properties")
@auth.can_write("property")
@blp.arguments(s.PropertySchema)
@blp.response(201, s.PropertySchema)
def create_property(data):
    """Create a property (admin); it is granted to its creator."""
    return commit(service.create_property(data))


@blp.get("/properties/<int:obj_id>")
@auth.login_required
@blp.response(200, s.PropertySchema)
def get_property(obj_id):
    """Show one property."""
    return auth.get_property(obj_id, field="id")


@blp.patch("/properties/<int:obj_id>")
@auth.can_write("property")
@blp.arguments(s.PropertySchema(partial=True))
@blp.response(200, s.PropertySchema)
def update_property(data, obj_id):
    """Change a property's settings."""
    return commit(service.update_property(auth.get_property(obj_id, field="id"), data))


# --- zones ---


@blp.get("/zones")
@auth.login_required
@blp.arguments(s.ZoneArgs, location="query")
@blp.response(200, s.ZonePage)
def list_zones(args):
    """List zones."""
    query = service.filter_scoped(auth.scoped(Zone), Zone, args, "kind")
    query = searched(query, args, Zone.name_zh, Zone.name_en)
    return paginate(sorted_by(query.order_by(Zone.id), Zone, args), args)


@blp.post("/zones")
@auth.can_write("zone")
@blp.arguments(s.ZoneSchema)
@blp.response(201, s.ZoneSchema)
def create_zone(data):
    """Create a zone."""
    return commit(service.create_zone(data))


@blp.get("/zones/<int:obj_id>")
@auth.login_required
@blp.response(200, s.ZoneSchema)
def get_zone(obj_id):
    """Show one zone."""
    return auth.get_scoped(Zone, obj_id)


@blp.patch("/zones/<int:obj_id>")
@auth.can_write("zone")
@blp.arguments(s.ZoneSchema(partial=True, exclude=("property_id",)))
@blp.response(200, s.ZoneSchema)
def update_zone(data, obj_id):
    """Change a zone."""
    return commit(service.update_zone(auth.get_scoped(Zone, obj_id), data))


@blp.delete("/zones/<int:obj_id>")
@auth.can_write("zone")
@blp.response(204, description="Deactivated, with its checkpoints")
def delete_zone(obj_id):
    """Deactivate a zone and its checkpoints (history keeps pointing at them)."""
    service.deactivate_zone(auth.get_scoped(Zone, obj_id))
    commit(None)


# --- checkpoints ---


@blp.get("/checkpoints")
@auth.login_required
@blp.arguments(s.CheckpointArgs, location="query")
@blp.response(200, s.CheckpointPage)
def list_checkpoints(args):
    """List checkpoints, filtered by property, zone, kind, active or a search text."""
    return paginate(service.list_checkpoints(auth.scoped(Checkpoint), args), args)


@blp.post("/checkpoints")
@auth.can_write("checkpoint")
@blp.arguments(s.CheckpointSchema)
@blp.response(201, s.CheckpointSchema)
def create_checkpoint(data):
    """Create a checkpoint; its code is generated unless given."""
    return commit(service.create_checkpoint(data))


@blp.get("/checkpoints/<int:obj_id>")
@auth.login_required
@blp.response(200, s.CheckpointSchema)
def get_checkpoint(obj_id):
    """Show one checkpoint."""
    return auth.get_scoped(Checkpoint, obj_id)


@blp.patch("/checkpoints/<int:obj_id>")
@auth.can_write("checkpoint")
@blp.arguments(s.CheckpointSchema(partial=True, exclude=("code",)))
@blp.response(200, s.CheckpointSchema)
def update_checkpoint(data, obj_id):
    """Change a checkpoint."""
    return commit(service.update_checkpoint(auth.get_scoped(Checkpoint, obj_id), data))


@blp.delete("/checkpoints/<int:obj_id>")
@auth.can_write("checkpoint")
@blp.response(204, description="Deactivated")
def delete_checkpoint(obj_id):
    """Deactivate a checkpoint (its inspections stay)."""
    service.set_active("checkpoint", auth.get_scoped(Checkpoint, obj_id), False)
    commit(None)


# --- units ---


@blp.get("/units")
@auth.login_required
@blp.arguments(s.UnitArgs, location="query")
@blp.response(200, s.UnitPage)
def list_units(args):
    """List units, filtered by building, floor and status."""
    query = service.filter_scoped(auth.scoped(Unit), Unit, args, "zone_id", "status", "floor")
    query = searched(query, args, Unit.number, Unit.owner_name)
    query = sorted_by(query.order_by(Unit.zone_id, Unit.floor, Unit.number), Unit, args)
    return paginate(query, args)


@blp.post("/units")
@auth.can_write("unit")
@blp.arguments(s.UnitSchema)
@blp.response(201, s.UnitOutSchema)
def create_unit(data):
    """Create a unit in a building."""
    return commit(service.create_unit(data))


@blp.get("/units/summary")
@auth.login_required
@blp.arguments(s.SummaryArgs, location="query")
@blp.response(200, s.UnitSummarySchema(many=True))
def unit_summary(args):
    """Count units per building: handed over, renovating, not taken, not up to standard."""
    return service.unit_summary(args["property_id"])


@blp.get("/units/<int:obj_id>/history")
@auth.login_required
@blp.response(200, s.UnitHistorySchema(many=True))
def unit_history(obj_id):
    """List a unit's status changes, oldest first."""
    unit = auth.get_scoped(Unit, obj_id)
    return db.session.scalars(
        select(UnitStatusChange)
        .where(UnitStatusChange.unit_id == unit.id)
        .order_by(UnitStatusChange.id)
    ).all()


@blp.get("/units/<int:obj_id>")
@auth.login_required
@blp.response(200, s.UnitOutSchema)
def get_unit(obj_id):
    """Show one unit."""
    return auth.get_scoped(Unit, obj_id)


@blp.patch("/units/<int:obj_id>")
@auth.can_write("unit")
@blp.arguments(s.UnitSchema(partial=True))
@blp.response(200, s.UnitOutSchema)
def update_unit(data, obj_id):
    """Change a unit (e.g. its status)."""
    return commit(service.update_unit(auth.get_scoped(Unit, obj_id), data))


@blp.delete("/units/<int:obj_id>")
@auth.can_write("unit")
@blp.response(204, description="Deactivated")
def delete_unit(obj_id):
    """Deactivate a unit."""
    service.set_active("unit", auth.get_scoped(Unit, obj_id), False)
    commit(None)


# --- departments ---


@blp.get("/departments")
@auth.login_required
@blp.arguments(s.DepartmentArgs, location="query")
@blp.response(200, s.DepartmentPage)
def list_departments(args):
    """List departments."""
    query = service.filter_scoped(auth.scoped(Department), Department, args)
    query = searched(query, args, Department.code, Department.name_zh, Department.name_en)
    return paginate(sorted_by(query.order_by(Department.id), Department, args), args)


@blp.post("/departments")
@auth.can_write("department")
@blp.arguments(s.DepartmentSchema)
@blp.response(201, s.DepartmentSchema)
def create_department(data):
    """Create a department."""
    return commit(service.create_department(data))


@blp.get("/departments/<int:obj_id>")
@auth.login_required
@blp.response(200, s.DepartmentSchema)
def get_department(obj_id):
    """Show one department."""
    return auth.get_scoped(Department, obj_id)


@blp.patch("/departments/<int:obj_id>")
@auth.can_write("department")
@blp.arguments(s.DepartmentSchema(partial=True, exclude=("property_id",)))
@blp.response(200, s.DepartmentSchema)
def update_department(data, obj_id):
    """Change a department."""
    return commit(service.update_department(auth.get_scoped(Department, obj_id), data))


@blp.delete("/departments/<int:obj_id>")
@auth.can_write("department")
@blp.response(204, description="Deactivated")
def delete_department(obj_id):
    """Deactivate a department no rule or active user points at."""
    service.deactivate_department(auth.get_scoped(Department, obj_id))
    commit(None)


# --- routing rules ---


@blp.get("/routing-rules")
@auth.login_required
@blp.arguments(s.RoutingRuleArgs, location="query")
@blp.response(200, s.RoutingRulePage)
def list_routing_rules(args):
    """List routing rules."""
    query = auth.scoped(RoutingRule)
    for name in ("property_id", "category", "department_id"):
        if args.get(name) is not None:
            query = query.where(getattr(RoutingRule, name) == args[name])
    query = searched(query, args, RoutingRule.category)
    return paginate(sorted_by(query.order_by(RoutingRule.id), RoutingRule, args), args)


@blp.post("/routing-rules")
@auth.can_write("routing_rule")
@blp.arguments(s.RoutingRuleSchema)
@blp.response(201, s.RoutingRuleSchema)
def create_routing_rule(data):
    """Route a category to a department."""
    return commit(service.create_routing_rule(data))


@blp.get("/routing-rules/<int:obj_id>")
@auth.login_required
@blp.response(200, s.RoutingRuleSchema)
def get_routing_rule(obj_id):
    """Show one routing rule."""
    return auth.get_scoped(RoutingRule, obj_id)


@blp.patch("/routing-rules/<int:obj_id>")
@auth.can_write("routing_rule")
@blp.arguments(s.RoutingRuleSchema(partial=True, exclude=("property_id",)))
@blp.response(200, s.RoutingRuleSchema)
def update_routing_rule(data, obj_id):
    """Send a category to another department."""
    return commit(service.update_routing_rule(auth.get_scoped(RoutingRule, obj_id), data))


@blp.delete("/routing-rules/<int:obj_id>")
@auth.can_write("routing_rule")
@blp.response(204, description="Deleted")
def delete_routing_rule(obj_id):
    """Delete a routing rule (its category then goes to the front desk)."""
    service.delete_routing_rule(auth.get_scoped(RoutingRule, obj_id))
    commit(None)


# --- code lists ---


def _entries(vocab: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "zh": zh, "en": en} for code, (zh, en) in vocab.items()]


@vocab_blp.get("/vocab")
@vocab_blp.response(200, s.VocabSchema)
def vocab():
    """List every code the API takes, with Chinese and English labels."""
    return {
        "zone_kinds": _entries(ZONE_KINDS),
        "checkpoint_kinds": _entries(CHECKPOINT_KINDS),
        "categories": _entries(CATEGORIES),
        "unit_statuses": _entries(UNIT_STATUSES),
        "roles": _entries(ROLES),
        "answer_types": _entries(ANSWER_TYPES),
        "severities": _entries(SEVERITIES),
        "ticket_kinds": _entries(TICKET_KINDS),
        "ticket_statuses": _entries(TICKET_STATUSES),
        "ticket_actions": _entries(ACTIONS),
        "priorities": _entries(PRIORITIES),
        "sources": _entries(SOURCES),
        "outcomes": _entries(OUTCOMES),
        "permit_statuses": _entries(PERMIT_STATUSES),
        "audit_entities": _entries(AUDIT_ENTITIES),
        "audit_actions": _entries(AUDIT_ACTIONS),
        "audiences": _entries(AUDIENCES),
        "channel_kinds": _entries(CHANNEL_KINDS),
        "delivery_statuses": _entries(DELIVERY_STATUSES),
    }
