"""Query arguments of the label sheet."""

from __future__ import annotations

from marshmallow import fields, validate

from app.common.schemas import QuerySchema, one_of
from app.places.models import CHECKPOINT_KINDS


class LabelSheetArgs(QuerySchema):
    """Which checkpoints to print: a zone, a kind and/or chosen ids (at least one)."""

    zone_id = fields.Integer()
    kind = fields.String(validate=one_of(CHECKPOINT_KINDS))
    checkpoint_id = fields.List(fields.Integer(), validate=validate.Length(max=2000))
    property_id = fields.Integer()
