"""HTTP routes for tickets."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.auth import service as auth
from app.common.schemas import paginate
from app.tickets import schemas as s
from app.tickets import service

blp = Blueprint("tickets", __name__, description="Rectification tickets (整改工单)")


@blp.get("/tickets")
@auth.login_required
@blp.arguments(s.TicketArgs, location="query")
@blp.response(200, s.TicketPage)
def list_tickets(args):
    """List tickets (staff see their department's queue), newest first."""
    return paginate(service.list_tickets(args), args)


@blp.get("/tickets/<int:obj_id>")
@auth.login_required
@blp.response(200, s.TicketDetailSchema)
def get_ticket(obj_id):
    """Show a ticket with its events and photos."""
    return service.get_ticket(obj_id)
