"""Marshmallow schemas for the audit trail."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from app.audit import service
from app.audit.models import ACTIONS, ENTITIES
from app.auth.schemas import UserRefSchema
from app.common import fields
from app.common.schemas import BaseSchema, PageArgs, one_of, page_schema


class DateOrDateTime(fields.Field):
    """An ISO date (a whole day) or an ISO date-time."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        from datetime import date, datetime

        text = str(value).strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError("Not an ISO date or date-time.") from None


class ShownChanges(fields.Dict):
    """An entry's changes as the caller may read them (contacts masked, own grants only)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(service.shown_changes(obj), attr, obj, **kwargs)


class AuditEntrySchema(BaseSchema):
    """One change: who, when, what, old and new values."""

    id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    user = fields.Nested(UserRefSchema, allow_none=True)
    property_id = fields.Integer(allow_none=True)
    entity = fields.String()
    entity_id = fields.Integer(allow_none=True)
    action = fields.String()
    summary = fields.String(allow_none=True)
    changes = ShownChanges(allow_none=True)


class AuditArgs(PageArgs):
    """Filters for the audit trail."""

    property_id = fields.Integer()
    entity = fields.String(validate=one_of(ENTITIES))
    entity_id = fields.Integer()
    user_id = fields.Integer()
    action = fields.String(validate=one_of(ACTIONS))
    from_ = DateOrDateTime(data_key="from", attribute="from")
    to = DateOrDateTime()


AuditPage = page_schema(AuditEntrySchema)
