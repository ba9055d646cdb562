"""Dispatch to a person (派单到人): who may hold a ticket, and each person's tasks (我的任务)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select

from app.auth.models import User
from app.auth.service import current_user, granted_property_ids
from app.common.models import utcnow
from app.errors import Invalid, NotFound
from app.extensions import db
from app.places.models import Department
from app.tickets.models import OPEN_STATUSES, Ticket

# A 师傅 of the responsible department does the work; a building assistant follows it up (跟进).
HOLDER_ROLES = ("staff", "assistant")


def may_hold(person: User, ticket: Ticket, department: Department | None) -> bool:
    """Tell whether this person may be given this ticket in this department."""
    if not person.active or ticket.property_id not in {p.id for p in person.properties}:
        return False
    if person.role == "assistant":
        return True
    return (
        person.role == "staff" and department is not None and person.department_id == department.id
    )


def holder(ticket: Ticket, department: Department | None, assignee_id: int) -> User:
    """Return the person a dispatcher named, or raise naming assignee_id."""
    person = db.session.get(User, assignee_id)
    if person is None or not set(person.property_ids) & set(granted_property_ids()):
        raise NotFound(
            "引用的对象不存在", "The referenced object does not exist.", field="assignee_id"
        )
    if not may_hold(person, ticket, department):
        raise Invalid(
            "只能派给该部门的员工或本项目的物业助理",
            "Dispatch to staff of the chosen department or to an assistant of this property.",
            field="assignee_id",
        )
    return person


def candidates(ticket: Ticket, department_id: int | None) -> list[User]:
    """List who may hold the ticket: the department's staff first, then the assistants."""
    department = db.session.get(Department, department_id or ticket.department_id or 0)
    people = db.session.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(HOLDER_ROLES))
        .order_by(User.role.desc(), User.display_name, User.id)
    )
    return [u for u in people if may_hold(u, ticket, department)]


def my_tasks(args: dict[str, Any]) -> Select:
    """Select the open tickets I hold: all, due today (property time) or overdue."""
    user = current_user()
    query = select(Ticket).where(Ticket.assignee_id == user.id, Ticket.status.in_(OPEN_STATUSES))
    now = utcnow()
    when = args.get("when", "all")
    if when == "overdue":
        query = query.where(or_(Ticket.close_due_at < now, Ticket.overdue_at.is_not(None)))
    elif when == "today":
        query = query.where(_due_by_end_of_day(user, now))
    return query.order_by(Ticket.close_due_at, Ticket.id)


def _due_by_end_of_day(user: User, now: datetime) -> Any:
    """Due before the end of today, each property by its own clock."""
    clauses = []
    for prop in user.properties:
        tz = ZoneInfo(prop.timezone)
        local = now.astimezone(tz)
        end = datetime.combine(local.date() + timedelta(days=1), time.min, tz)
        clauses.append((Ticket.property_id == prop.id) & (Ticket.close_due_at < end))
    return or_(*clauses) if clauses else Ticket.id.is_(None)
