"""当日盘点 as a list: every request received on a local day, its state, holder and answer time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select

from app.common.models import utcnow
from app.extensions import db
from app.tickets.models import OPEN_STATUSES, TICKET_STATUSES, Ticket

# Seeds 001 and 003: the front desk answers every request within one hour (1小时内回复).
ANSWER_WITHIN = timedelta(hours=1)


def received(base: Select, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """List the tickets received in [start, end), oldest first, each with how it was answered."""
    query = base.where(Ticket.created_at >= start, Ticket.created_at < end).order_by(
        Ticket.created_at, Ticket.id
    )
    now = utcnow()
    return [_row(t, now) for t in db.session.scalars(query)]


def _row(ticket: Ticket, now: datetime) -> dict[str, Any]:
    answered_at = ticket.accepted_at
    waited = (answered_at or now) - ticket.created_at
    status_zh, status_en = TICKET_STATUSES[ticket.status]
    return {
        "id": ticket.id,
        "number": ticket.number,
        "title": ticket.title,
        "kind": ticket.kind,
        "source": ticket.source,
        "status": ticket.status,
        "status_zh": status_zh,
        "status_en": status_en,
        "open": ticket.status in OPEN_STATUSES,
        "department_zh": ticket.department.name_zh if ticket.department else None,
        "department_en": ticket.department.name_en if ticket.department else None,
        "assignee_name": ticket.assignee.display_name if ticket.assignee else None,
        "created_at": ticket.created_at,
        "answered_at": answered_at,
        "answer_minutes": round(waited.total_seconds() / 60) if answered_at else None,
        # Answered within the hour; a request still waiting past it stands out.
        "answered_in_time": answered_at is not None and waited <= ANSWER_WITHIN,
        "late": waited > ANSWER_WITHIN,
    }
