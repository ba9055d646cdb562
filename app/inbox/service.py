"""Write, list and mark read a person's inbox messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, update

from app.auth.models import User
from app.auth.service import current_user
from app.common.models import utcnow
from app.errors import NotFound
from app.extensions import db
from app.inbox.models import InboxMessage
from app.tickets.models import Ticket, TicketEvent


def tell_assigned(ticket: Ticket, person: User, event: TicketEvent) -> InboxMessage:
    """Tell a person, in their inbox, that a ticket was given to them (flushed, not committed)."""
    where = ticket.location_text or (ticket.checkpoint.name_zh if ticket.checkpoint else "")
    message = InboxMessage(
        user_id=person.id,
        property_id=ticket.property_id,
        kind="assigned",
        ticket_id=ticket.id,
        event_id=event.id,
        title_zh=f"派给你的工单 {ticket.number}：{ticket.title}"
        + (f"（{where}）" if where else ""),
        title_en=f"Ticket {ticket.number} given to you: {ticket.title}",
    )
    db.session.add(message)
    db.session.flush()
    return message


def mine(args: dict[str, Any]) -> Select:
    """Select my messages, newest first; only the unread ones when asked."""
    query = select(InboxMessage).where(InboxMessage.user_id == current_user().id)
    if args.get("unread"):
        query = query.where(InboxMessage.read_at.is_(None))
    return query.order_by(InboxMessage.id.desc())


def unread_count() -> int:
    """Count my unread messages."""
    return (
        db.session.scalar(
            select(func.count()).where(
                InboxMessage.user_id == current_user().id, InboxMessage.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(message_id: int) -> InboxMessage:
    """Mark one of my messages read (again: no change); another's is not found."""
    message = db.session.get(InboxMessage, message_id)
    if message is None or message.user_id != current_user().id:
        raise NotFound()
    message.read_at = message.read_at or utcnow()
    db.session.flush()
    return message


def mark_all_read() -> int:
    """Mark every unread message of mine read; return how many."""
    unread = InboxMessage.user_id == current_user().id, InboxMessage.read_at.is_(None)
    count = db.session.scalar(select(func.count()).where(*unread)) or 0
    db.session.execute(update(InboxMessage).where(*unread).values(read_at=utcnow()))
    return count
