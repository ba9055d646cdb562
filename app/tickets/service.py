"""Rules for tickets: raising them from failed items, numbering, routing, SLA clocks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.auth.service import current_user, get_scoped, scoped
from app.checklists.models import ChecklistItem
from app.common.models import utcnow
from app.common.time import local_day
from app.errors import NotFound
from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.places.models import Property
from app.places.service import route
from app.tickets.models import OPEN_STATUSES, Ticket, TicketCounter, TicketEvent

URGENT_SEVERITIES = ("critical",)


def next_number(prop: Property) -> str:
    """Issue the property's next ticket number for today, e.g. CH-20261123-0007.

    The counter row is updated in the caller's transaction: PostgreSQL holds its row lock and
    SQLite its write lock until commit, so numbers are unique and a rollback leaves no gap.
    """
    day = local_day(prop.timezone)
    bump = (
        update(TicketCounter)
        .where(TicketCounter.property_id == prop.id, TicketCounter.day == day)
        .values(last=TicketCounter.last + 1)
        .returning(TicketCounter.last)
    )
    last = db.session.execute(bump).scalar()
    if last is None:
        try:
            with db.session.begin_nested():
                db.session.add(TicketCounter(property_id=prop.id, day=day, last=1))
            last = 1
        except IntegrityError:  # another transaction created today's counter first
            last = db.session.execute(bump).scalar_one()
    return f"{prop.code}-{day}-{last:04d}"


def sla_due(prop: Property, priority: str) -> tuple[Any, Any]:
    """Return (accept by, close by) for a ticket opened now."""
    now = utcnow()
    urgent = priority == "urgent"
    accept = prop.sla_accept_urgent_minutes if urgent else prop.sla_accept_minutes
    close = prop.sla_close_urgent_hours if urgent else prop.sla_close_hours
    return now + timedelta(minutes=accept), now + timedelta(hours=close)


def _open_ticket_for(checkpoint_id: int, item_key: str) -> Ticket | None:
    return db.session.scalar(
        select(Ticket)
        .where(
            Ticket.checkpoint_id == checkpoint_id,
            Ticket.item_key == item_key,
            Ticket.status.in_(OPEN_STATUSES),
        )
        .order_by(Ticket.id)
        .limit(1)
    )


def _describe(result: ItemResult, item: ChecklistItem) -> str:
    parts = [item.text_zh]
    if result.value_number is not None:
        parts.append(f"读数 reading: {result.value_number:g}{item.unit or ''}")
    if result.value_text:
        parts.append(result.value_text)
    if result.note:
        parts.append(result.note)
    return "\n".join(parts)


def raise_for_failure(inspection: Inspection, result: ItemResult, user: User) -> Ticket:
    """Open a routed ticket for a failed item, or add the repeat to the one still open."""
    item = result.item
    description = _describe(result, item)
    ticket = _open_ticket_for(inspection.checkpoint_id, item.key)
    if ticket is not None:
        ticket.repeat_count += 1
        _event(
            ticket, user, "repeat", note=description, inspection=inspection, photos=result.photos
        )
        return ticket
    prop = db.session.get(Property, inspection.property_id)
    assert prop is not None
    priority = "urgent" if item.severity in URGENT_SEVERITIES else "normal"
    accept_due, close_due = sla_due(prop, priority)
    department = route(prop.id, item.category)
    ticket = Ticket(
        property_id=prop.id,
        number=next_number(prop),
        kind="inspection",
        priority=priority,
        severity=item.severity,
        category=item.category,
        department_id=department.id if department else None,
        checkpoint_id=inspection.checkpoint_id,
        item_key=item.key,
        item_id=item.id,
        inspection_id=inspection.id,
        title=f"{inspection.checkpoint.name_zh}：{item.text_zh}",
        description=description,
        created_by_id=user.id,
        accept_due_at=accept_due,
        close_due_at=close_due,
    )
    db.session.add(ticket)
    _event(
        ticket,
        user,
        "create",
        note=description,
        inspection=inspection,
        photos=result.photos,
        to_status="new",
    )
    return ticket


def _event(
    ticket: Ticket,
    user: User | None,
    action: str,
    *,
    note: str | None = None,
    inspection: Inspection | None = None,
    photos: list | None = None,
    to_status: str | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        actor_id=user.id if user else None,
        action=action,
        from_status=None if action == "create" else ticket.status,
        to_status=to_status or ticket.status,
        note=note,
        inspection_id=inspection.id if inspection else None,
    )
    event.photos = list(photos or [])
    db.session.add(event)
    return event


def visible_tickets() -> Select:
    """Select the tickets the caller may see: staff see their department's queue."""
    query = scoped(Ticket)
    user = current_user()
    if user.role == "staff":
        query = query.where(Ticket.department_id == user.department_id)
    return query


def list_tickets(args: dict[str, Any]) -> Select:
    """Filter the visible tickets."""
    query = visible_tickets()
    for name in ("property_id", "status", "department_id", "checkpoint_id", "kind", "priority"):
        if args.get(name) is not None:
            query = query.where(getattr(Ticket, name) == args[name])
    if args.get("open") is not None:
        opened = Ticket.status.in_(OPEN_STATUSES)
        query = query.where(opened if args["open"] else ~opened)
    return query.order_by(Ticket.id.desc())


def get_ticket(ticket_id: int) -> Ticket:
    """Return a ticket the caller may see, else raise NotFound."""
    ticket = get_scoped(Ticket, ticket_id)
    user = current_user()
    if user.role == "staff" and ticket.department_id != user.department_id:
        raise NotFound()
    return ticket
