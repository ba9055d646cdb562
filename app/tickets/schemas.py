"""Marshmallow schemas for tickets, their events, intake and the daily reconciliation."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import validate

from app.auth.schemas import DepartmentRefSchema, UserRefSchema
from app.common import fields
from app.common.models import utcnow
from app.common.schemas import (
    BaseSchema,
    PageArgs,
    QuerySchema,
    Text,
    contact_field,
    mask_phone,
    one_of,
    page_schema,
)
from app.photos.schemas import PhotoSchema
from app.places.schemas import ZoneRefSchema
from app.tickets.lifecycle import STEPS, allowed_actions
from app.tickets.models import (
    COMPLAINT_CATEGORIES,
    OPEN_STATUSES,
    PRIORITIES,
    SOURCES,
    TICKET_KINDS,
    TICKET_STATUSES,
)

BEFORE = ("create", "repeat")
AFTER = ("resolve", "verify")


class CheckpointRefSchema(BaseSchema):
    """A checkpoint in short form."""

    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)
    zone = fields.Nested(ZoneRefSchema)


class TicketEventSchema(BaseSchema):
    """One step of a ticket."""

    id = fields.Integer()
    created_at = fields.DateTime()
    actor = fields.Nested(UserRefSchema, allow_none=True)
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))


def _due_in(ticket: Any) -> int | None:
    if ticket.status not in OPEN_STATUSES:
        return None
    return int((ticket.close_due_at - utcnow()).total_seconds())


class TicketSchema(BaseSchema):
    """A ticket as a queue shows it (the resident's phone is always masked here)."""

    id = fields.Integer()
    property_id = fields.Integer()
    number = fields.String()
    kind = fields.String()
    source = fields.String()
    status = fields.String()
    priority = fields.String()
    severity = fields.String()
    category = fields.String()
    department_id = fields.Integer(allow_none=True)
    department = fields.Nested(DepartmentRefSchema, allow_none=True)
    checkpoint_id = fields.Integer(allow_none=True)
    checkpoint = fields.Nested(CheckpointRefSchema, allow_none=True)
    zone_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    location_text = fields.String(allow_none=True)
    item_id = fields.Integer(allow_none=True)
    item_key = fields.String(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    title = fields.String()
    description = fields.String(allow_none=True)
    reporter_name = fields.String(allow_none=True)
    reporter_phone = fields.Function(lambda t: mask_phone(t.reporter_phone), allow_none=True)
    created_by = fields.Nested(UserRefSchema, allow_none=True)
    assignee = fields.Nested(UserRefSchema, allow_none=True)
    created_at = fields.DateTime()
    accept_due_at = fields.DateTime()
    close_due_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    overdue = fields.Function(lambda t: (_due_in(t) or 0) < 0)
    close_due_in_seconds = fields.Function(_due_in, allow_none=True)
    repeat_count = fields.Integer()
    reopen_count = fields.Integer()
    escalation_level = fields.Integer()
    delay_reason = fields.String(allow_none=True)
    delay_until = fields.DateTime(allow_none=True)
    callback_satisfied = fields.Boolean(allow_none=True)
    callback_rating = fields.Integer(allow_none=True)
    callback_note = fields.String(allow_none=True)


def _photos_of(ticket: Any, actions: tuple[str, ...]) -> list:
    return [p for e in ticket.events if e.action in actions for p in e.photos]


class TicketDetailSchema(TicketSchema):
    """A ticket with its history, before/after photos and what the caller may do next."""

    reporter_phone = contact_field("reporter_phone")
    events = fields.List(fields.Nested(TicketEventSchema))
    before_photos = fields.Function(lambda t: PhotoSchema(many=True).dump(_photos_of(t, BEFORE)))
    after_photos = fields.Function(lambda t: PhotoSchema(many=True).dump(_photos_of(t, AFTER)))
    allowed_actions = fields.Function(lambda t: allowed_actions(g.user, t))


class TicketArgs(PageArgs):
    """Filters for the ticket queue."""

    property_id = fields.Integer()
    status = fields.String(validate=one_of(TICKET_STATUSES))
    kind = fields.String(validate=one_of(TICKET_KINDS))
    priority = fields.String(validate=one_of(PRIORITIES))
    category = fields.String()
    department_id = fields.Integer()
    zone_id = fields.Integer()
    checkpoint_id = fields.Integer()
    assignee_id = fields.Integer()
    open = fields.Boolean()
    overdue = fields.Boolean()
    unrouted = fields.Boolean()
    created_from = fields.AwareDateTime()
    created_to = fields.AwareDateTime()
    closed_from = fields.AwareDateTime()
    closed_to = fields.AwareDateTime()
    q = fields.String(validate=validate.Length(max=100))
    sort = fields.String(validate=validate.OneOf(["due", "newest"]))


class StepSchema(BaseSchema):
    """One lifecycle step: the action and what it needs."""

    action = fields.String(required=True, validate=validate.OneOf(list(STEPS)))
    note = Text(2000, allow_none=True)
    photo_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=10))
    department_id = fields.Integer()
    # Reassign (派单): a named person of that department, or an assistant to follow it up.
    assignee_id = fields.Integer(allow_none=True)
    until = fields.AwareDateTime()
    checkpoint_code = fields.String(validate=validate.Length(max=16))
    scanned_at = fields.AwareDateTime()
    # From the scanned label's URL (?v=&s=); a typed code has none.
    label_version = fields.Integer(validate=validate.Range(min=1))
    label_sig = fields.String(validate=validate.Length(max=32))
    callback_satisfied = fields.Boolean()
    # 回访 by phone: 1 (very unhappy) to 5; 2 or less counts as not satisfied.
    callback_rating = fields.Integer(validate=validate.Range(1, 5))
    callback_note = Text(2000)
    # A step queued on the phone while offline: sending it again takes it once.
    client_uuid = fields.UUID()


