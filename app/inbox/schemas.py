"""What the inbox routes take and give."""

from __future__ import annotations

from app.common import fields
from app.common.schemas import BaseSchema, PageArgs, page_schema


class InboxArgs(PageArgs):
    """Which of my messages: all, or only the unread."""

    unread = fields.Boolean()


class InboxMessageSchema(BaseSchema):
    """One message, with the ticket it opens."""

    id = fields.Integer()
    kind = fields.String()
    ticket_id = fields.Integer(allow_none=True)
    title_zh = fields.String()
    title_en = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda m: f"/tickets/{m.ticket_id}" if m.ticket_id else None)


InboxPage = page_schema(InboxMessageSchema)


class UnreadSchema(BaseSchema):
    """How many messages wait unread."""

    unread = fields.Integer()
