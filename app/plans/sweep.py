"""The plans sweep (flask plans sweep): materialize slots, mark misses, remind and notify.

Safe every minute from cron: slots are unique per (version, checkpoint, window start), each
slot remembers when its reminder and its missed notice went out, and plan versions are locked
while they are materialized (PostgreSQL; SQLite serializes writers anyway). Notifications are
grouped per plan window, so a zone of forty checkpoints gives one message, not forty.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, delete, insert, or_, select, update

from app.common.models import utcnow
from app.extensions import db
from app.inspections.models import Inspection
from app.places.models import Checkpoint, Property
from app.plans import notices
from app.plans.expand import Window, at_local, local_date, windows
from app.plans.matching import on_inspection_stored, rematch
from app.plans.models import PlanVersion, Shift, Slot, Visit


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Do everything that is due now; return how much of each."""
    now = now or utcnow()
    return {
        "materialized": materialize(now),
        "caught_up": catch_up(now),
        "missed": mark_missed(now),
        "reminded": remind(now),
        "missed_notices": notify_missed(now),
    }


# --- materializing ---


def horizon(prop: Property, now: datetime) -> datetime:
    """Return the local midnight up to which slots are materialized ahead."""
    days = int(current_app.config["PLAN_HORIZON_DAYS"])
    tz = ZoneInfo(prop.timezone)
    return at_local(local_date(now, tz) + timedelta(days=days), 0, tz)


def materialize(now: datetime, until: datetime | None = None) -> int:
    """Create the missing slots of every live plan version up to the horizon; return how many."""
    versions = db.session.scalars(
        select(PlanVersion)
        .where(or_(PlanVersion.valid_until.is_(None), PlanVersion.valid_until > now - _DAY))
        .order_by(PlanVersion.id)
        .with_for_update()
    ).all()
    created = 0
    for version in versions:
        prop = db.session.get(Property, version.property_id)
        assert prop is not None
        end = until or horizon(prop, now)
        created += materialize_version(version, prop, now, end)
    return created


_DAY = timedelta(days=1)


def materialize_version(version: PlanVersion, prop: Property, now: datetime, end: datetime) -> int:
    """Create a version's missing slots from its watermark (or now) to end; prune stale ones."""
    done_until = version.materialized_until
    start = version.valid_from if done_until is None else min(done_until, now)
    shifts = {s.id: s for s in db.session.scalars(select(Shift).filter_by(property_id=prop.id))}
    found = windows(version, shifts, ZoneInfo(prop.timezone), start, end)
    checkpoints = selected_checkpoints(version)
    _prune(version, {c[0] for c in checkpoints}, now)
    created = _insert_missing(version, found, checkpoints, start, end)
    version.materialized_until = max(done_until or end, end)
    past = [w for w in found if w.start <= now]
    if created and past:
        lo, hi = min(w.start for w in past), max(w.end for w in past)
        for checkpoint_id, _ in checkpoints:
            rematch(checkpoint_id, lo, hi + timedelta(minutes=version.grace_minutes), now)
    return created


def selected_checkpoints(version: PlanVersion) -> list[tuple[int, int]]:
    """Return (id, zone id) of the active checkpoints a version covers."""
    query = select(Checkpoint.id, Checkpoint.zone_id).where(
        Checkpoint.property_id == version.property_id, Checkpoint.active.is_(True)
    )
    if version.checkpoint_ids:
        query = query.where(Checkpoint.id.in_(version.checkpoint_ids))
    if version.zone_id is not None:
        query = query.where(Checkpoint.zone_id == version.zone_id)
    if version.checkpoint_kind:
        query = query.where(Checkpoint.kind == version.checkpoint_kind)
    return [(row[0], row[1]) for row in db.session.execute(query.order_by(Checkpoint.id))]


def _prune(version: PlanVersion, keep: set[int], now: datetime) -> None:
    """Drop future pending slots of checkpoints the version no longer covers (or if paused)."""
    query = delete(Slot).where(
        Slot.plan_version_id == version.id, Slot.window_start > now, Slot.status == "pending"
    )
    if not version.paused:
        query = query.where(Slot.checkpoint_id.not_in(keep))
    db.session.execute(query)


