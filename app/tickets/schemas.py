"""Marshmallow schemas for tickets and their events."""

from __future__ import annotations

from marshmallow import fields

from app.auth.schemas import DepartmentRefSchema
from app.common.schemas import BaseSchema, PageArgs, one_of, page_schema
from app.photos.schemas import PhotoSchema
from app.places.schemas import ZoneRefSchema
from app.tickets.models import PRIORITIES, TICKET_KINDS, TICKET_STATUSES


class ActorSchema(BaseSchema):
    """Who did something, in short form."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()


class CheckpointRefSchema(BaseSchema):
    """A checkpoint in short form."""

    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    zone = fields.Nested(ZoneRefSchema)


class TicketEventSchema(BaseSchema):
    """One step of a ticket."""

    id = fields.Integer()
    created_at = fields.DateTime()
    actor = fields.Nested(ActorSchema, allow_none=True)
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))


class TicketSchema(BaseSchema):
    """A ticket as a queue shows it."""

    id = fields.Integer()
    property_id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    status = fields.String()
    priority = fields.String()
    severity = fields.String()
    category = fields.String()
    department_id = fields.Integer(allow_none=True)
    department = fields.Nested(DepartmentRefSchema, allow_none=True)
    checkpoint_id = fields.Integer(allow_none=True)
    checkpoint = fields.Nested(CheckpointRefSchema, allow_none=True)
    item_id = fields.Integer(allow_none=True)
    item_key = fields.String(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    title = fields.String()
    description = fields.String(allow_none=True)
    created_by = fields.Nested(ActorSchema, allow_none=True)
    created_at = fields.DateTime()
    accept_due_at = fields.DateTime()
    close_due_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    repeat_count = fields.Integer()


class TicketDetailSchema(TicketSchema):
    """A ticket with its events and their photos."""

    events = fields.List(fields.Nested(TicketEventSchema))


class TicketArgs(PageArgs):
    """Filters for the ticket queue."""

    property_id = fields.Integer()
    status = fields.String(validate=one_of(TICKET_STATUSES))
    kind = fields.String(validate=one_of(TICKET_KINDS))
    priority = fields.String(validate=one_of(PRIORITIES))
    department_id = fields.Integer()
    checkpoint_id = fields.Integer()
    open = fields.Boolean()


TicketPage = page_schema(TicketSchema)
