"""Marshmallow schemas for presence evidence, review decisions and settings."""

from __future__ import annotations

from marshmallow import validate

from app.auth.schemas import UserRefSchema
from app.common import fields
from app.common.schemas import BaseSchema, PageArgs, QuerySchema, Text, one_of, page_schema
from app.photos.schemas import PhotoSchema
from app.presence.models import DECISIONS, STATUSES


class PresenceSchema(BaseSchema):
    """The evidence that someone stood at the checkpoint, and its score."""

    score = fields.Integer()
    status = fields.String()
    status_zh = fields.Function(lambda p: STATUSES[p.status][0])
    status_en = fields.Function(lambda p: STATUSES[p.status][1])
    reasons = fields.List(fields.Dict())
    label_scanned = fields.Boolean()
    label_version = fields.Integer(allow_none=True)
    device_scanned_at = fields.DateTime(allow_none=True)
    device_submitted_at = fields.DateTime(allow_none=True)
    device_now = fields.DateTime(allow_none=True)
    clock_offset_s = fields.Float(allow_none=True)
    scan_to_submit_s = fields.Float(allow_none=True)
    app_version = fields.String(allow_none=True)
    device_id = fields.String(allow_none=True)
    photos_fresh = fields.Boolean(allow_none=True)
    label_in_photo = fields.Boolean(allow_none=True)
    photo_matches = fields.List(fields.Dict())


class ReviewSchema(BaseSchema):
    """A supervisor's decision (immutable: the audit record)."""

    id = fields.Integer()
    inspection_id = fields.Integer()
    property_id = fields.Integer()
    subject_user = fields.Nested(UserRefSchema)
    reviewer = fields.Nested(UserRefSchema)
    decided_at = fields.DateTime()
    decision = fields.String()
    note = fields.String(allow_none=True)
    score = fields.Integer()
    previous_status = fields.String()


class ReviewInSchema(BaseSchema):
    """Accept or reject a flagged inspection (a note is required to reject)."""

    decision = fields.String(required=True, validate=one_of(DECISIONS))
    note = Text(1000, allow_none=True, load_default=None)


class ReviewQueueArgs(PageArgs):
    """Which flagged inspections to list."""

    property_id = fields.Integer()
    user_id = fields.Integer()
    status = fields.String(load_default="doubtful", validate=one_of(STATUSES))


class NotesArgs(PageArgs):
    """Whose record to list rejections of."""

    user_id = fields.Integer()


class ReviewCaseSchema(BaseSchema):
    """A flagged inspection with its evidence, the earlier photos it copies, and its reviews."""

    inspection = fields.Nested("InspectionDetailSchema")
    earlier_photos = fields.List(fields.Nested(PhotoSchema))
    reviews = fields.List(fields.Nested(ReviewSchema))


class PropertyArgs(QuerySchema):
    """The property whose settings are read or changed."""

    property_id = fields.Integer(required=True)


class SettingsSchema(BaseSchema):
    """A property's presence threshold and walking estimates."""

    property_id = fields.Integer(dump_only=True)
    threshold = fields.Integer(validate=validate.Range(min=0, max=100))
    walk_speed_mps = fields.Float(validate=validate.Range(min=0.3, max=5))
    same_zone_m = fields.Float(validate=validate.Range(min=0, max=5000))
    floor_m = fields.Float(validate=validate.Range(min=0, max=500))
    other_zone_m = fields.Float(validate=validate.Range(min=0, max=20000))
    min_seconds_per_item = fields.Float(validate=validate.Range(min=0, max=120))
    updated_at = fields.DateTime(dump_only=True, allow_none=True)


ReviewPage = page_schema(ReviewSchema)
