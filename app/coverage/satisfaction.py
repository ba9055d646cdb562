"""回访 satisfaction for a range: per department and per person who held the ticket.

Counted over the call-backs recorded in the range (callback_at): how many, how many satisfied,
and the mean 1–5 rating of those rated.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.extensions import db
from app.places.models import Department
from app.tickets.models import Ticket


def satisfaction(property_id: int, start: datetime, end: datetime) -> dict[str, list[dict]]:
    """Return the call-back figures per department and per person, most call-backs first."""
    resolver = aliased(User)
    rows = db.session.execute(
        select(
            Ticket.department_id,
            Ticket.assignee_id,
            Ticket.callback_satisfied,
            Ticket.callback_rating,
            Ticket.resolved_by_id,
            resolver.department_id.label("resolver_department_id"),
        )
        .outerjoin(resolver, resolver.id == Ticket.resolved_by_id)
        .where(
            Ticket.property_id == property_id,
            Ticket.callback_at >= start,
            Ticket.callback_at < end,
        )
    ).all()
    by_dept: dict[int | None, list[Any]] = defaultdict(list)
    by_person: dict[int | None, list[Any]] = defaultdict(list)
    for row in rows:
        # The department that did the work: an unhappy call-back sends the ticket back to the
        # front desk, but the rating is that department's.
        by_dept[row.resolver_department_id or row.department_id].append(row)
        # The person who did the work: whoever resolved it, else who holds it now.
        by_person[row.resolved_by_id or row.assignee_id].append(row)
    depts = _names(Department, {k for k in by_dept if k}, lambda d: (d.name_zh, d.name_en or ""))
    people = _names(User, {k for k in by_person if k}, lambda u: (u.display_name, u.display_name))
    return {
        "departments": _ranked(by_dept, depts, ("客服前台（未派单）", "Front desk (unrouted)")),
        "people": _ranked(by_person, people, ("（未指定）", "(nobody named)")),
    }


def _names(model: Any, ids: set[int], label: Any) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    return {
        obj.id: label(obj) for obj in db.session.scalars(select(model).where(model.id.in_(ids)))
    }


def _ranked(groups: dict, names: dict, nobody: tuple[str, str]) -> list[dict[str, Any]]:
    out = []
    for key, rows in groups.items():
        rated = [r.callback_rating for r in rows if r.callback_rating is not None]
        happy = sum(1 for r in rows if r.callback_satisfied)
        zh, en = names.get(key, nobody)
        out.append(
            {
                "id": key,
                "name_zh": zh,
                "name_en": en,
                "callbacks": len(rows),
                "satisfied": happy,
                "satisfied_pct": round(100 * happy / len(rows)),
                "mean_rating": round(sum(rated) / len(rated), 1) if rated else None,
            }
        )
    return sorted(out, key=lambda g: (-g["callbacks"], g["name_zh"]))
