"""Shift, plan (a stable identity) and its versions, slot, visit and hand-over note.

An edit never rewrites the past: a plan's settings live in immutable versions, each valid from
one moment to the next edit (valid_from ≤ window start < valid_until). Slots are materialized
rows that point at the version that expected them, so old slots keep their old rules.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from app.auth.models import User
from app.common.models import Base, TimestampMixin, utcnow
from app.places.models import Checkpoint, Zone

FREQUENCIES = {
    "shift": ("每班", "Every shift"),
    "daily": ("每天", "Daily"),
    "weekdays": ("每周指定日", "On given weekdays"),
    "weekly": ("每周", "Weekly"),
    "monthly": ("每月", "Monthly"),
}
SLOT_STATUSES = {
    "pending": ("待巡查", "Pending"),
    "done_on_time": ("按时完成", "Done on time"),
    "done_late": ("迟到完成", "Done late"),
    # Visited, but the inspection's presence score is below the property's threshold.
    "done_doubtful": ("完成存疑", "Done, doubtful"),
    "missed": ("漏巡", "Missed"),
    "excused": ("已豁免", "Excused"),
}
DONE = ("done_on_time", "done_late")


class Shift(TimestampMixin, Base):
    """A shift of a property (班次) in local time; ends the next day when end ≤ start."""

    __tablename__ = "shift"
    __table_args__ = (UniqueConstraint("property_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str | None] = mapped_column(String(50))
    # The role that works it (物业助理 assistant, 客服前台 frontdesk ...).
    role: Mapped[str] = mapped_column(String(20))
    # Minutes after local midnight: 08:30 is 510.
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)


class Plan(TimestampMixin, Base):
    """A patrol plan's identity (巡查计划); what it expects lives in its versions."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan",
        foreign_keys="PlanVersion.plan_id",
        order_by="PlanVersion.number",
    )

    @property
    def current(self) -> PlanVersion:
        """Return the version in force now (the newest)."""
        return self.versions[-1]


class PlanVersion(Base):
    """One never-edited version of a plan, valid from valid_from until the next edit."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    number: Mapped[int]
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    # Which checkpoints: an explicit list, or the active ones of a zone and/or kind.
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True)
    checkpoint_kind: Mapped[str | None] = mapped_column(String(40))
    checkpoint_ids: Mapped[list | None] = mapped_column(JSON)
    frequency: Mapped[str] = mapped_column(String(20))
    weekdays: Mapped[list | None] = mapped_column(JSON)  # 0 Monday … 6 Sunday
    month_day: Mapped[int | None]  # 1-31, clamped to the month's last day; None: all month
    shift_ids: Mapped[list | None] = mapped_column(JSON)
    # Local window in minutes after midnight (end ≤ start: ends the next day).
    start_minute: Mapped[int | None]
    end_minute: Mapped[int | None]
    grace_minutes: Mapped[int] = mapped_column(default=0)
    # The zone owners (区域负责人), first one first; or a role when nobody is named.
    assignee_ids: Mapped[list | None] = mapped_column(JSON)
    assignee_role: Mapped[str | None] = mapped_column(String(20))
    paused: Mapped[bool] = mapped_column(default=False)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    # Slots exist for every window starting before this moment (the sweep moves it forward).
    materialized_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    plan: Mapped[Plan] = relationship(back_populates="versions", foreign_keys=[plan_id])
    zone: Mapped[Zone | None] = relationship()


class Slot(Base):
    """One expected visit of one checkpoint in one window (应巡时段)."""

    __tablename__ = "slot"
    __table_args__ = (
        # Also the index the sweep reads a version's slots of a time range through.
        UniqueConstraint("plan_version_id", "window_start", "checkpoint_id"),
        Index("ix_slot_property_day", "property_id", "local_day"),
        Index("ix_slot_zone_day", "zone_id", "local_day"),
        Index("ix_slot_checkpoint_window", "checkpoint_id", "window_start"),
        Index("ix_slot_open", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    assignee_role: Mapped[str | None] = mapped_column(String(20))
    # The property's local calendar day the window starts on (for per-day figures).
    local_day: Mapped[date] = mapped_column(Date)
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    # window_end + grace: a visit before it is late, after it does not count.
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    inspection_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection.id", ondelete="SET NULL")
    )
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    excused_at: Mapped[datetime | None]
    excused_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    excuse_reason: Mapped[str | None] = mapped_column(String(500))
    # When the assignee was reminded and the supervisor told it was missed (once each).
    reminded_at: Mapped[datetime | None]
    missed_notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan_version: Mapped[PlanVersion] = relationship()
    checkpoint: Mapped[Checkpoint] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    shift: Mapped[Shift | None] = relationship()


class Visit(Base):
    """A stored inspection as the matcher saw it: the slot it fulfilled, or none (extra)."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_checkpoint_scanned", "checkpoint_id", "scanned_at"),
        Index("ix_visit_property_day", "property_id", "local_day"),
        Index("ix_visit_zone_day", "zone_id", "local_day"),
    )

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True
    )
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    scanned_at: Mapped[datetime]
    local_day: Mapped[date] = mapped_column(Date)
    # A slot whose window (or grace) holds the scan; None: an extra visit outside any slot.
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"))
    # From the inspection's presence: ok fulfils slots, doubtful only as "done, doubtful",
    # rejected (by a supervisor) not at all and is no extra either.
    standing: Mapped[str] = mapped_column(String(10), default="ok", server_default="ok")


class HandoverNote(Base):
    """A note an assistant leaves for the next shift (交接, seed 003 §4.5.5.2)."""

    __tablename__ = "handover_note"
    __table_args__ = (Index("ix_handover_note_property_day", "property_id", "for_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    from_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    # For one person, or for whoever works the next shift (to_shift on for_day).
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    to_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    for_day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    slot_ids: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])
    from_shift: Mapped[Shift | None] = relationship(foreign_keys=[from_shift_id])
    to_shift: Mapped[Shift | None] = relationship(foreign_keys=[to_shift_id])

    @property
    def slots(self) -> list[Slot]:
        """Return the handed-over slots by window, as they are now (the next shift may be done)."""
        session = object_session(self)
        if not self.slot_ids or session is None:
            return []
        query = select(Slot).where(Slot.id.in_(self.slot_ids))
        return list(session.scalars(query.order_by(Slot.window_start, Slot.id)))
