"""Rules for tickets: raising them (failed items, front-desk intake), routing, numbering, SLA
clocks, queues and the daily reconciliation (当日盘点)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.auth.service import current_user, get_property, get_scoped, get_scoped_ref, scoped
from app.checklists.models import ChecklistItem
from app.common.models import utcnow
from app.common.time import local_day
from app.errors import Invalid, NotFound
from app.extensions import db
from app.inbox import service as inbox
from app.inspections.models import Inspection, ItemResult
from app.notify.service import enqueue
from app.photos.service import get_owned_photos
from app.places.models import Checkpoint, Department, Property, Unit, Zone
from app.places.service import route
from app.tickets import ledger, lifecycle
from app.tickets.models import ACTIONS, OPEN_STATUSES, Ticket, TicketCounter, TicketEvent

URGENT_SEVERITIES = ("critical",)
# Who hears about which step (the outbox delivers it): 事事有人跟.
AUDIENCE_OF = {
    "create": "department",
    "reassign": "department",
    "reopen": "department",
    "resolve": "frontdesk",
    "escalate": "supervisor",
    "overdue": "supervisor",
    "delay": "supervisor",
}


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


sla_due = lifecycle.sla_due


def new_ticket(prop: Property, user: User, priority: str, category: str, **fields: Any) -> Ticket:
    accept_due, close_due = sla_due(prop, priority)
    department = route(prop.id, category)
    ticket = Ticket(
        property_id=prop.id,
        number=next_number(prop),
        priority=priority,
        category=category,
        department_id=department.id if department else None,
        created_by_id=user.id,
        accept_due_at=accept_due,
        close_due_at=close_due,
        **fields,
    )
    db.session.add(ticket)
    return ticket


# --- raising tickets ---


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
    if ticket is None:
        try:
            # A concurrent failure of the same item may open it first: the unique partial
            # index refuses the second, which then becomes a repeat on the winner's ticket.
            with db.session.begin_nested():
                ticket = _new_inspection_ticket(inspection, result, user, description)
        except IntegrityError:
            ticket = _open_ticket_for(inspection.checkpoint_id, item.key)
            if ticket is None:
                raise
        else:
            return ticket
    _repeat(ticket, inspection, result, user, description)
    return ticket


def _repeat(
    ticket: Ticket, inspection: Inspection, result: ItemResult, user: User, description: str
) -> None:
    """Record a repeat failure; one found again after its fix was reported reopens it."""
    # In SQL, not Python: concurrent repeats on one ticket must not lose a count.
    ticket.repeat_count = Ticket.repeat_count + 1
    event = record_event(
        ticket, user, "repeat", note=description, inspection=inspection, photos=result.photos
    )
    if ticket.status in lifecycle.FIXED:
        notify(ticket, lifecycle.reopen_on_repeat(ticket, user, inspection, event))


def _new_inspection_ticket(
    inspection: Inspection, result: ItemResult, user: User, description: str
) -> Ticket:
    item = result.item
    prop = db.session.get(Property, inspection.property_id)
    assert prop is not None
    checkpoint = inspection.checkpoint
    ticket = new_ticket(
        prop,
        user,
        "urgent" if item.severity in URGENT_SEVERITIES else "normal",
        item.category,
        kind="inspection",
        source="inspection",
        severity=item.severity,
        checkpoint_id=checkpoint.id,
        zone_id=checkpoint.zone_id,
        item_key=item.key,
        item_id=item.id,
        inspection_id=inspection.id,
        title=f"{checkpoint.name_zh}：{item.text_zh}",
        description=description,
    )
    db.session.flush()  # inside the savepoint: a losing insert fails here
    event = record_event(
        ticket,
        user,
        "create",
        note=description,
        inspection=inspection,
        photos=result.photos,
        to_status="new",
    )
    notify(ticket, event)
    return ticket


def open_complaint(data: dict[str, Any]) -> Ticket:
    """Record a resident's report or complaint taken by the front desk (报事报修/投诉)."""
    user = current_user()
    prop = get_property(data["property_id"])
    where = _location(prop, data)
    photos = get_owned_photos(data.get("photo_ids") or [], user, prop.id, "photo_ids")
    description = data["description"]
    ticket = new_ticket(
        prop,
        user,
        data["priority"],
        data["category"],
        kind="complaint",
        source=data["source"],
        severity="critical" if data["priority"] == "urgent" else "medium",
        title=data.get("title") or description.splitlines()[0][:100],
        description=description,
        reporter_name=data.get("reporter_name"),
        reporter_phone=data.get("reporter_phone"),
        location_text=data.get("location_text"),
        client_uuid=str(data["client_uuid"]) if data.get("client_uuid") else None,
        **where,
    )
    event = record_event(ticket, user, "create", note=description, photos=photos, to_status="new")
    notify(ticket, event)
    return ticket


