"""HTTP routes for renovation permits, deposits, violations and notice PDFs."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from sqlalchemy import select

from app.auth import service as auth
from app.common.schemas import paginate
from app.errors import NotFound
from app.extensions import db
from app.places.models import Property
from app.renovation import schemas as s
from app.renovation import service
from app.renovation.models import LedgerEntry, Notice, Permit
from app.renovation.notice_pdf import render_notice
from app.tickets.schemas import TicketDetailSchema
from app.tickets.service import get_ticket

blp = Blueprint("renovation", __name__, description="Renovation permits, notices, deposits (装修)")

PDF = {"type": "string", "format": "binary"}
APPLY_ROLES = ("frontdesk", "inspector", "supervisor", "admin")
LEDGER_ROLES = ("supervisor", "admin")


@blp.get("/permits")
@auth.login_required
@blp.arguments(s.PermitArgs, location="query")
@blp.response(200, s.PermitPage)
def list_permits(args):
    """List renovation permits, filtered by property, unit and status."""
    query = auth.scoped(Permit)
    for name in ("property_id", "unit_id", "status"):
        if args.get(name) is not None:
            query = query.where(getattr(Permit, name) == args[name])
    return paginate(query.order_by(Permit.id.desc()), args)


@blp.post("/permits")
@auth.roles_required(APPLY_ROLES)
@blp.arguments(s.PermitSchema)
@blp.response(201, s.PermitOutSchema)
def apply_for_permit(data):
    """Record a renovation application (装修申请)."""
    permit = service.apply_for_permit(data)
    db.session.commit()
    return permit


@blp.get("/permits/<int:obj_id>")
@auth.login_required
@blp.response(200, s.PermitOutSchema)
def get_permit(obj_id):
    """Show one permit with its deposit balance."""
    return auth.get_scoped(Permit, obj_id)


@blp.post("/permits/<int:obj_id>/steps")
@auth.login_required
@blp.arguments(s.PermitStepSchema)
@blp.response(200, s.PermitOutSchema)
def permit_step(data, obj_id):
    """Approve, reject, start, request the completion inspection, or complete a permit."""
    permit = service.permit_step(auth.get_scoped(Permit, obj_id), data["action"], data)
    db.session.commit()
    return permit


@blp.get("/permits/<int:obj_id>/ledger")
@auth.login_required
@blp.response(200, s.LedgerSchema)
def get_ledger(obj_id):
    """Show a permit's deposit entries and balance."""
    permit = auth.get_scoped(Permit, obj_id)
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.permit_id == permit.id).order_by(LedgerEntry.id)
    ).all()
    return {"permit_id": permit.id, "balance_cents": service.balance(permit.id), "entries": entries}


@blp.post("/permits/<int:obj_id>/ledger")
@auth.roles_required(LEDGER_ROLES)
@blp.arguments(s.LedgerEntrySchema)
@blp.response(201, s.LedgerEntrySchema)
def add_ledger_entry(data, obj_id):
    """Deduct from the deposit (e.g. for dumped debris) or refund it; never below zero."""
    entry = service.add_entry(auth.get_scoped(Permit, obj_id), data)
    db.session.commit()
    return entry


@blp.post("/units/<int:obj_id>/violations")
@auth.roles_required(("inspector", "supervisor"))
@blp.arguments(s.ViolationSchema)
@blp.response(201, TicketDetailSchema)
def record_violation(data, obj_id):
    """Record a violation at a unit (e.g. construction without a permit) as a notice."""
    ticket = service.record_violation(obj_id, data)
    db.session.commit()
    return ticket


@blp.get("/tickets/<int:obj_id>/notice.pdf")
@auth.login_required
@blp.response(
    200,
    PDF,
    content_type="application/pdf",
    description="The printable rectification notice (整改通知书)",
)
def notice_pdf(obj_id):
    """Print a renovation ticket's rectification notice."""
    ticket = get_ticket(obj_id)
    notice = db.session.get(Notice, ticket.id)
    if notice is None:
        raise NotFound("该工单不是装修整改通知", "This ticket is not a renovation notice.")
    prop = db.session.get(Property, ticket.property_id)
    assert prop is not None
    body = render_notice(ticket, notice, prop)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="notice-{ticket.number}.pdf"'},
    )
