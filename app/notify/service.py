"""Notification rules: channels, the outbox written with each change, and test sends.

Everything here follows the house rule (flush, never commit); the delivery worker, which
commits, is app.notify.worker.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Select, select, update

from app.audit import service as audit
from app.auth.service import current_user, get_property
from app.common.models import assign, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.notify.models import AUDIENCES, Notification, NotificationChannel
from app.notify.senders import Outgoing
from app.notify.worker import attempt
from app.places.models import Department, Property

SUBJECT_MAX = 300  # the length of Notification.subject
CHANNEL_OFF = "渠道已停用 / the channel was deactivated"
EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;:\"]+@[^@\s<>,;:\"]+\.[^@\s<>,;:\"]+$")
CHANNEL_FIELDS = ("property_id", "audience", "department_id", "kind", "address", "active")


# --- the outbox ---


def enqueue(
    property_id: int,
    audience: str,
    subject: str,
    body: str,
    payload: dict,
    *,
    department_id: int | None = None,
    ticket_id: int | None = None,
    event_id: int | None = None,
) -> list[Notification]:
    """Add one pending notification per active channel of the audience (same transaction)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    query = select(NotificationChannel).where(
        NotificationChannel.property_id == property_id,
        NotificationChannel.audience == audience,
        NotificationChannel.active.is_(True),
    )
    if audience == "department":
        if department_id is None:
            return []
        query = query.where(NotificationChannel.department_id == department_id)
    rows = [
        Notification(
            property_id=property_id,
            channel_id=channel.id,
            kind=channel.kind,
            address=channel.address,
            ticket_id=ticket_id,
            event_id=event_id,
            subject=subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…",
            body=body,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
        )
        for channel in db.session.scalars(query.order_by(NotificationChannel.id))
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def list_notifications(query: Select, args: dict[str, Any]) -> Select:
    """Filter the outbox by property, status, ticket and channel; newest first."""
    for name in ("property_id", "status", "ticket_id", "channel_id"):
        if args.get(name) is not None:
            query = query.where(getattr(Notification, name) == args[name])
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def retry(notification: Notification) -> Notification:
    """Send a failed notification again now, to its channel's current address, with new tries."""
    if notification.status != "failed":
        raise Conflict(
            "只有发送失败的通知可以重发",
            "Only a failed notification can be retried.",
            field="status",
        )
    if notification.channel_id is not None:
        channel = db.session.get(NotificationChannel, notification.channel_id)
        if channel is not None and not channel.active:
            raise Conflict("渠道已停用，请先启用", "The channel is deactivated; activate it first.")
        if channel is not None:
            notification.kind, notification.address = channel.kind, channel.address
    notification.status = "pending"
    notification.attempts = 0
    notification.next_attempt_at = utcnow()
    notification.lease_until = None
    db.session.flush()
    return notification


# --- channels ---


def list_channels(query: Select, args: dict[str, Any]) -> Select:
    """Filter channels by property, audience, department, kind and active."""
    for name in ("property_id", "audience", "department_id", "kind", "active"):
        if args.get(name) is not None:
            query = query.where(getattr(NotificationChannel, name) == args[name])
    return query.order_by(NotificationChannel.id)


def create_channel(data: dict[str, Any]) -> NotificationChannel:
    """Add a channel to a granted property."""
    get_property(data["property_id"])
    state = {"department_id": None, "active": True, **data}
    _check_channel(state)
    channel = NotificationChannel(**state)
    db.session.add(channel)
    db.session.flush()
    audit.added("notification_channel", channel, CHANNEL_FIELDS)
    return channel


def update_channel(channel: NotificationChannel, data: dict[str, Any]) -> NotificationChannel:
    """Change a channel; its pending notifications follow a new kind or address."""
    state = {name: data.get(name, getattr(channel, name)) for name in CHANNEL_FIELDS}
    _check_channel(state, exclude_id=channel.id)
    before = audit.snapshot(channel, data.keys())
    assign(channel, data)
    audit.changed("notification_channel", channel, before)
    if "kind" in data or "address" in data:
        db.session.execute(
            update(Notification)
            .where(Notification.channel_id == channel.id, Notification.status == "pending")
            .values(kind=channel.kind, address=channel.address)
        )
    if data.get("active") is False:
        _give_up_pending(channel)
    db.session.flush()
    return channel


def deactivate_channel(channel: NotificationChannel) -> None:
    """Stop using a channel; what is still waiting for it is marked failed (retry can revive it)."""
    before = audit.snapshot(channel, ["active"])
    channel.active = False
    audit.changed("notification_channel", channel, before)
    _give_up_pending(channel)
    db.session.flush()


def _give_up_pending(channel: NotificationChannel) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.channel_id == channel.id, Notification.status == "pending")
        .values(status="failed", last_error=CHANNEL_OFF)
    )