def _location(prop: Property, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve where the problem is: a unit, a checkpoint or a zone of this property."""
    where: dict[str, Any] = {}
    for field, model in (("unit_id", Unit), ("checkpoint_id", Checkpoint), ("zone_id", Zone)):
        if data.get(field) is None:
            continue
        obj = get_scoped_ref(model, data[field], field)
        if obj.property_id != prop.id:
            raise Invalid("不属于该项目", "Not part of this property.", field=field)
        where[field] = obj.id
        if "zone_id" not in where and hasattr(obj, "zone_id"):
            where["zone_id"] = obj.zone_id
    if not where and not data.get("location_text"):
        raise Invalid(
            "请填写位置",
            "Say where: a unit, zone, checkpoint or a description.",
            field="location_text",
        )
    return where


def record_event(
    ticket: Ticket,
    user: User | None,
    action: str,
    *,
    note: str | None = None,
    inspection: Inspection | None = None,
    photos: list | None = None,
    to_status: str | None = None,
    details: dict | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        actor_id=user.id if user else None,
        action=action,
        from_status=None if action == "create" else ticket.status,
        to_status=to_status or ticket.status,
        note=note,
        details=details,
        inspection_id=inspection.id if inspection else None,
    )
    event.photos = list(photos or [])
    db.session.add(event)
    db.session.flush()
    return event


# --- steps and notifications ---


def take_step(ticket_id: int, data: dict[str, Any]) -> Ticket:
    """Take one lifecycle step on a visible ticket and tell whoever must hear of it."""
    ticket = get_ticket(ticket_id)
    event = lifecycle.apply_step(ticket, data["action"], data)
    notify(ticket, event)
    if event.action == "reassign" and ticket.assignee is not None:
        inbox.tell_assigned(ticket, ticket.assignee, event)  # the person named, in their inbox
    return ticket


def notify(ticket: Ticket, event: TicketEvent) -> None:
    """Put a message for the step's audience into the outbox, in the same transaction."""
    audience = AUDIENCE_OF.get(event.action)
    if event.action == "verify" and (event.details or {}).get("doubtful"):
        audience = "supervisor"  # verified by a typed code: someone must look
    if audience is None:
        return
    if audience == "department" and ticket.department_id is None:
        audience = "frontdesk"  # no routing rule matched: the dispatch centre must act
    zh, en = ACTIONS[event.action]
    subject = f"[{ticket.number}] {zh} {en}: {ticket.title}"
    body = "\n".join(filter(None, [ticket.title, event.note, f"工单 Ticket {ticket.number}"]))
    payload = {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "action": event.action,
        "status": ticket.status,
        "priority": ticket.priority,
        "department_id": ticket.department_id,
        "title": ticket.title,
        "close_due_at": ticket.close_due_at.isoformat(),
    }
    enqueue(
        ticket.property_id,
        audience,
        subject,
        body,
        payload,
        department_id=ticket.department_id,
        ticket_id=ticket.id,
        event_id=event.id,
    )


# --- queues ---


def visible_tickets() -> Select:
    """Select the tickets the caller may see: staff see their department's queue."""
    query = scoped(Ticket)
    user = current_user()
    if user.role == "staff":
        query = query.where(Ticket.department_id == user.department_id)
    return query


def get_ticket(ticket_id: int) -> Ticket:
    """Return a ticket the caller may see, else raise NotFound."""
    ticket = get_scoped(Ticket, ticket_id)
    user = current_user()
    if user.role == "staff" and ticket.department_id != user.department_id:
        raise NotFound()
    return ticket


def list_tickets(args: dict[str, Any]) -> Select:
    """Filter the visible tickets; most urgent and soonest due first unless asked otherwise."""
    query = visible_tickets()
    for name in (
        "property_id",
        "status",
        "department_id",
        "checkpoint_id",
        "kind",
        "priority",
        "category",
        "zone_id",
        "assignee_id",
    ):
        if args.get(name) is not None:
            query = query.where(getattr(Ticket, name) == args[name])
    opened = Ticket.status.in_(OPEN_STATUSES)
    if args.get("open") is not None:
        query = query.where(opened if args["open"] else ~opened)
    if args.get("overdue") is not None:
        late = opened & (Ticket.close_due_at < utcnow())
        query = query.where(late if args["overdue"] else ~late)
    if args.get("unrouted"):
        query = query.where(Ticket.department_id.is_(None))
    for name, column, op in (
        ("created_from", Ticket.created_at, "ge"),
        ("created_to", Ticket.created_at, "lt"),
        ("closed_from", Ticket.closed_at, "ge"),
        ("closed_to", Ticket.closed_at, "lt"),
    ):
        if args.get(name) is not None:
            query = query.where(column >= args[name] if op == "ge" else column < args[name])
    if args.get("q"):
        like = f"%{args['q']}%"
        query = query.where(
            or_(Ticket.number.ilike(like), Ticket.title.like(like), Ticket.description.like(like))
        )
    if args.get("sort") == "newest":
        return query.order_by(Ticket.id.desc())
    urgent_first = case((Ticket.priority == "urgent", 0), else_=1)
    return query.order_by(~opened, urgent_first, Ticket.close_due_at, Ticket.id)


def daily(property_id: int, day: date) -> dict[str, Any]:
    """Count per department what was opened, closed, overdue and unanswered on a local day."""
    prop = get_property(property_id)
    tz = ZoneInfo(prop.timezone)
    start = datetime.combine(day, time.min, tz)
    end = start + timedelta(days=1)
    base = visible_tickets().where(Ticket.property_id == prop.id).subquery()
    t = base.c
    opened_by_end = (t.created_at < end) & ((t.closed_at.is_(None)) | (t.closed_at >= end))
    rows = db.session.execute(
        select(
            t.department_id,
            func.count().filter((t.created_at >= start) & (t.created_at < end)),
            func.count().filter((t.closed_at >= start) & (t.closed_at < end)),
            func.count().filter(opened_by_end & (t.close_due_at < end)),
            func.count().filter(
                opened_by_end
                & (t.accepted_at.is_(None) | (t.accepted_at >= end))
                & (t.accept_due_at < end)
            ),
        ).group_by(t.department_id)
    ).all()
    names = {
        d.id: d
        for d in db.session.scalars(select(Department).where(Department.property_id == prop.id))
    }
    departments = [
        {
            "department_id": dept_id,
            "department_zh": names[dept_id].name_zh if dept_id else "客服前台（未派单）",
            "department_en": (names[dept_id].name_en or "") if dept_id else "Front desk (unrouted)",
            "opened": o,
            "closed": c,
            "overdue": od,
            "unanswered": un,
        }
        for dept_id, o, c, od, un in rows
        if o or c or od or un
    ]
    return {
        "property_id": prop.id,
        "date": day.isoformat(),
        "departments": departments,
        "items": ledger.received(
            visible_tickets().where(Ticket.property_id == prop.id), start, end
        ),
        "totals": {
            k: sum(d[k] for d in departments) for k in ("opened", "closed", "overdue", "unanswered")
        },
    }
