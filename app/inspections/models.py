"""Inspection, its item results and the photos attached to them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.checklists.models import ChecklistItem, ChecklistVersion
from app.common.models import Base, utcnow
from app.photos.models import Photo
from app.places.models import Checkpoint

if TYPE_CHECKING:
    from app.presence.models import Presence
    from app.tickets.models import Ticket

OUTCOMES = {
    "pass": ("合格", "Pass"),
    "fail": ("不合格", "Fail"),
    "na": ("不适用", "Not applicable"),
}

result_photo = Table(
    "result_photo",
    Base.metadata,
    Column("result_id", ForeignKey("item_result.id", ondelete="CASCADE"), primary_key=True),
    # A photo is evidence of one result only.
    Column("photo_id", ForeignKey("photo.id"), primary_key=True, unique=True),
)


class Inspection(Base):
    """One scan-and-submit at one checkpoint by one user; never edited once stored."""

    __tablename__ = "inspection"
    # The presence pace checks read a person's previous inspection through this index.
    __table_args__ = (Index("ix_inspection_user_scanned", "user_id", "scanned_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Generated on the phone: a retried or replayed submission finds the stored one.
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"), index=True)
    checklist_version_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    label_version: Mapped[int]
    scanned_at: Mapped[datetime] = mapped_column(index=True)
    submitted_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(String(1000))
    failed_count: Mapped[int] = mapped_column(default=0)

    checkpoint: Mapped[Checkpoint] = relationship()
    checklist_version: Mapped[ChecklistVersion] = relationship()
    user: Mapped[User] = relationship()
    results: Mapped[list[ItemResult]] = relationship(
        back_populates="inspection", order_by="ItemResult.id"
    )
    # The tickets this inspection opened or added a repeat failure to.
    tickets: Mapped[list[Ticket]] = relationship(
        "Ticket",
        secondary="ticket_event",
        primaryjoin="Inspection.id == TicketEvent.inspection_id",
        secondaryjoin="TicketEvent.ticket_id == Ticket.id",
        viewonly=True,
        order_by="Ticket.id",
    )
    # Its proof of presence (score, reasons); None for inspections stored before it existed.
    presence: Mapped[Presence | None] = relationship("Presence", lazy="selectin", viewonly=True)


class ItemResult(Base):
    """The answer to one checklist item in one inspection."""

    __tablename__ = "item_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(4))
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(String(1000))
    note: Mapped[str | None] = mapped_column(String(1000))

    inspection: Mapped[Inspection] = relationship(back_populates="results")
    item: Mapped[ChecklistItem] = relationship()
    photos: Mapped[list[Photo]] = relationship(secondary=result_photo, order_by="Photo.id")