def _insert_missing(
    version: PlanVersion,
    found: list[Window],
    checkpoints: list[tuple[int, int]],
    start: datetime,
    end: datetime,
) -> int:
    if not found or not checkpoints:
        return 0
    existing = set(
        tuple(row)
        for row in db.session.execute(
            select(Slot.checkpoint_id, Slot.window_start).where(
                Slot.plan_version_id == version.id,
                Slot.window_start >= start,
                Slot.window_start < end,
            )
        ).all()
    )
    rows = [
        slot_row(version, w, checkpoint_id, zone_id)
        for w in found
        for checkpoint_id, zone_id in checkpoints
        if (checkpoint_id, w.start) not in existing
    ]
    if rows:
        db.session.execute(insert(Slot), rows)
    return len(rows)


def slot_row(version: Any, window: Window, checkpoint_id: int, zone_id: int) -> dict[str, Any]:
    """Return the column values of a new pending slot."""
    owners = version.assignee_ids or []
    return {
        "property_id": version.property_id,
        "plan_id": version.plan_id,
        "plan_version_id": version.id,
        "checkpoint_id": checkpoint_id,
        "zone_id": zone_id,
        "shift_id": window.shift_id,
        "assignee_id": owners[0] if owners else None,
        "assignee_role": version.assignee_role,
        "local_day": window.local_day,
        "window_start": window.start,
        "window_end": window.end,
        "due_at": window.end + timedelta(minutes=version.grace_minutes),
        "status": "pending",
    }


# --- matching what the hook did not see ---


def catch_up(now: datetime) -> int:
    """Match recent inspections that have no visit row yet (stored before the hook, imports)."""
    days = int(current_app.config["PLAN_CATCH_UP_DAYS"])
    missing = db.session.scalars(
        select(Inspection)
        .outerjoin(Visit, Visit.inspection_id == Inspection.id)
        .where(Visit.inspection_id.is_(None), Inspection.scanned_at >= now - timedelta(days=days))
        .order_by(Inspection.scanned_at)  # through its index (by id, SQLite scans the table)
        .limit(5000)
    ).all()
    for inspection in missing:
        on_inspection_stored(inspection, now)
    return len(missing)


# --- misses and notifications ---


def mark_missed(now: datetime) -> int:
    """Mark pending slots whose window and grace have passed as missed."""
    result = db.session.execute(
        update(Slot)
        .where(Slot.status == "pending", Slot.due_at < now)
        .values(status="missed")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def remind(now: datetime) -> int:
    """Tell the assignees about pending slots whose window closes soon; once per slot."""
    ahead = timedelta(minutes=int(current_app.config["PLAN_REMIND_MINUTES"]))
    slots = _locked(
        and_(
            Slot.status == "pending",
            Slot.due_at > now,
            Slot.window_end > now,
            Slot.window_end <= now + ahead,
            Slot.reminded_at.is_(None),
        )
    )
    for group in _grouped(slots):
        notices.remind(group, now)
    for slot in slots:
        slot.reminded_at = now
    return len(slots)


def notify_missed(now: datetime) -> int:
    """Tell the supervisors about newly missed slots, once per slot, grouped per plan window."""
    max_age = timedelta(hours=int(current_app.config["PLAN_MISSED_NOTICE_HOURS"]))
    slots = _locked(
        and_(
            Slot.status == "missed",
            Slot.due_at > now - max_age,
            Slot.missed_notified_at.is_(None),
        )
    )
    for group in _grouped(slots):
        notices.missed(group, now)
    for slot in slots:
        slot.missed_notified_at = now
    return len(slots)


def _locked(condition: Any) -> list[Slot]:
    # No ORDER BY: SQLite would then walk the whole table in id order instead of ix_slot_open.
    query = select(Slot).where(condition).with_for_update(skip_locked=True)
    return sorted(db.session.scalars(query), key=lambda slot: slot.id)


def _grouped(slots: list[Slot]) -> list[list[Slot]]:
    groups: dict[tuple, list[Slot]] = defaultdict(list)
    for slot in slots:
        groups[(slot.plan_id, slot.window_start, slot.assignee_id)].append(slot)
    return list(groups.values())
