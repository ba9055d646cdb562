"""Match inspections to expected slots by checkpoint and scan time (order-independent).

A scan fulfils a slot when ``window_start ≤ scanned_at ≤ due_at`` (due = window end + grace):
on time up to the window's end, late after it. Matching is recomputed for the whole group of
overlapping slots of the checkpoint each time a visit arrives, so the result depends only on
which scans exist, never on the order they reached the server: a phone that syncs hours late
turns a slot already marked missed into done_late or done_on_time. Within one plan each scan
fulfils at most one slot, the still-open slot that is due first (two overlapping shifts need two
scans); a scan can fulfil one slot of each of several plans. A scan inside a slot already
fulfilled is a repeat; a scan inside no slot is an extra visit. A visit beats an excuse: an
excused slot that turns out visited counts as done (the excuse stays on record).

Proof of presence: a visit's standing is ok, doubtful (its presence score is below the property's
threshold) or rejected (by a supervisor). Trusted visits are matched first; a slot that only a
doubtful visit fulfils is "done_doubtful" (not done); a rejected visit fulfils nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.common.models import utcnow
from app.extensions import db
from app.inspections.models import Inspection
from app.places.models import Checkpoint, Property
from app.plans.expand import local_date
from app.plans.models import Slot, Visit
from app.presence.models import Presence

# A presence status → the visit's standing for coverage.
STANDING = {"ok": "ok", "accepted": "ok", "doubtful": "doubtful", "rejected": "rejected"}

# The longest window plus grace a slot can have (a whole month and a day).
MAX_SLOT_SPAN = timedelta(days=33)


def record_visit(inspection: Inspection, standing: str | None = None) -> Visit:
    """Return the visit row of a stored inspection, adding it when missing."""
    visit = db.session.get(Visit, inspection.id)
    if visit is not None:
        return visit
    if standing is None:
        status = db.session.scalar(
            select(Presence.status).where(Presence.inspection_id == inspection.id)
        )
        standing = STANDING.get(status or "ok", "ok")
    zone_id, timezone = db.session.execute(
        select(Checkpoint.zone_id, Property.timezone)
        .join(Property, Property.id == Checkpoint.property_id)
        .where(Checkpoint.id == inspection.checkpoint_id)
    ).one()
    visit = Visit(
        inspection_id=inspection.id,
        property_id=inspection.property_id,
        checkpoint_id=inspection.checkpoint_id,
        zone_id=zone_id,
        user_id=inspection.user_id,
        scanned_at=inspection.scanned_at,
        local_day=local_date(inspection.scanned_at, ZoneInfo(timezone)),
        standing=standing,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def rematch(checkpoint_id: int, lo: datetime, hi: datetime, now: datetime | None = None) -> None:
    """Recompute which visits fulfil which slots of a checkpoint around [lo, hi]."""
    now = now or utcnow()
    slots = _overlapping_slots(checkpoint_id, lo, hi)
    if slots:
        lo = min(lo, *(s.window_start for s in slots))
        hi = max(hi, *(s.due_at for s in slots))
    visits = list(
        db.session.scalars(
            select(Visit)
            .where(
                Visit.checkpoint_id == checkpoint_id,
                Visit.scanned_at >= lo,
                Visit.scanned_at <= hi,
            )
            .order_by(Visit.scanned_at, Visit.inspection_id)
        )
    )
    fulfilled = _assign(slots, visits)
    for slot in slots:
        _settle(slot, fulfilled.get(slot.id), now)
    by_visit = {v.inspection_id: s for s, v in ((s, fulfilled.get(s.id)) for s in slots) if v}
    for visit in visits:
        holder = by_visit.get(visit.inspection_id) or _holding(slots, visit)
        visit.slot_id = holder.id if holder else None
    db.session.flush()


def _overlapping_slots(checkpoint_id: int, lo: datetime, hi: datetime) -> list[Slot]:
    """Return the checkpoint's slots touching [lo, hi], grown until no overlapping slot is left."""
    found: dict[int, Slot] = {}
    while True:
        query = select(Slot).where(
            Slot.checkpoint_id == checkpoint_id,
            Slot.window_start >= lo - MAX_SLOT_SPAN,
            Slot.window_start <= hi,
            Slot.due_at >= lo,
        )
        rows = [s for s in db.session.scalars(query) if s.id not in found]
        if not rows:
            return sorted(found.values(), key=lambda s: (s.due_at, s.window_start, s.id))
        found.update((s.id, s) for s in rows)
        lo = min(lo, *(s.window_start for s in rows))
        hi = max(hi, *(s.due_at for s in rows))


def _assign(slots: list[Slot], visits: list[Visit]) -> dict[int, Visit]:
    """Give each visit, in scan order, the open slot of each plan that is due first."""
    by_plan: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:  # already sorted by due time
        by_plan[slot.plan_id].append(slot)
    fulfilled: dict[int, Visit] = {}
    # Trusted visits first (in scan order), then doubtful ones take what is left.
    ordered = [v for v in visits if v.standing == "ok"]
    ordered += [v for v in visits if v.standing == "doubtful"]
    for visit in ordered:
        for plan_slots in by_plan.values():
            for slot in plan_slots:
                if slot.id not in fulfilled and _holds(slot, visit.scanned_at):
                    fulfilled[slot.id] = visit
                    break
    return fulfilled


def _holds(slot: Slot, moment: datetime) -> bool:
    return slot.window_start <= moment <= slot.due_at


def _holding(slots: Iterable[Slot], visit: Visit) -> Slot | None:
    return next((s for s in slots if _holds(s, visit.scanned_at)), None)


def _settle(slot: Slot, visit: Visit | None, now: datetime) -> None:
    """Set a slot's status from the visit that fulfils it, its excuse and the time."""
    if visit is not None and visit.standing == "doubtful":
        slot.status = "done_doubtful"
    elif visit is not None:
        slot.status = "done_on_time" if visit.scanned_at <= slot.window_end else "done_late"
    if visit is not None:
        slot.inspection_id = visit.inspection_id
        slot.done_at = visit.scanned_at
        slot.done_by_id = visit.user_id
        return
    slot.inspection_id = slot.done_at = slot.done_by_id = None
    if slot.excused_at is not None:
        slot.status = "excused"
    elif slot.due_at < now:
        slot.status = "missed"
    else:
        slot.status = "pending"


def on_inspection_stored(
    inspection: Inspection, now: datetime | None = None, standing: str | None = None
) -> None:
    """Record a stored inspection as a visit and update the slots it may fulfil."""
    visit = record_visit(inspection, standing)
    rematch(visit.checkpoint_id, visit.scanned_at, visit.scanned_at, now)


def set_standing(inspection_id: int, standing: str, now: datetime | None = None) -> None:
    """Change a visit's standing (a supervisor's review) and rematch its checkpoint's slots."""
    visit = db.session.get(Visit, inspection_id)
    if visit is None or visit.standing == standing:
        return
    visit.standing = standing
    db.session.flush()
    rematch(visit.checkpoint_id, visit.scanned_at, visit.scanned_at, now)
