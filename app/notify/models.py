"""Where notifications go (channels) and what is waiting to be delivered (the outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import Base, TimestampMixin, utcnow

AUDIENCES = {
    "department": ("责任部门", "Responsible department"),
    "supervisor": ("物业主管", "Supervisors"),
    "frontdesk": ("客服前台", "Front desk"),
}
CHANNEL_KINDS = {
    "webhook": ("通用 Webhook (JSON)", "Generic webhook (JSON)"),
    "wecom": ("企业微信群机器人", "WeCom group robot"),
    "email": ("电子邮件", "E-mail"),
}
DELIVERY_STATUSES = {
    "pending": ("待发送", "Pending"),
    "sending": ("发送中", "Sending"),
    "sent": ("已发送", "Sent"),
    "failed": ("发送失败", "Failed (gave up)"),
}


class NotificationChannel(TimestampMixin, Base):
    """One place an audience of a property is told about tickets: a URL or an address."""

    __tablename__ = "notification_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    # Set when the audience is one department.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)


class Notification(Base):
    """An outbox row, written in the same transaction as the change it reports."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("notification_channel.id"))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_event.id"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker owns a row it is sending until this time; a crashed worker's row is retried after.
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
