"""Hand-over notes (交接, seed 003 §4.5.5.2): what a shift could not finish, for the next one.

A note is for one named person, or for whoever works the next shift of the author's role: the
shift starting after the one the author is ending (the early shift hands over to the middle
shift the same day, the middle shift to the next day's early shift). Recipients see the notes for
yesterday, today and tomorrow (a night note is for the next morning) on their home screen.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from app.auth.models import User, property_grant
from app.auth.service import current_user, get_property
from app.common.models import utcnow
from app.errors import Invalid, NotFound
from app.extensions import db
from app.places.models import Property
from app.plans.expand import local_date, span
from app.plans.models import HandoverNote, Shift, Slot

WRITERS = frozenset({"assistant", "frontdesk", "inspector", "supervisor"})


def current_shift(prop: Property, role: str, now: datetime) -> Shift | None:
    """Return the shift of a role going on now, the one ending first when two overlap."""
    local = now.astimezone(ZoneInfo(prop.timezone))
    minute = local.hour * 60 + local.minute
    on: list[tuple[int, Shift]] = []
    for shift in _shifts(prop, role):
        start, end = span(shift.start_minute, shift.end_minute)
        for offset in (0, 1440):  # a shift that began yesterday and ends after midnight
            if start <= minute + offset < end:
                on.append((end - offset, shift))
    return min(on, key=lambda pair: pair[0])[1] if on else None


def next_shift(prop: Property, role: str, after: Shift | None, day: date) -> tuple[Shift, date]:
    """Return the shift of a role that starts after the given one, and its local day."""
    shifts = _shifts(prop, role)
    if not shifts:
        raise Invalid("该角色没有班次", "No shifts are set up for this role.", field="to_shift_id")
    if after is not None:
        later = [s for s in shifts if s.start_minute > after.start_minute]
        if later:
            return later[0], day
    return shifts[0], day + timedelta(days=1)


def _shifts(prop: Property, role: str) -> list[Shift]:
    query = select(Shift).where(
        Shift.property_id == prop.id, Shift.role == role, Shift.active.is_(True)
    )
    return list(db.session.scalars(query.order_by(Shift.start_minute, Shift.id)))


def create_note(data: dict[str, Any], now: datetime | None = None) -> HandoverNote:
    """Leave a hand-over note with the caller's pending slots for the next shift or a person."""
    now = now or utcnow()
    user = current_user()
    prop = get_property(data["property_id"])
    today = local_date(now, ZoneInfo(prop.timezone))
    from_shift = current_shift(prop, user.role, now)
    to_user_id = data.get("to_user_id")
    if to_user_id is not None:
        _check_recipient(prop, to_user_id)
        to_shift, for_day = None, today
    elif data.get("to_shift_id") is not None:
        to_shift = db.session.get(Shift, data["to_shift_id"])
        if to_shift is None or to_shift.property_id != prop.id:
            raise Invalid(
                "班次不属于该项目", "Unknown shift for this property.", field="to_shift_id"
            )
        for_day = today
    else:
        to_shift, for_day = next_shift(prop, user.role, from_shift, today)
    note = HandoverNote(
        property_id=prop.id,
        author_id=user.id,
        from_shift_id=from_shift.id if from_shift else None,
        to_user_id=to_user_id,
        to_shift_id=to_shift.id if to_shift else None,
        for_day=for_day,
        note=data["note"],
        slot_ids=_handed_slots(prop, user, data.get("slot_ids"), now),
        created_at=now,
    )
    db.session.add(note)
    db.session.flush()
    return note


def _check_recipient(prop: Property, user_id: int) -> None:
    granted = db.session.scalar(
        select(property_grant.c.user_id).where(
            property_grant.c.user_id == user_id, property_grant.c.property_id == prop.id
        )
    )
    if granted is None:
        raise Invalid(
            "接班人须为该项目的用户", "No such user in this property.", field="to_user_id"
        )


def _handed_slots(prop: Property, user: User, chosen: list[int] | None, now: datetime) -> list[int]:
    """Return the chosen slot ids (checked), or the caller's pending slots open now."""
    query = select(Slot.id).where(Slot.property_id == prop.id, Slot.status == "pending")
    if chosen is not None:
        found = list(db.session.scalars(query.where(Slot.id.in_(chosen)).order_by(Slot.id)))
        if set(found) != set(chosen):
            raise Invalid(
                "只能交接本项目待巡查的时段",
                "Only pending slots of this property can be handed over.",
                field="slot_ids",
            )
        return found
    mine = or_(
        Slot.assignee_id == user.id,
        Slot.assignee_id.is_(None) & (Slot.assignee_role == user.role),
    )
    open_now = (Slot.window_start <= now) & (Slot.due_at >= now)
    return list(db.session.scalars(query.where(mine, open_now).order_by(Slot.id)))


def my_notes(user: User, now: datetime | None = None) -> list[HandoverNote]:
    """Return the notes for the caller, for yesterday to tomorrow, newest first."""
    now = now or utcnow()
    found: list[HandoverNote] = []
    for prop in user.properties:
        today = local_date(now, ZoneInfo(prop.timezone))
        shifts = select(Shift.id).where(Shift.property_id == prop.id, Shift.role == user.role)
        query = select(HandoverNote).where(
            HandoverNote.property_id == prop.id,
            HandoverNote.author_id != user.id,
            HandoverNote.for_day >= today - timedelta(days=1),
            HandoverNote.for_day <= today + timedelta(days=1),
            or_(
                HandoverNote.to_user_id == user.id,
                HandoverNote.to_user_id.is_(None) & HandoverNote.to_shift_id.in_(shifts),
            ),
        )
        found.extend(db.session.scalars(query))
    return sorted(found, key=lambda n: (n.created_at, n.id), reverse=True)


def acknowledge(note_id: int, now: datetime | None = None) -> HandoverNote:
    """Mark a note as read by one of its recipients."""
    user = current_user()
    note = next((n for n in my_notes(user, now) if n.id == note_id), None)
    if note is None:
        raise NotFound()
    if note.acknowledged_at is None:
        note.acknowledged_at = now or utcnow()
        note.acknowledged_by_id = user.id
    db.session.flush()
    return note
