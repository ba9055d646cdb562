"""HTTP routes for shifts, plans, slots and hand-over notes."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.auth import service as auth
from app.common.schemas import paginate, searched, sorted_by
from app.extensions import db
from app.plans import handover, service
from app.plans import schemas as s
from app.plans.models import Plan, Shift, Slot

blp = Blueprint(
    "plans",
    __name__,
    description="Shifts, patrol plans, slots and hand-over (班次、巡查计划、交接)",
)

PLANNERS = ("supervisor", "admin")
SLOT_READERS = ("supervisor", "admin", "frontdesk")


# --- shifts ---


@blp.get("/shifts")
@auth.login_required
@blp.arguments(s.ShiftArgs, location="query")
@blp.response(200, s.ShiftPage)
def list_shifts(args):
    """List shifts by property and role."""
    query = auth.scoped(Shift)
    for name in ("property_id", "role", "active"):
        if args.get(name) is not None:
            query = query.where(getattr(Shift, name) == args[name])
    query = searched(query, args, Shift.code, Shift.name_zh, Shift.name_en)
    query = query.order_by(Shift.property_id, Shift.start_minute, Shift.id)
    return paginate(sorted_by(query, Shift, args), args)


@blp.post("/shifts")
@auth.roles_required(PLANNERS)
@blp.arguments(s.ShiftSchema)
@blp.response(201, s.ShiftSchema)
def create_shift(data):
    """Add a shift (supervisor, admin)."""
    shift = service.create_shift(data)
    db.session.commit()
    return shift


@blp.patch("/shifts/<int:obj_id>")
@auth.roles_required(PLANNERS)
@blp.arguments(s.ShiftSchema(partial=True, exclude=("property_id",)))
@blp.response(200, s.ShiftSchema)
def update_shift(data, obj_id):
    """Change a shift; future slots follow the new times."""
    shift = service.update_shift(auth.get_scoped(Shift, obj_id), data)
    db.session.commit()
    return shift


# --- plans ---


@blp.get("/plans")
@auth.login_required
@blp.arguments(s.PlanArgs, location="query")
@blp.response(200, s.PlanPage)
def list_plans(args):
    """List patrol plans."""
    return paginate(service.list_plans(args), args)


@blp.post("/plans")
@auth.roles_required(PLANNERS)
@blp.arguments(s.PlanInSchema)
@blp.response(201, s.PlanSchema)
def create_plan(data):
    """Create a patrol plan; its slots for today and tomorrow appear at once."""
    plan = service.create_plan(data)
    db.session.commit()
    return plan


@blp.get("/plans/<int:obj_id>")
@auth.login_required
@blp.response(200, s.PlanSchema)
def get_plan(obj_id):
    """Show a plan with every version."""
    return auth.get_scoped(Plan, obj_id)


@blp.patch("/plans/<int:obj_id>")
@auth.roles_required(PLANNERS)
@blp.arguments(s.PlanInSchema(partial=True, exclude=("property_id", "starts_on")))
@blp.response(200, s.PlanSchema)
def update_plan(data, obj_id):
    """Edit or pause a plan from now on (a new version; the past is kept as it was)."""
    plan = service.update_plan(auth.get_scoped(Plan, obj_id), data)
    db.session.commit()
    return plan


# --- slots ---


@blp.get("/slots")
@auth.roles_required(SLOT_READERS)
@blp.arguments(s.SlotArgs, location="query")
@blp.response(200, s.SlotPage)
def list_slots(args):
    """List expected visits by property, days, zone, status, plan or person."""
    return paginate(service.list_slots(args), args)


@blp.get("/slots/mine")
@auth.login_required
@blp.response(200, s.SlotListSchema)
def my_slots():
    """List my expected visits of today."""
    return {"items": service.my_slots(auth.current_user())}


@blp.post("/slots/<int:obj_id>/excuse")
@auth.roles_required(("supervisor",))
@blp.arguments(s.ExcuseSchema)
@blp.response(200, s.SlotSchema)
def excuse_slot(data, obj_id):
    """Excuse a pending or missed slot with a reason (supervisor)."""
    slot = service.excuse(auth.get_scoped(Slot, obj_id), data["reason"])
    db.session.commit()
    return slot


# --- hand-over ---


@blp.post("/handovers")
@auth.roles_required(handover.WRITERS)
@blp.arguments(s.HandoverInSchema)
@blp.response(201, s.HandoverSchema)
def create_handover(data):
    """Leave a hand-over note (交接) for the next shift, with my pending slots."""
    note = handover.create_note(data)
    db.session.commit()
    return note


@blp.get("/handovers/mine")
@auth.login_required
@blp.response(200, s.HandoverListSchema)
def my_handovers():
    """List the hand-over notes left for me (for yesterday, today and tomorrow)."""
    return {"items": handover.my_notes(auth.current_user())}


@blp.post("/handovers/<int:obj_id>/ack")
@auth.login_required
@blp.response(200, s.HandoverSchema)
def acknowledge_handover(obj_id):
    """Mark a hand-over note as read."""
    note = handover.acknowledge(obj_id)
    db.session.commit()
    return note