def _check_channel(state: dict[str, Any], exclude_id: int | None = None) -> None:
    """Refuse an address that does not fit the kind, a foreign department or a duplicate."""
    if state["kind"] == "email":
        if not EMAIL_ADDRESS.match(state["address"]):
            raise Invalid("邮箱地址无效", "Not a valid e-mail address.", field="address")
    elif not is_http_url(state["address"]):
        raise Invalid(
            "地址必须是 http(s) URL", "The address must be an http(s) URL.", field="address"
        )
    if state["audience"] == "department":
        dept = db.session.get(Department, state["department_id"] or 0)
        if dept is None or dept.property_id != state["property_id"]:
            raise Invalid(
                "请选择本项目的责任部门",
                "Choose a department of the same property.",
                field="department_id",
            )
    elif state["department_id"] is not None:
        raise Invalid(
            "只有“责任部门”渠道可以指定部门",
            "Only a department channel names a department.",
            field="department_id",
        )
    if state["active"] and _duplicate(state, exclude_id):
        raise Conflict("已有相同的渠道", "The same channel already exists.", field="address")


def _duplicate(state: dict[str, Any], exclude_id: int | None) -> bool:
    query = select(NotificationChannel.id).where(
        NotificationChannel.active.is_(True),
        *(getattr(NotificationChannel, name) == state[name] for name in CHANNEL_FIELDS[:5]),
    )
    if exclude_id is not None:
        query = query.where(NotificationChannel.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def is_http_url(address: str) -> bool:
    """Tell whether an address is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(address)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and not re.search(r"\s", address)


def shown_address(address: str, kind: str) -> str:
    """Return the address as the caller may see it: robot keys and tokens only for admins."""
    if kind == "email" or current_user().role == "admin":
        return address
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def test_message(channel: NotificationChannel) -> Outgoing:
    """Build a test message for a channel (not stored; a negative id no receiver has seen)."""
    prop_name = db.session.get(Property, channel.property_id).name  # type: ignore[union-attr]
    subject = f"【测试】巡查系统通知测试 / Patrol test message · {prop_name}"
    body = (
        f"这是一条测试消息，由 {current_user().display_name} 发送。收到即表示该渠道可用。\n"
        "This is a test message; receiving it means the channel works."
    )
    return Outgoing(
        id=-int(time.time() * 1000),
        kind=channel.kind,
        address=channel.address,
        subject=subject,
        body=body,
        payload={"test": True, "channel_id": channel.id, "property_id": channel.property_id},
    )


def send_test(message: Outgoing) -> dict[str, Any]:
    """Deliver a test message now within NOTIFY_TEST_TIMEOUT; return {ok, error, elapsed_ms}."""
    config = dict(current_app.config)
    config["NOTIFY_SEND_DEADLINE"] = min(
        float(config["NOTIFY_SEND_DEADLINE"]), float(config["NOTIFY_TEST_TIMEOUT"])
    )
    started = time.monotonic()
    error = attempt(message, config)
    elapsed = int((time.monotonic() - started) * 1000)
    return {"ok": error is None, "error": error and str(error), "elapsed_ms": elapsed}
