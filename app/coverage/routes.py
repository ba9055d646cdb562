"""HTTP routes for coverage, missed slots, ticket SLA figures and the exports."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from app.auth import service as auth
from app.common.schemas import paginate
from app.coverage import export, reports, service, tickets
from app.coverage import schemas as s
from app.plans.schemas import SlotPage

blp = Blueprint("coverage", __name__, description="Coverage and SLA figures (巡查覆盖率、工单时效)")

# Supervisors and admins; the front desk (dispatch centre) reads them too.
READERS = ("supervisor", "admin", "frontdesk")
FILE = {"type": "string", "format": "binary"}


@blp.get("/coverage")
@auth.roles_required(READERS)
@blp.arguments(s.CoverageArgs, location="query")
@blp.response(200, s.CoverageSchema)
def coverage(args):
    """Show expected vs done slots per zone, checkpoint, person, shift or day."""
    return service.coverage(args)


@blp.get("/coverage/grid")
@auth.roles_required(READERS)
@blp.arguments(s.RangeArgs, location="query")
@blp.response(200, s.GridSchema)
def grid(args):
    """Show coverage per zone and day of a range (the heatmap), with each zone's total."""
    return service.grid(args)


@blp.get("/coverage/missed")
@auth.roles_required(READERS)
@blp.arguments(s.MissedArgs, location="query")
@blp.response(200, SlotPage)
def missed(args):
    """List the missed slots of a range (oldest first)."""
    return paginate(service.missed_slots(args), args)


@blp.get("/coverage/tickets")
@auth.roles_required(READERS)
@blp.arguments(s.RangeArgs, location="query")
@blp.response(200, s.TicketFiguresSchema)
def ticket_figures(args):
    """Show ticket SLA per department and the most failed items and checkpoints."""
    return tickets.ticket_figures(args)


def _download(kind: str, args: dict[str, Any], built: tuple[str, list], ext: str) -> Response:
    heading, sheets = built
    prop = auth.get_property(args["property_id"])
    name = reports.filename(kind, prop.code, args["from_"], args["to"], ext)
    return export.download(heading, sheets, name, ext)


@blp.get("/coverage/report.xlsx")
@auth.roles_required(READERS)
@blp.arguments(s.CoverageArgs, location="query")
@blp.response(200, FILE, content_type=export.XLSX_MIMETYPE, description="Coverage report")
def report_xlsx(args):
    """Download the coverage report of a range as Excel."""
    return _download("coverage", args, reports.coverage_report(args), "xlsx")


@blp.get("/coverage/report.pdf")
@auth.roles_required(READERS)
@blp.arguments(s.CoverageArgs, location="query")
@blp.response(200, FILE, content_type="application/pdf", description="Coverage report")
def report_pdf(args):
    """Download the coverage report of a range as PDF."""
    return _download("coverage", args, reports.coverage_report(args), "pdf")


@blp.get("/coverage/patrol-record.xlsx")
@auth.roles_required(READERS)
@blp.arguments(s.RangeArgs, location="query")
@blp.response(200, FILE, content_type=export.XLSX_MIMETYPE, description="Patrol record form")
def patrol_record_xlsx(args):
    """Download the patrol record form (区域管理员巡查记录表) as Excel."""
    return _download("patrol-record", args, reports.patrol_record(args), "xlsx")


@blp.get("/coverage/patrol-record.pdf")
@auth.roles_required(READERS)
@blp.arguments(s.RangeArgs, location="query")
@blp.response(200, FILE, content_type="application/pdf", description="Patrol record form")
def patrol_record_pdf(args):
    """Download the patrol record form (区域管理员巡查记录表) as PDF."""
    return _download("patrol-record", args, reports.patrol_record(args), "pdf")
