"""Marshmallow schemas for shifts, plans, slots and hand-over notes."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, validate

from app.auth.models import ROLES
from app.auth.schemas import UserRefSchema
from app.common import fields
from app.common.schemas import (
    BaseSchema,
    PageArgs,
    QuerySchema,
    Text,
    one_of,
    page_schema,
    search_field,
    sort_field,
)
from app.places.models import CHECKPOINT_KINDS
from app.places.schemas import ZoneRefSchema
from app.plans.models import FREQUENCIES, SLOT_STATUSES

CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class ClockTime(fields.Field):
    """A local time of day as "HH:MM", stored as minutes after midnight ("24:00" is 1440)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value // 60:02d}:{value % 60:02d}"

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        match = CLOCK.match(str(value).strip())
        minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
        if not 0 <= minutes <= 1440:
            raise ValidationError('Use "HH:MM", e.g. "08:30".')
        return minutes


class ShiftSchema(BaseSchema):
    """A shift (班次) in the property's local time."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(required=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_-]{1,20}$"))
    name_zh = Text(50, required=True)
    name_en = Text(50, allow_none=True)
    role = fields.String(required=True, validate=one_of(ROLES))
    start_time = ClockTime(required=True, attribute="start_minute", data_key="start_time")
    end_time = ClockTime(required=True, attribute="end_minute", data_key="end_time")
    active = fields.Boolean()


class ShiftRefSchema(BaseSchema):
    """A shift in short form."""

    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)


class ShiftArgs(PageArgs):
    """Filters of the shift list."""

    property_id = fields.Integer()
    role = fields.String()
    active = fields.Boolean()
    q = search_field()
    sort = sort_field("id", "code", "name_zh", "role", "start_minute")


ShiftPage = page_schema(ShiftSchema)
_ids = fields.List(fields.Integer(), allow_none=True, validate=validate.Length(max=5000))


class PlanInSchema(BaseSchema):
    """What a supervisor gives to create or edit a plan (巡查计划)."""

    property_id = fields.Integer(required=True)
    name_zh = Text(200, required=True)
    name_en = Text(200, allow_none=True)
    zone_id = fields.Integer(allow_none=True)
    checkpoint_kind = fields.String(allow_none=True, validate=one_of(CHECKPOINT_KINDS))
    checkpoint_ids = _ids
    frequency = fields.String(required=True, validate=one_of(FREQUENCIES))
    weekdays = fields.List(fields.Integer(validate=validate.Range(0, 6)), allow_none=True)
    month_day = fields.Integer(allow_none=True, validate=validate.Range(1, 31))
    shift_ids = fields.List(fields.Integer(), allow_none=True)
    start_time = ClockTime(allow_none=True, attribute="start_minute", data_key="start_time")
    end_time = ClockTime(allow_none=True, attribute="end_minute", data_key="end_time")
    grace_minutes = fields.Integer(validate=validate.Range(0, 24 * 60))
    assignee_ids = fields.List(fields.Integer(), allow_none=True)
    assignee_role = fields.String(allow_none=True, validate=one_of(ROLES))
    paused = fields.Boolean()
    starts_on = fields.Date(load_only=True)


class PlanVersionSchema(BaseSchema):
    """One version of a plan, valid from valid_from until valid_until."""

    id = fields.Integer()
    number = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)
    zone_id = fields.Integer(allow_none=True)
    checkpoint_kind = fields.String(allow_none=True)
    checkpoint_ids = fields.List(fields.Integer(), allow_none=True)
    frequency = fields.String()
    weekdays = fields.List(fields.Integer(), allow_none=True)
    month_day = fields.Integer(allow_none=True)
    shift_ids = fields.List(fields.Integer(), allow_none=True)
    start_time = ClockTime(attribute="start_minute", allow_none=True)
    end_time = ClockTime(attribute="end_minute", allow_none=True)
    grace_minutes = fields.Integer()
    assignee_ids = fields.List(fields.Integer(), allow_none=True)
    assignee_role = fields.String(allow_none=True)
    paused = fields.Boolean()
    valid_from = fields.DateTime()
    valid_until = fields.DateTime(allow_none=True)


class PlanSchema(BaseSchema):
    """A plan: its settings in force now and its history of versions."""

    id = fields.Integer()
    property_id = fields.Integer()
    current = fields.Nested(PlanVersionSchema)
    versions = fields.List(fields.Nested(PlanVersionSchema))


class PlanArgs(PageArgs):
    """Filters of the plan list."""

    property_id = fields.Integer()
    zone_id = fields.Integer()


PlanPage = page_schema(PlanSchema)


class SlotCheckpointSchema(BaseSchema):
    """The checkpoint of a slot in short form."""

    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)
    zone = fields.Nested(ZoneRefSchema)


class SlotSchema(BaseSchema):
    """An expected visit (应巡时段) and what became of it."""

    id = fields.Integer()
    property_id = fields.Integer()
    plan_id = fields.Integer()
    plan_version_id = fields.Integer()
    plan_name_zh = fields.String(attribute="plan_version.name_zh")
    plan_name_en = fields.String(attribute="plan_version.name_en", allow_none=True)
    checkpoint = fields.Nested(SlotCheckpointSchema)
    shift_id = fields.Integer(allow_none=True)
    assignee = fields.Nested(UserRefSchema, allow_none=True)
    assignee_role = fields.String(allow_none=True)
    local_day = fields.Date()
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    due_at = fields.DateTime()
    status = fields.String()
    status_zh = fields.Function(lambda s: SLOT_STATUSES[s.status][0])
    status_en = fields.Function(lambda s: SLOT_STATUSES[s.status][1])
    inspection_id = fields.Integer(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    done_by_id = fields.Integer(allow_none=True)
    excused_at = fields.DateTime(allow_none=True)
    excused_by_id = fields.Integer(allow_none=True)
    excuse_reason = fields.String(allow_none=True)


SlotPage = page_schema(SlotSchema)


class SlotArgs(PageArgs):
    """Filters of the slot list (local days, both inclusive)."""

    property_id = fields.Integer()
    zone_id = fields.Integer()
    checkpoint_id = fields.Integer()
    plan_id = fields.Integer()
    assignee_id = fields.Integer()
    status = fields.String(validate=one_of(SLOT_STATUSES))
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class SlotListSchema(BaseSchema):
    """The caller's slots of today."""

    items = fields.List(fields.Nested(SlotSchema))


