"""The SLA sweep (flask tickets sweep): escalate unaccepted tickets, mark overdue ones.

Safe to run every minute from cron: each escalation level and each overdue mark is recorded on
the ticket, so repeated runs add nothing until the next level is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.common.models import utcnow
from app.extensions import db
from app.tickets.models import OPEN_STATUSES, Ticket
from app.tickets.service import notify, record_event

WAITING = ("new", "reopened")


def escalation_steps() -> list[timedelta]:
    """Return how long after the accept deadline each escalation level fires."""
    minutes = current_app.config["TICKET_ESCALATION_MINUTES"]
    return [timedelta(minutes=int(m)) for m in str(minutes).split(",") if m.strip()]


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Escalate and mark overdue whatever is due now; return how many of each."""
    now = now or utcnow()
    return {"escalated": _escalate(now), "overdue": _mark_overdue(now)}


def _escalate(now: datetime) -> int:
    steps = escalation_steps()
    due = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.status.in_(WAITING),
            Ticket.accept_due_at <= now,
            Ticket.escalation_level < len(steps),
        )
        .order_by(Ticket.id)
        .with_for_update(skip_locked=True)
    ).all()
    count = 0
    for ticket in due:
        while (
            ticket.escalation_level < len(steps)
            and ticket.accept_due_at + steps[ticket.escalation_level] <= now
        ):
            ticket.escalation_level += 1
            late = now - ticket.accept_due_at
            event = record_event(
                ticket,
                None,
                "escalate",
                note=f"超过受理时限 {int(late.total_seconds() // 60)} 分钟仍未受理 / "
                f"not accepted {int(late.total_seconds() // 60)} min after "
                f"the deadline",
                details={"level": ticket.escalation_level, "reason": "not_accepted"},
            )
            notify(ticket, event)
            count += 1
    return count


def _mark_overdue(now: datetime) -> int:
    due = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.status.in_(OPEN_STATUSES),
            Ticket.close_due_at <= now,
            Ticket.overdue_at.is_(None),
        )
        .order_by(Ticket.id)
        .with_for_update(skip_locked=True)
    ).all()
    for ticket in due:
        ticket.overdue_at = now
        event = record_event(
            ticket,
            None,
            "overdue",
            note="已超过整改期限，须提交延期说明 / past the close deadline: a written "
            "delay reason is needed",
            details={"close_due_at": ticket.close_due_at.isoformat()},
        )
        notify(ticket, event)
    return len(due)
