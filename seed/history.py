"""Generate past patrols for the demo (flask seed demo --history N): N local days before today.

For every expected visit of the demo plans: about 86% are visited on time, 6% late (inside the
grace period) and the rest missed; 3% more scans are extra visits outside any plan. Scans are
made by the plan's zone owner (assistant, assistant2), or by one of them for role plans, and
some reach the server hours later (an offline phone). Every answer passes, so no ticket is
raised in the past. Runs once: a property that already has inspections before today is left as
it is. The slots are then materialized and matched like live ones. Flushes, never commits.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from app.auth.models import User
from app.checklists.models import ChecklistItem, ChecklistTemplate
from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.places.models import Checkpoint, Property
from app.plans.expand import Window, at_local, local_date, windows
from app.plans.models import PlanVersion, Shift, Visit
from app.plans.sweep import materialize, selected_checkpoints
from seed.plans import backdate

ON_TIME, LATE, EXTRA = 0.86, 0.06, 0.03
WALKERS = ("assistant", "assistant2")


def generate_history(prop: Property, days: int, now: datetime, seed: int = 6) -> dict[str, int]:
    """Add `days` local days of past patrols before today; return how many inspections."""
    tz = ZoneInfo(prop.timezone)
    today = at_local(local_date(now, tz), 0, tz)
    start = at_local(local_date(now, tz) - timedelta(days=days), 0, tz)
    earlier = db.session.scalar(
        select(func.count()).where(Inspection.property_id == prop.id, Inspection.scanned_at < today)
    )
    if days <= 0 or earlier:
        return {"history_inspections": 0}
    backdate(prop, start)
    rng = random.Random(seed)
    visits = _planned_visits(prop, tz, start, today, rng)
    stored = _store(prop, visits, now, rng)
    return {"history_inspections": stored, "history_slots": materialize(now)}


def _planned_visits(
    prop: Property, tz: ZoneInfo, start: datetime, end: datetime, rng: random.Random
) -> list[tuple[int, datetime, int]]:
    """Return (checkpoint id, scan time, user id) of the visits the past would have had."""
    walkers = dict(
        db.session.execute(select(User.username, User.id).where(User.username.in_(WALKERS))).all()
    )
    shifts = {s.id: s for s in db.session.scalars(select(Shift).filter_by(property_id=prop.id))}
    versions = db.session.scalars(select(PlanVersion).filter_by(property_id=prop.id)).all()
    found: list[tuple[int, datetime, int]] = []
    for version in versions:
        owners = version.assignee_ids or []
        for window in windows(version, shifts, tz, start, end):
            for checkpoint_id, _ in selected_checkpoints(version):
                who = owners[0] if owners else rng.choice(list(walkers.values()))
                moment = _scan_time(window, version.grace_minutes, rng)
                if moment is not None:
                    found.append((checkpoint_id, moment, who))
    checkpoints = db.session.scalars(select(Checkpoint.id).filter_by(property_id=prop.id)).all()
    for _ in range(int(len(found) * EXTRA)):
        day = start + timedelta(days=rng.randrange(max(1, (end - start).days)))
        moment = day + timedelta(hours=rng.uniform(6, 23))  # UTC: 14:00-07:00 in Shanghai
        found.append((rng.choice(checkpoints), moment, rng.choice(list(walkers.values()))))
    return sorted(found, key=lambda v: v[1])


def _scan_time(window: Window, grace: int, rng: random.Random) -> datetime | None:
    draw = rng.random()
    length = (window.end - window.start).total_seconds()
    if draw < ON_TIME:
        # Most rounds are walked in the first two thirds of the window.
        return window.start + timedelta(seconds=rng.uniform(0.05, 0.66) * length)
    if draw < ON_TIME + LATE and grace:
        return window.end + timedelta(minutes=rng.uniform(1, grace - 1 if grace > 2 else grace))
    return None


def _store(
    prop: Property, visits: list[tuple[int, datetime, int]], now: datetime, rng: random.Random
) -> int:
    """Insert the inspections, their passing answers and their visit rows in bulk."""
    if not visits:
        return 0
    tz = ZoneInfo(prop.timezone)
    checkpoints = {
        c.id: c for c in db.session.scalars(select(Checkpoint).filter_by(property_id=prop.id))
    }
    versions = {
        t.kind: t.versions[-1]
        for t in db.session.scalars(select(ChecklistTemplate).filter_by(property_id=prop.id))
    }
    rows: list[dict[str, Any]] = []
    for checkpoint_id, moment, user_id in visits:
        checkpoint = checkpoints[checkpoint_id]
        delay = timedelta(hours=rng.uniform(1, 6)) if rng.random() < 0.05 else timedelta(seconds=20)
        rows.append(
            {
                "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "property_id": prop.id,
                "checkpoint_id": checkpoint_id,
                "checklist_version_id": versions[checkpoint.kind].id,
                "user_id": user_id,
                "code": checkpoint.code,
                "label_version": checkpoint.label_version,
                "scanned_at": moment,
                "submitted_at": moment + timedelta(minutes=2),
                "received_at": min(now, moment + delay),
                "failed_count": 0,
            }
        )
    ids = db.session.scalars(
        insert(Inspection).returning(Inspection.id, sort_by_parameter_order=True), rows
    ).all()
    results, visit_rows = [], []
    for inspection_id, (checkpoint_id, moment, user_id) in zip(ids, visits, strict=True):
        checkpoint = checkpoints[checkpoint_id]
        results += [
            {"inspection_id": inspection_id, "item_id": item.id, **_answer(item)}
            for item in versions[checkpoint.kind].items
        ]
        visit_rows.append(
            {
                "inspection_id": inspection_id,
                "property_id": prop.id,
                "checkpoint_id": checkpoint.id,
                "zone_id": checkpoint.zone_id,
                "user_id": user_id,
                "scanned_at": moment,
                "local_day": local_date(moment, tz),
            }
        )
    db.session.execute(insert(ItemResult), results)
    db.session.execute(insert(Visit), visit_rows)
    return len(ids)


def _answer(item: ChecklistItem) -> dict[str, Any]:
    """Return a passing answer to an item (a number inside its range)."""
    if item.answer_type != "number":
        return {"outcome": "pass", "value_number": None}
    low = item.min_value if item.min_value is not None else 0.0
    high = item.max_value if item.max_value is not None else low + 30
    return {"outcome": "pass", "value_number": round((low + high) / 2, 2)}