class ExcuseSchema(BaseSchema):
    """Why a slot is excused (e.g. the checkpoint was inaccessible)."""

    reason = Text(500, required=True)


class HandoverInSchema(BaseSchema):
    """A hand-over note for the next shift or a named colleague."""

    property_id = fields.Integer(required=True)
    note = Text(2000, required=True)
    to_user_id = fields.Integer(allow_none=True)
    to_shift_id = fields.Integer(allow_none=True)
    slot_ids = fields.List(fields.Integer(), validate=validate.Length(max=2000))


class HandedSlotSchema(BaseSchema):
    """A slot handed over with a note, in short form."""

    id = fields.Integer()
    local_day = fields.Date()
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    due_at = fields.DateTime()
    status = fields.String()
    checkpoint = fields.Nested(SlotCheckpointSchema)


class HandoverSchema(BaseSchema):
    """A hand-over note (交接) as its recipients see it."""

    id = fields.Integer()
    property_id = fields.Integer()
    author = fields.Nested(UserRefSchema)
    from_shift = fields.Nested(ShiftRefSchema, allow_none=True)
    to_user = fields.Nested(UserRefSchema, allow_none=True)
    to_shift = fields.Nested(ShiftRefSchema, allow_none=True)
    for_day = fields.Date()
    note = fields.String()
    slot_ids = fields.List(fields.Integer(), allow_none=True)
    slots = fields.List(fields.Nested(HandedSlotSchema))
    created_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by_id = fields.Integer(allow_none=True)


class HandoverListSchema(BaseSchema):
    """The hand-over notes for the caller."""

    items = fields.List(fields.Nested(HandoverSchema))


class NoArgs(QuerySchema):
    """No query arguments."""
