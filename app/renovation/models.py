"""Renovation permit, rectification notice and deposit ledger entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import Base, TimestampMixin, utcnow
from app.places.models import Unit

PERMIT_STATUSES = {
    "applied": ("已申请", "Applied"),
    "approved": ("已批准", "Approved"),
    "in_progress": ("施工中", "Under construction"),
    "completion_inspection": ("待竣工验收", "Awaiting completion inspection"),
    "closed": ("已结束", "Closed"),
    "rejected": ("已驳回", "Rejected"),
}
LEDGER_KINDS = {
    "deposit": ("收取保证金", "Deposit received"),
    "deduction": ("扣除", "Deduction"),
    "refund": ("退还", "Refund"),
}
NOTICE_STAGES = {
    0: ("已发整改通知", "Notice issued"),
    1: ("已上报主管", "Escalated to the supervisor"),
    2: ("已报业委会/主管部门", "Recorded for the owners' committee / authorities"),
}


class Permit(TimestampMixin, Base):
    """A renovation permit (装修申请) for one unit."""

    __tablename__ = "renovation_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(30), default="applied", index=True)
    owner_name: Mapped[str] = mapped_column(String(100))
    owner_phone: Mapped[str | None] = mapped_column(String(32))
    contractor: Mapped[str] = mapped_column(String(200))
    contractor_contact: Mapped[str | None] = mapped_column(String(100))
    contractor_phone: Mapped[str | None] = mapped_column(String(32))
    workers: Mapped[int] = mapped_column(default=1)
    planned_start: Mapped[date]
    planned_end: Mapped[date]
    scope: Mapped[str] = mapped_column(Text)
    deposit_cents: Mapped[int] = mapped_column(default=0)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completion_note: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()


class Notice(Base):
    """A rectification notice (整改通知书); the ticket of kind `renovation` it belongs to."""

    __tablename__ = "renovation_notice"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    permit_id: Mapped[int | None] = mapped_column(ForeignKey("renovation_permit.id"), index=True)
    rule: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime]
    stage: Mapped[int] = mapped_column(default=0)
    last_reinspected_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    permit: Mapped[Permit | None] = relationship()


class LedgerEntry(Base):
    """One movement of a permit's deposit (装修保证金); never changed once written."""

    __tablename__ = "deposit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("renovation_permit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    notice_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
