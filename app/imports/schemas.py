"""Marshmallow schemas for imports and exports."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from app.common import fields
from app.common.schemas import BaseSchema, QuerySchema


class SheetFile(Upload):
    """The uploaded sheet (its content is checked when read)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Not a file; send the sheet as a multipart file part.")
        return value


class UploadSchema(BaseSchema):
    """The multipart form of an import."""

    file = SheetFile(required=True, metadata={"description": ".xlsx or .csv, at most 2 MB"})


class ImportArgs(QuerySchema):
    """Which property, and whether to apply the sheet or only check it."""

    property_id = fields.Integer(required=True)
    commit = fields.Boolean(load_default=False)


class ListArgs(QuerySchema):
    """Which property's list."""

    property_id = fields.Integer(required=True)


class ProblemSchema(BaseSchema):
    """One problem of one cell."""

    row = fields.Integer()
    field = fields.String()
    value = fields.String()
    message_zh = fields.String()
    message_en = fields.String()


class ChangeSchema(BaseSchema):
    """What one row does."""

    row = fields.Integer()
    action = fields.String()
    key = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")


class ImportReportSchema(BaseSchema):
    """The result of a preview or a commit."""

    what = fields.String()
    property_id = fields.Integer()
    committed = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    problems = fields.List(fields.Nested(ProblemSchema))
    changes = fields.List(fields.Nested(ChangeSchema))
