"""Ticket SLA figures for a range of local days, per department, and failure hotspots.

- opened: tickets created in the range; median accept = accepted_at − created_at of those
  accepted (minutes);
- closed: tickets closed in the range; on time when closed_at ≤ close_due_at (the due time in
  force when it closed, delays included); median close = closed_at − created_at (hours);
- failed items: failed item results of inspections scanned in the range, by stable item key;
- failed checkpoints: failed items per checkpoint over the same inspections.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.auth.service import get_property
from app.checklists.models import ChecklistItem
from app.coverage.satisfaction import satisfaction
from app.coverage.service import check_range
from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.places.models import Checkpoint, Department, Property
from app.plans.expand import at_local
from app.tickets.models import Ticket

TOP = 10


def bounds(prop: Property, first: date, last: date) -> tuple[datetime, datetime]:
    """Return the UTC moments from the first day's local midnight to the one after the last."""
    tz = ZoneInfo(prop.timezone)
    return at_local(first, 0, tz), at_local(last + timedelta(days=1), 0, tz)


def ticket_figures(args: dict[str, Any]) -> dict[str, Any]:
    """Return opened, closed, on-time close % and medians, overall and per department."""
    prop = get_property(args["property_id"])
    first, last = args["from_"], args["to"]
    check_range(first, last)
    start, end = bounds(prop, first, last)
    opened = db.session.execute(
        select(Ticket.department_id, Ticket.created_at, Ticket.accepted_at).where(
            Ticket.property_id == prop.id, Ticket.created_at >= start, Ticket.created_at < end
        )
    ).all()
    closed = db.session.execute(
        select(
            Ticket.department_id, Ticket.created_at, Ticket.closed_at, Ticket.close_due_at
        ).where(Ticket.property_id == prop.id, Ticket.closed_at >= start, Ticket.closed_at < end)
    ).all()
    per: dict[int | None, dict[str, list[Any]]] = defaultdict(lambda: {"opened": [], "closed": []})
    for opened_row in opened:
        per[opened_row.department_id]["opened"].append(opened_row)
    for closed_row in closed:
        per[closed_row.department_id]["closed"].append(closed_row)
    names = _department_names(prop.id)
    departments = [
        {"department_id": dept_id, **names.get(dept_id, _undispatched()), **_sla(rows)}
        for dept_id, rows in per.items()
    ]
    departments.sort(key=lambda d: (d["department_id"] is None, d["name_zh"]))
    return {
        "property_id": prop.id,
        "property_name": prop.name,
        "from": first,
        "to": last,
        **_sla({"opened": list(opened), "closed": list(closed)}),
        "departments": departments,
        "failed_items": failed_items(prop.id, start, end),
        "failed_checkpoints": failed_checkpoints(prop.id, start, end),
        "satisfaction": satisfaction(prop.id, start, end),
    }


def _sla(rows: dict[str, list]) -> dict[str, Any]:
    accept = [
        (r.accepted_at - r.created_at).total_seconds() / 60 for r in rows["opened"] if r.accepted_at
    ]
    close = [(r.closed_at - r.created_at).total_seconds() / 3600 for r in rows["closed"]]
    on_time = sum(1 for r in rows["closed"] if r.closed_at <= r.close_due_at)
    count = len(rows["closed"])
    return {
        "opened": len(rows["opened"]),
        "closed": count,
        "closed_on_time": on_time,
        "on_time_close_pct": round(100 * on_time / count, 1) if count else None,
        "median_accept_minutes": round(statistics.median(accept), 1) if accept else None,
        "median_close_hours": round(statistics.median(close), 1) if close else None,
    }


def _department_names(property_id: int) -> dict[int | None, dict[str, str]]:
    rows = db.session.execute(
        select(Department.id, Department.name_zh, Department.name_en).where(
            Department.property_id == property_id
        )
    )
    return {r[0]: {"name_zh": r[1], "name_en": r[2] or r[1]} for r in rows}


def _undispatched() -> dict[str, str]:
    return {"name_zh": "未派单", "name_en": "Not dispatched"}


def failed_items(property_id: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Return the checklist items that failed most often, by stable item key."""
    failures = func.count().label("failures")
    rows = db.session.execute(
        select(
            ChecklistItem.key,
            func.max(ChecklistItem.text_zh),
            func.max(ChecklistItem.text_en),
            failures,
        )
        .join(ItemResult, ItemResult.item_id == ChecklistItem.id)
        .join(Inspection, Inspection.id == ItemResult.inspection_id)
        .where(
            Inspection.property_id == property_id,
            Inspection.scanned_at >= start,
            Inspection.scanned_at < end,
            Inspection.failed_count > 0,
            ItemResult.outcome == "fail",
        )
        .group_by(ChecklistItem.key)
        .order_by(failures.desc(), ChecklistItem.key)
        .limit(TOP)
    )
    return [{"item_key": r[0], "text_zh": r[1], "text_en": r[2], "failures": r[3]} for r in rows]


def failed_checkpoints(property_id: int, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Return the checkpoints with the most failed items."""
    failures = func.sum(Inspection.failed_count).label("failures")
    rows = db.session.execute(
        select(Checkpoint.id, Checkpoint.code, Checkpoint.name_zh, Checkpoint.name_en, failures)
        .join(Inspection, Inspection.checkpoint_id == Checkpoint.id)
        .where(
            Inspection.property_id == property_id,
            Inspection.scanned_at >= start,
            Inspection.scanned_at < end,
            Inspection.failed_count > 0,
        )
        .group_by(Checkpoint.id, Checkpoint.code, Checkpoint.name_zh, Checkpoint.name_en)
        .order_by(failures.desc(), Checkpoint.id)
        .limit(TOP)
    )
    return [
        {
            "checkpoint_id": r[0],
            "code": r[1],
            "name_zh": r[2],
            "name_en": r[3],
            "failures": int(r[4]),
        }
        for r in rows
    ]
