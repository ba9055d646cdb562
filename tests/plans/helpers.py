"""Builders for plan tests: shifts, plans made as a given user at a given time, inspections."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import g

from app.auth.models import User
from app.extensions import db
from app.inspections.models import Inspection
from app.places.models import Checkpoint, Property
from app.plans import service
from app.plans.models import Plan, Shift, Slot

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def local(day: date, hh: int, mm: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    """Return the UTC moment of a local wall-clock time."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz).astimezone(UTC)


def shifts(prop: Property) -> dict[str, Shift]:
    """Add the assistants' early (08:30–17:30) and middle (13:00–21:00) shifts of seed 000."""
    made = {
        "early": Shift(
            property_id=prop.id,
            code="early",
            name_zh="早班",
            name_en="Early",
            role="assistant",
            start_minute=510,
            end_minute=1050,
        ),
        "middle": Shift(
            property_id=prop.id,
            code="middle",
            name_zh="中班",
            name_en="Middle",
            role="assistant",
            start_minute=780,
            end_minute=1260,
        ),
    }
    db.session.add_all(made.values())
    db.session.flush()
    return made


def make_plan(author: User, now: datetime, **fields: Any) -> Plan:
    """Create a plan as author at now (the service's rules, no HTTP)."""
    g.user = author
    data = {"name_zh": f"计划{next(_seq)}", "frequency": "daily", **fields}
    return service.create_plan(data, now=now)


def edit_plan(author: User, plan: Plan, now: datetime, **fields: Any) -> Plan:
    """Edit a plan as author at now."""
    g.user = author
    return service.update_plan(plan, fields, now=now)


def inspect(checkpoint: Checkpoint, user: User, scanned_at: datetime, now: datetime) -> Inspection:
    """Store an inspection (as the submit path does) and run the plans hook at now."""
    from app.checklists.models import ChecklistTemplate

    template = (
        db.session.query(ChecklistTemplate)
        .filter_by(property_id=checkpoint.property_id, kind=checkpoint.kind)
        .one()
    )
    inspection = Inspection(
        client_uuid=str(uuid.uuid4()),
        property_id=checkpoint.property_id,
        checkpoint_id=checkpoint.id,
        checklist_version_id=template.current_version.id,
        user_id=user.id,
        code=checkpoint.code,
        label_version=1,
        scanned_at=scanned_at,
        received_at=now,
    )
    db.session.add(inspection)
    db.session.flush()
    service.on_inspection_stored(inspection, now=now)
    return inspection


def slots_of(plan: Plan, day: date | None = None) -> list[Slot]:
    """Return a plan's slots (of one local day) by window and checkpoint."""
    query = db.session.query(Slot).filter_by(plan_id=plan.id)
    if day is not None:
        query = query.filter_by(local_day=day)
    return list(query.order_by(Slot.window_start, Slot.checkpoint_id))
