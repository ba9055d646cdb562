"""Marshmallow schemas for notification channels and the outbox."""

from __future__ import annotations

from typing import Any

from app.common import fields
from app.common.schemas import (
    BaseSchema,
    PageArgs,
    Text,
    one_of,
    page_schema,
    search_field,
    sort_field,
)
from app.notify import service
from app.notify.models import AUDIENCES, CHANNEL_KINDS, DELIVERY_STATUSES


class Address(Text):
    """A URL or e-mail address; only admins read a URL whole (it may hold a robot key)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else service.shown_address(value, obj.kind)


class NotificationChannelSchema(BaseSchema):
    """Where one audience of a property is told about tickets (通知渠道)."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(required=True)
    audience = fields.String(required=True, validate=one_of(AUDIENCES))
    department_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True, validate=one_of(CHANNEL_KINDS))
    address = Address(500, required=True)
    active = fields.Boolean()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class NotificationSchema(BaseSchema):
    """An outbox row with its delivery state, so failures are visible."""

    id = fields.Integer()
    property_id = fields.Integer()
    channel_id = fields.Integer(allow_none=True)
    kind = fields.String()
    address = Address(500)
    ticket_id = fields.Integer(allow_none=True)
    event_id = fields.Integer(allow_none=True)
    subject = fields.String()
    body = fields.String()
    payload = fields.Dict(allow_none=True)
    status = fields.String()
    attempts = fields.Integer()
    created_at = fields.DateTime()
    next_attempt_at = fields.DateTime()
    lease_until = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)


class TestResultSchema(BaseSchema):
    """What happened to a test message."""

    ok = fields.Boolean()
    error = fields.String(allow_none=True)
    elapsed_ms = fields.Integer()


class NotificationChannelArgs(PageArgs):
    """Filters for the channel list."""

    property_id = fields.Integer()
    audience = fields.String(validate=one_of(AUDIENCES))
    department_id = fields.Integer()
    kind = fields.String(validate=one_of(CHANNEL_KINDS))
    active = fields.Boolean()
    q = search_field()
    sort = sort_field("id", "audience", "kind", "created_at")


class NotificationArgs(PageArgs):
    """Filters for the outbox."""

    property_id = fields.Integer()
    status = fields.String(validate=one_of(DELIVERY_STATUSES))
    ticket_id = fields.Integer()
    channel_id = fields.Integer()


NotificationChannelPage = page_schema(NotificationChannelSchema)
NotificationPage = page_schema(NotificationSchema)
