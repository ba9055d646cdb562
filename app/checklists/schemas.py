"""Marshmallow schemas for checklist templates, versions and items."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validate, validates_schema

from app.checklists.models import ANSWER_TYPES, SEVERITIES
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
from app.places.models import CATEGORIES, CHECKPOINT_KINDS
from app.places.schemas import CheckpointSchema


class ItemSchema(BaseSchema):
    """One checklist item."""

    id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    key = fields.String(validate=validate.Length(max=36))
    text_zh = Text(300, required=True)
    text_en = Text(300, allow_none=True)
    answer_type = fields.String(load_default="pass_fail", validate=one_of(ANSWER_TYPES))
    required = fields.Boolean(load_default=True)
    min_value = fields.Float(allow_none=True, load_default=None)
    max_value = fields.Float(allow_none=True, load_default=None)
    unit = Text(20, allow_none=True, load_default=None)
    photo_required_on_fail = fields.Boolean(load_default=True)
    label_in_photo = fields.Boolean(
        allow_none=True,
        load_default=None,
        metadata={"description": "Photos should show the checkpoint's label (default: fire)"},
    )
    severity = fields.String(load_default="medium", validate=one_of(SEVERITIES))
    category = fields.String(required=True, validate=one_of(CATEGORIES))

    @validates_schema
    def _check_range(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data.get("min_value"), data.get("max_value")
        if data.get("answer_type") != "number" and (low is not None or high is not None):
            raise ValidationError("Only number items have a range.", "min_value")
        if low is not None and high is not None and low > high:
            raise ValidationError("min_value is above max_value.", "min_value")


class VersionSchema(BaseSchema):
    """A published version with its items."""

    id = fields.Integer()
    number = fields.Integer()
    created_at = fields.DateTime()
    items = fields.List(fields.Nested(ItemSchema))


class VersionRefSchema(BaseSchema):
    """A version without its items."""

    id = fields.Integer()
    number = fields.Integer()
    created_at = fields.DateTime()


class TemplateSchema(BaseSchema):
    """A checklist template with its current version."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=one_of(CHECKPOINT_KINDS))
    name_zh = Text(200, required=True)
    name_en = Text(200, allow_none=True)
    active = fields.Boolean(dump_only=True)
    items = fields.List(
        fields.Nested(ItemSchema),
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=200),
    )
    current_version = fields.Nested(VersionSchema, dump_only=True)


class UsedCheckpointSchema(BaseSchema):
    """A checkpoint that shows this checklist when scanned."""

    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)
    zone_id = fields.Integer()


class UsedBySchema(BaseSchema):
    """Which checkpoints use a template (active ones of its kind at its property)."""

    count = fields.Integer()
    checkpoints = fields.List(fields.Nested(UsedCheckpointSchema))


class TemplateDetailSchema(TemplateSchema):
    """A template with its version history and the checkpoints that use it."""

    versions = fields.List(fields.Nested(VersionRefSchema), dump_only=True)
    used_by = fields.Method("_used_by", dump_only=True)

    def _used_by(self, obj: Any) -> dict[str, Any]:
        from app.checklists.service import used_by

        return UsedBySchema().dump(used_by(obj))


class TemplatePatchSchema(BaseSchema):
    """A template's names or retirement, without a new version."""

    name_zh = Text(200, blank=False)
    name_en = Text(200, allow_none=True)
    active = fields.Boolean()


class PublishSchema(BaseSchema):
    """A new version of a template's items, and optionally new names."""

    name_zh = Text(200, blank=False)
    name_en = Text(200, allow_none=True)
    items = fields.List(
        fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=200)
    )


class TemplateArgs(PageArgs):
    """Filters for the template list."""

    property_id = fields.Integer()
    kind = fields.String(validate=one_of(CHECKPOINT_KINDS))
    active = fields.Boolean()
    q = search_field()
    sort = sort_field("id", "kind", "name_zh", "updated_at")


class ChecklistForScanSchema(BaseSchema):
    """The checklist a phone shows at a checkpoint: one version, its items."""

    template_id = fields.Integer()
    version_id = fields.Integer()
    version = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ItemSchema))


class ScanArgs(BaseSchema):
    """The label a code was read from: its signature and printing, checked at the scan."""

    s = fields.String(validate=validate.Length(min=1, max=200))
    v = fields.Integer(validate=validate.Range(min=1, max=1_000_000))

    @validates_schema
    def _version_with_signature(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("s") and data.get("v") is None:
            raise ValidationError("The label's version (v) comes with its signature.", "v")


class ScannedCheckpointSchema(CheckpointSchema):
    """A checkpoint with its current checklist (null when its kind has none)."""

    checklist = fields.Nested(ChecklistForScanSchema, dump_only=True, allow_none=True)


TemplatePage = page_schema(TemplateSchema)
