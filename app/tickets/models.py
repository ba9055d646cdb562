"""Ticket, its immutable events and the per-property daily number counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.common.models import Base, TimestampMixin, utcnow
from app.photos.models import Photo
from app.places.models import Checkpoint, Department

SOURCES = {
    "inspection": ("巡查发现", "Patrol inspection"),
    "phone": ("来电", "Phone call"),
    "visit": ("来访", "Walk-in visit"),
    "inspector": ("装修巡查", "Renovation inspector"),
    "other": ("其他", "Other"),
}

TICKET_KINDS = {
    "inspection": ("巡查整改", "Inspection finding"),
    "complaint": ("报事报修/投诉", "Resident report or complaint"),
    "renovation": ("装修整改", "Renovation violation"),
}
TICKET_STATUSES = {
    "new": ("待受理", "New"),
    "accepted": ("已受理", "Accepted"),
    "in_progress": ("处理中", "In progress"),
    "resolved": ("待验证", "Resolved, awaiting verification"),
    "verified": ("已验证", "Verified"),
    "reopened": ("重新整改", "Reopened"),
    "closed": ("已关闭", "Closed"),
}
ACTIONS = {
    "create": ("创建", "Created"),
    "repeat": ("再次发现", "Found again"),
    "accept": ("受理", "Accept"),
    "start": ("开始处理", "Start work"),
    "resolve": ("完成整改", "Resolve"),
    "verify": ("验证通过", "Verify"),
    "reopen": ("验证未通过，重新整改", "Reopen"),
    "close": ("关闭", "Close"),
    "reassign": ("派单/改派", "Dispatch / reassign"),
    "delay": ("申请延期", "Request a delay"),
    "approve_delay": ("批准延期", "Approve the delay"),
    "reject_delay": ("驳回延期", "Refuse the delay"),
    "comment": ("备注", "Comment"),
    "escalate": ("升级", "Escalated"),
    "overdue": ("超期", "Overdue"),
}
COMPLAINT_CATEGORIES = (
    "house",
    "equipment",
    "safety",
    "environment",
    "service",
    "dispute",
    "developer",
    "government",
)
OPEN_STATUSES = ("new", "accepted", "in_progress", "resolved", "verified", "reopened")
# One open ticket per checkpoint and item, kept by the database (concurrent failures race).
OPEN_WHERE = text("status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")")
PRIORITIES = {"normal": ("普通", "Normal"), "urgent": ("紧急", "Urgent")}

event_photo = Table(
    "ticket_event_photo",
    Base.metadata,
    Column("event_id", ForeignKey("ticket_event.id", ondelete="CASCADE"), primary_key=True),
    Column("photo_id", ForeignKey("photo.id"), primary_key=True),
)


class Ticket(TimestampMixin, Base):
    """A problem that must be fixed and answered (事事有记录, 事事有人跟, 事事有回复)."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("property_id", "number"),
        Index("ix_ticket_open_item", "checkpoint_id", "item_key", "status"),
        Index(
            "uq_ticket_one_open_item",
            "checkpoint_id",
            "item_key",
            unique=True,
            sqlite_where=OPEN_WHERE,
            postgresql_where=OPEN_WHERE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20), default="inspection")
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    severity: Mapped[str] = mapped_column(String(20), default="medium")
    category: Mapped[str] = mapped_column(String(40))
    # None: no routing rule matched, so the front desk dispatches it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint.id"))
    item_key: Mapped[str | None] = mapped_column(String(36))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    accept_due_at: Mapped[datetime]
    close_due_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    repeat_count: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(20), default="inspection")
    # Where, for a front-desk ticket: a unit, a zone or a checkpoint (or free text).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"), index=True)
    location_text: Mapped[str | None] = mapped_column(String(300))
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    # The phone's id for a report recorded offline: a resend finds this ticket, not a copy.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    # The staff member who accepted it and is working on it.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    verified_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)
    escalation_level: Mapped[int] = mapped_column(default=0)
    overdue_at: Mapped[datetime | None]
    # A pending delay request (延期说明) waiting for a supervisor.
    delay_reason: Mapped[str | None] = mapped_column(Text)
    delay_until: Mapped[datetime | None]
    # 回访: the resident was called back.
    callback_at: Mapped[datetime | None]
    callback_satisfied: Mapped[bool | None]
    callback_rating: Mapped[int | None]  # 1–5 from the 回访 call or the resident
    callback_note: Mapped[str | None] = mapped_column(Text)

    department: Mapped[Department | None] = relationship()
    checkpoint: Mapped[Checkpoint | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )


class TicketEvent(Base):
    """One step in a ticket's life: who, when, from/to state, note, photos. Never changed."""

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    # Step-specific facts: reassignment target, escalation level, requested deadline, ...
    details: Mapped[dict | None] = mapped_column(JSON)
    # The phone's id for a step queued offline: a resend finds this step, never a second one.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    photos: Mapped[list[Photo]] = relationship(secondary=event_photo, order_by="Photo.id")


class TicketCounter(Base):
    """The last ticket number issued per property and local day; updated under a row lock."""

    __tablename__ = "ticket_counter"

    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
