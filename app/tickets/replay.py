"""Steps and reports queued on a phone offline: a resend answers with what was stored first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth.service import current_user
from app.errors import Conflict
from app.extensions import db
from app.tickets.models import Ticket, TicketEvent


def _not_yours() -> Conflict:
    return Conflict(
        "该记录编号已被其他用户使用",
        "This client_uuid belongs to another user.",
        field="client_uuid",
    )


def replayed_step(ticket_id: int, data: dict[str, Any]) -> Ticket | None:
    """Return the ticket when the caller already took this step (same UUID, ticket, action)."""
    if not data.get("client_uuid"):
        return None
    event = db.session.scalar(
        select(TicketEvent).where(TicketEvent.client_uuid == str(data["client_uuid"]))
    )
    if event is None:
        return None
    if event.actor_id != current_user().id:
        raise _not_yours()
    # An unsatisfied call-back's close is recorded as a reopen: the same step, resent.
    same_step = event.action == data["action"] or (
        data["action"] == "close" and event.action == "reopen"
    )
    if event.ticket_id != ticket_id or not same_step:
        raise Conflict(
            "该记录编号已用于另一个工单步骤，未保存",
            "This client_uuid already stored another ticket step; this one was not saved.",
            field="client_uuid",
        )
    return event.ticket


def replayed_report(data: dict[str, Any]) -> Ticket | None:
    """Return the ticket when the caller already recorded this report (same UUID)."""
    if not data.get("client_uuid"):
        return None
    ticket = db.session.scalar(select(Ticket).where(Ticket.client_uuid == str(data["client_uuid"])))
    if ticket is None:
        return None
    if ticket.created_by_id != current_user().id:
        raise _not_yours()
    return ticket
