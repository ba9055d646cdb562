"""Marshmallow schemas for submitting and reading inspections."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validate, validates_schema

from app.auth.schemas import UserRefSchema
from app.common import fields
from app.common.schemas import BaseSchema, PageArgs, Text, one_of, page_schema
from app.inspections.models import OUTCOMES
from app.photos.schemas import PhotoSchema
from app.presence.schemas import PresenceSchema
from app.tickets.schemas import CheckpointRefSchema, TicketSchema


class ResultInSchema(BaseSchema):
    """The phone's answer to one item."""

    item_id = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=one_of(OUTCOMES))
    value = fields.Raw(allow_none=True, load_default=None)
    note = Text(1000, allow_none=True, load_default=None)
    photo_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=10))


class InspectionInSchema(BaseSchema):
    """A submission from the phone (possibly long after the scan, from its offline outbox)."""

    client_uuid = fields.UUID(required=True)
    checkpoint_code = fields.String(required=True, validate=validate.Length(min=1, max=16))
    checklist_version_id = fields.Integer(load_default=None)
    scanned_at = fields.AwareDateTime(required=True)
    submitted_at = fields.AwareDateTime(load_default=None)
    lat = fields.Float(allow_none=True, load_default=None, validate=validate.Range(-90, 90))
    lng = fields.Float(allow_none=True, load_default=None, validate=validate.Range(-180, 180))
    accuracy = fields.Float(
        allow_none=True, load_default=None, validate=validate.Range(min=0, max=100000)
    )
    note = Text(1000, allow_none=True, load_default=None)
    results = fields.List(
        fields.Nested(ResultInSchema), required=True, validate=validate.Length(min=1, max=200)
    )
    # Proof of presence (all optional): the scanned label's signature and version (none when the
    # code was typed), the phone's clock when it sends, its app version and device id.
    label_sig = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=64)
    )
    label_version = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1)
    )
    device_now = fields.AwareDateTime(
        allow_none=True, load_default=None, metadata={"description": "Phone clock at sending"}
    )
    app_version = Text(40, allow_none=True, load_default=None)
    device_id = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=64)
    )

    @validates_schema
    def _lat_lng_together(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise ValidationError("Give both lat and lng, or neither.", "lng")


class ItemRefSchema(BaseSchema):
    """The checklist item a result answers."""

    id = fields.Integer()
    key = fields.String()
    text_zh = fields.String()
    text_en = fields.String(allow_none=True)
    answer_type = fields.String()
    unit = fields.String(allow_none=True)
    severity = fields.String()
    category = fields.String()


class ResultSchema(BaseSchema):
    """A stored result."""

    id = fields.Integer()
    item_id = fields.Integer()
    item = fields.Nested(ItemRefSchema)
    outcome = fields.String()
    value_number = fields.Float(allow_none=True)
    value_text = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    photos = fields.List(fields.Nested(PhotoSchema))


class InspectionSchema(BaseSchema):
    """A stored inspection in list form."""

    id = fields.Integer()
    client_uuid = fields.String()
    property_id = fields.Integer()
    checkpoint_id = fields.Integer()
    checkpoint = fields.Nested(CheckpointRefSchema)
    checklist_version_id = fields.Integer()
    user = fields.Nested(UserRefSchema)
    code = fields.String()
    scanned_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    accuracy = fields.Float(allow_none=True)
    note = fields.String(allow_none=True)
    failed_count = fields.Integer()
    presence = fields.Nested(PresenceSchema, allow_none=True)


class UsedVersionSchema(BaseSchema):
    """The checklist version an inspection answered (it never changes afterwards)."""

    id = fields.Integer()
    number = fields.Integer()
    template_id = fields.Integer()


class InspectionDetailSchema(InspectionSchema):
    """A stored inspection with its results, photos and the tickets it raised or added to."""

    checklist_version = fields.Nested(UsedVersionSchema)
    results = fields.List(fields.Nested(ResultSchema))
    tickets = fields.List(fields.Nested(TicketSchema))


class InspectionArgs(PageArgs):
    """Filters for the inspection list; times are ISO 8601 with an offset."""

    property_id = fields.Integer()
    checkpoint_id = fields.Integer()
    zone_id = fields.Integer()
    user_id = fields.String(validate=validate.Regexp(r"^(me|\d+)$"))
    failed = fields.Boolean()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()


InspectionPage = page_schema(InspectionSchema)