class ComplaintSchema(BaseSchema):
    """A resident's report or complaint taken by the front desk."""

    property_id = fields.Integer(required=True)
    category = fields.String(required=True, validate=validate.OneOf(COMPLAINT_CATEGORIES))
    title = Text(300)
    description = Text(4000, required=True)
    unit_id = fields.Integer()
    zone_id = fields.Integer()
    checkpoint_id = fields.Integer()
    location_text = Text(300)
    reporter_name = Text(100)
    reporter_phone = fields.String(validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$"))
    priority = fields.String(load_default="normal", validate=one_of(PRIORITIES))
    source = fields.String(
        load_default="phone", validate=validate.OneOf([s for s in SOURCES if s != "inspection"])
    )
    photo_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=10))
    # A report recorded on the phone while offline: sending it again records it once.
    client_uuid = fields.UUID()


class DailyArgs(QuerySchema):
    """Which property and local day to reconcile."""

    property_id = fields.Integer(required=True)
    date = fields.Date(required=True)


class DailyRowSchema(BaseSchema):
    """One department's day."""

    department_id = fields.Integer(allow_none=True)
    department_zh = fields.String()
    department_en = fields.String()
    opened = fields.Integer()
    closed = fields.Integer()
    overdue = fields.Integer()
    unanswered = fields.Integer()


class DailyItemSchema(BaseSchema):
    """One request received that day: its state, who holds it, whether it was answered in time."""

    id = fields.Integer()
    number = fields.String()
    title = fields.String()
    kind = fields.String()
    source = fields.String()
    status = fields.String()
    status_zh = fields.String()
    status_en = fields.String()
    open = fields.Boolean()
    department_zh = fields.String(allow_none=True)
    department_en = fields.String(allow_none=True)
    assignee_name = fields.String(allow_none=True)
    created_at = fields.DateTime()
    answered_at = fields.DateTime(allow_none=True)
    answer_minutes = fields.Integer(allow_none=True)
    answered_in_time = fields.Boolean()
    late = fields.Boolean()


class DailySchema(BaseSchema):
    """The daily reconciliation (当日盘点) of one property."""

    property_id = fields.Integer()
    date = fields.String()
    departments = fields.List(fields.Nested(DailyRowSchema))
    items = fields.List(fields.Nested(DailyItemSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())


TicketPage = page_schema(TicketSchema)


class TaskArgs(PageArgs):
    """Which of my tasks (我的任务): all open, due by the end of today, or overdue."""

    when = fields.String(load_default="all", validate=validate.OneOf(["all", "today", "overdue"]))


class CandidateArgs(BaseSchema):
    """The department a dispatcher is about to choose (default: the ticket's)."""

    department_id = fields.Integer()


class CandidateSchema(BaseSchema):
    """A person who may hold the ticket."""

    id = fields.Integer()
    display_name = fields.String()
    role = fields.String()
    department_id = fields.Integer(allow_none=True)


class CandidateList(BaseSchema):
    """The people a ticket may be dispatched to."""

    items = fields.List(fields.Nested(CandidateSchema))
