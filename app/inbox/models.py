"""One message in a person's inbox (站内消息)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import Base, utcnow

# What a message is about; the phone shows the text in the user's language.
KINDS = {
    "assigned": ("派给你的工单", "A ticket given to you"),
}


class InboxMessage(Base):
    """A message to one person, read or not, written in the transaction of what it tells."""

    __tablename__ = "inbox_message"
    __table_args__ = (Index("ix_inbox_message_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    kind: Mapped[str] = mapped_column(String(20))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    title_zh: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    # The ticket event that raised it: one message per event and person, however often sent.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
