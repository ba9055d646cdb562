"""HTTP routes for tickets: queues, detail, intake, lifecycle steps, daily reconciliation."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from app.auth import service as auth
from app.common.schemas import paginate
from app.coverage import export
from app.coverage.schemas import RangeArgs
from app.extensions import db
from app.tickets import dispatch, forms, replay, service
from app.tickets import schemas as s

blp = Blueprint("tickets", __name__, description="Rectification tickets (整改工单)")

DISPATCH_CENTRE = ("frontdesk", "supervisor")
FILE = {"type": "string", "format": "binary"}


@blp.get("/tickets")
@auth.login_required
@blp.arguments(s.TicketArgs, location="query")
@blp.response(200, s.TicketPage)
def list_tickets(args):
    """List tickets (staff see their department's queue): urgent and soonest due first."""
    return paginate(service.list_tickets(args), args)


@blp.post("/tickets")
@auth.roles_required(DISPATCH_CENTRE)
@blp.arguments(s.ComplaintSchema)
@blp.response(201, s.TicketDetailSchema)
def create_ticket(data):
    """Record a resident's report or complaint (报事报修/投诉); it is routed like any ticket.

    With a `client_uuid` (a report recorded on a phone offline) a resend answers 200 with the
    ticket recorded the first time.
    """
    earlier = replay.replayed_report(data)
    if earlier is not None:
        return earlier, 200
    try:
        ticket = service.open_complaint(data)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent copy committed first: answer with that one
        earlier = replay.replayed_report(data)
        if earlier is None:
            raise
        return earlier, 200
    return ticket


@blp.get("/tickets/daily")
@auth.roles_required(("frontdesk", "supervisor", "admin"))
@blp.arguments(s.DailyArgs, location="query")
@blp.response(200, s.DailySchema)
def daily(args):
    """Reconcile one local day (当日盘点): opened, closed, overdue, unanswered per department."""
    return service.daily(args["property_id"], args["date"])


@blp.get("/tickets/mine")
@auth.login_required
@blp.arguments(s.TaskArgs, location="query")
@blp.response(200, s.TicketPage)
def my_tasks(args):
    """List my tasks (我的任务): open tickets dispatched to me, soonest due first."""
    return paginate(dispatch.my_tasks(args), args)


@blp.get("/tickets/<int:obj_id>/candidates")
@auth.roles_required(DISPATCH_CENTRE)
@blp.arguments(s.CandidateArgs, location="query")
@blp.response(200, s.CandidateList)
def candidates(args, obj_id):
    """List who a ticket may be dispatched to: the department's staff, then the assistants."""
    ticket = service.get_ticket(obj_id)
    return {"items": dispatch.candidates(ticket, args.get("department_id"))}


@blp.get("/tickets/customer-reports.xlsx")
@auth.roles_required(("frontdesk", "supervisor", "admin"))
@blp.arguments(RangeArgs, location="query")
@blp.response(200, FILE, content_type=export.XLSX_MIMETYPE, description="客户反映情况记录表")
def customer_reports_xlsx(args):
    """Download the customer report record form (客户反映情况记录表) of a range as Excel."""
    return _form(args, "xlsx")


@blp.get("/tickets/customer-reports.pdf")
@auth.roles_required(("frontdesk", "supervisor", "admin"))
@blp.arguments(RangeArgs, location="query")
@blp.response(200, FILE, content_type="application/pdf", description="客户反映情况记录表")
def customer_reports_pdf(args):
    """Download the customer report record form (客户反映情况记录表) of a range as PDF."""
    return _form(args, "pdf")


def _form(args, ext: str) -> Response:
    heading, sheets = forms.customer_reports(args)
    name = forms.filename(
        auth.get_property(args["property_id"]).code, args["from_"], args["to"], ext
    )
    return export.download(heading, sheets, name, ext)


@blp.get("/tickets/<int:obj_id>")
@auth.login_required
@blp.response(200, s.TicketDetailSchema)
def get_ticket(obj_id):
    """Show a ticket with its events, before/after photos and the steps I may take."""
    return service.get_ticket(obj_id)


@blp.post("/tickets/<int:obj_id>/events")
@auth.login_required
@blp.arguments(s.StepSchema)
@blp.response(200, s.TicketDetailSchema)
def take_step(data, obj_id):
    """Take a lifecycle step (accept, start, resolve, verify, reopen, close, reassign, ...).

    With a `client_uuid` (a step queued on a phone offline) a resend is taken once: it answers
    with the ticket as that step left it.
    """
    earlier = replay.replayed_step(obj_id, data)
    if earlier is not None:
        return earlier
    try:
        ticket = service.take_step(obj_id, data)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent copy committed first: answer with that one
        earlier = replay.replayed_step(obj_id, data)
        if earlier is None:
            raise
        return earlier
    return ticket
