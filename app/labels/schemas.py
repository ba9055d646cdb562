"""Query arguments of the label sheet."""

from __future__ import annotations

from marshmallow import validate

from app.common import fields
from app.common.schemas import BaseSchema, QuerySchema, one_of
from app.places.models import CHECKPOINT_KINDS
from app.places.schemas import CheckpointSchema


class LabelSheetArgs(QuerySchema):
    """Which checkpoints to print: a zone, a kind and/or chosen ids (at least one)."""

    zone_id = fields.Integer()
    kind = fields.String(validate=one_of(CHECKPOINT_KINDS))
    checkpoint_id = fields.List(fields.Integer(), validate=validate.Length(max=2000))
    property_id = fields.Integer()


class ReplacedLabelSchema(BaseSchema):
    """The code and label that stopped working when a code was re-issued."""

    code = fields.String()
    label_version = fields.Integer()
    message_zh = fields.String()
    message_en = fields.String()


class ReissuedCheckpointSchema(CheckpointSchema):
    """A checkpoint with its new code, naming the old code that no longer works."""

    replaced = fields.Nested(ReplacedLabelSchema, dump_only=True)


class LabelWarningSchema(BaseSchema):
    """Why labels printed now would not work on site, in Chinese and English."""

    code = fields.String()
    base_url = fields.String()
    message_zh = fields.String()
    message_en = fields.String()


class LabelAddressSchema(BaseSchema):
    """The address printed labels encode and where it comes from."""

    base_url = fields.String(metadata={"description": "What every label's QR URL starts with"})
    source = fields.String(
        metadata={"description": "config: PUBLIC_BASE_URL; request: the address in use"}
    )
    localhost = fields.Boolean(metadata={"description": "True: phones could not open the labels"})
    warning = fields.Nested(LabelWarningSchema, allow_none=True)
