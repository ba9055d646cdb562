"""Marshmallow schemas for places, departments and routing rules."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, validate

from app.common import fields
from app.common.public_url import localhost_warning, public_base_url
from app.common.schemas import (
    BaseSchema,
    Code,
    PageArgs,
    QuerySchema,
    Text,
    contact_field,
    one_of,
    page_schema,
    search_field,
    sort_field,
)
from app.places.models import CATEGORIES, CHECKPOINT_KINDS, UNIT_STATUSES, ZONE_KINDS

CHECKPOINT_CODE = r"^[A-Za-z0-9-]{3,16}$"
HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _valid_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "Unknown time zone; use an IANA name such as Asia/Shanghai."
        ) from None


class PropertySchema(BaseSchema):
    """A property as the API shows and takes it."""

    id = fields.Integer(dump_only=True)
    company_id = fields.Integer(dump_only=True)
    code = Code(r"^[A-Za-z][A-Za-z0-9]{0,7}$", required=True)
    name = Text(200, required=True)
    name_en = Text(200, allow_none=True)
    timezone = fields.String(load_default="Asia/Shanghai", validate=_valid_timezone)
    address = Text(500, allow_none=True)
    active = fields.Boolean()
    # SLA per priority (seed 003 §4.1.1): answer and close times, normal and urgent.
    sla_accept_minutes = fields.Integer(validate=validate.Range(1, 100000))
    sla_accept_urgent_minutes = fields.Integer(validate=validate.Range(1, 100000))
    sla_close_hours = fields.Integer(validate=validate.Range(1, 100000))
    sla_close_urgent_hours = fields.Integer(validate=validate.Range(1, 100000))
    # Construction hours for renovation units (local time) and the notice deadline.
    construction_start = fields.String(validate=validate.Regexp(HHMM))
    construction_end = fields.String(validate=validate.Regexp(HHMM))
    notice_deadline_days = fields.Integer(validate=validate.Range(1, 90))
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class ZoneRefSchema(BaseSchema):
    """The short form of a zone embedded in other objects."""

    id = fields.Integer()
    kind = fields.String()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)


class ZoneSchema(BaseSchema):
    """A zone of a property."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=one_of(ZONE_KINDS))
    name_zh = Text(100, required=True)
    name_en = Text(100, allow_none=True)
    active = fields.Boolean()
    # Only in the answer to a deactivation: the checkpoints deactivated with the zone.
    checkpoints_deactivated = fields.List(fields.Integer(), dump_only=True)
    notice_zh = fields.String(dump_only=True)
    notice_en = fields.String(dump_only=True)


class CheckpointSchema(BaseSchema):
    """A checkpoint and the URL its QR label encodes."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(dump_only=True)
    zone_id = fields.Integer(required=True)
    zone = fields.Nested(ZoneRefSchema, dump_only=True)
    unit_id = fields.Integer(dump_only=True, allow_none=True)
    kind = fields.String(required=True, validate=one_of(CHECKPOINT_KINDS))
    name_zh = Text(200, required=True)
    name_en = Text(200, allow_none=True)
    location = Text(300, allow_none=True)
    lat = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    lng = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    code = Code(CHECKPOINT_CODE)
    label_version = fields.Integer(dump_only=True)
    active = fields.Boolean()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    url = fields.Method("_url", dump_only=True)
    # Set only when `url` names this machine (localhost): a label printed so is useless.
    url_warning = fields.Method(
        "_url_warning",
        dump_only=True,
        allow_none=True,
        metadata={
            "type": "object",
            "description": "null, or {code: label_url_localhost, base_url, message_zh, "
            "message_en} when labels would send phones to this machine",
        },
    )

    def _url(self, obj: Any) -> str:
        return f"{public_base_url()}/c/{obj.code}"

    def _url_warning(self, obj: Any) -> dict[str, Any] | None:
        return localhost_warning(public_base_url())


class UnitSchema(BaseSchema):
    """A unit (户) and its hand-over status."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(dump_only=True)
    zone_id = fields.Integer(required=True)
    floor = fields.Integer(required=True, validate=validate.Range(-10, 200))
    number = Text(20, required=True)
    status = fields.String(load_default="not_taken", validate=one_of(UNIT_STATUSES))
    status_note = Text(500, load_only=True)
    active = fields.Boolean()
    owner_name = Text(100, allow_none=True)
    owner_phone: fields.Field = fields.String(
        allow_none=True, validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$")
    )


class UnitOutSchema(UnitSchema):
    """A unit with the owner's phone masked except for the front desk and supervisors."""

    owner_phone = contact_field("owner_phone")


class UnitHistorySchema(BaseSchema):
    """One change of a unit's status."""

    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    changed_at = fields.DateTime()
    changed_by_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)


class UnitSummarySchema(BaseSchema):
    """Units of one building per status."""

    zone_id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)
    total = fields.Integer()
    handed_over = fields.Integer()
    renovating = fields.Integer()
    not_taken = fields.Integer()
    not_up_to_standard = fields.Integer()


class SummaryArgs(QuerySchema):
    """Which property to summarise."""

    property_id = fields.Integer(required=True)


class DepartmentSchema(BaseSchema):
    """A responsible department."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(required=True)
    code = Code(r"^[A-Za-z][A-Za-z0-9_]{0,39}$", required=True)
    name_zh = Text(100, required=True)
    name_en = Text(100, allow_none=True)
    active = fields.Boolean()


class RoutingRuleSchema(BaseSchema):
    """Category → department at one property."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(required=True)
    category = fields.String(required=True, validate=one_of(CATEGORIES))
    department_id = fields.Integer(required=True)


STAMPS = ("created_at", "updated_at")


class PropertyArgs(PageArgs):
    """Filters for the property list."""

    active = fields.Boolean()
    q = search_field()
    sort = sort_field("id", "code", "name", *STAMPS)


class PropertyScopedArgs(PageArgs):
    """Filters shared by lists of property-owned objects."""

    property_id = fields.Integer()
    active = fields.Boolean()


class DepartmentArgs(PropertyScopedArgs):
    """Filters for the department list."""

    q = search_field()
    sort = sort_field("id", "code", "name_zh", *STAMPS)


class ZoneArgs(PropertyScopedArgs):
    """Filters for the zone list."""

    kind = fields.String(validate=one_of(ZONE_KINDS))
    q = search_field()
    sort = sort_field("id", "name_zh", "kind", *STAMPS)


class CheckpointArgs(PropertyScopedArgs):
    """Filters for the checkpoint list."""

    zone_id = fields.Integer()
    kind = fields.String(validate=one_of(CHECKPOINT_KINDS))
    q = search_field()
    sort = sort_field("id", "code", "name_zh", "kind", "zone_id", *STAMPS)


class UnitArgs(PropertyScopedArgs):
    """Filters for the unit list."""

    zone_id = fields.Integer()
    status = fields.String(validate=one_of(UNIT_STATUSES))
    floor = fields.Integer()
    q = search_field()
    sort = sort_field("id", "number", "floor", "status", "zone_id", *STAMPS)


class RoutingRuleArgs(PageArgs):
    """Filters for the routing rule list."""

    property_id = fields.Integer()
    category = fields.String(validate=one_of(CATEGORIES))
    department_id = fields.Integer()
    q = search_field()
    sort = sort_field("id", "category", "department_id", *STAMPS)


PropertyPage = page_schema(PropertySchema)
ZonePage = page_schema(ZoneSchema)
CheckpointPage = page_schema(CheckpointSchema)
UnitPage = page_schema(UnitOutSchema)
DepartmentPage = page_schema(DepartmentSchema)
RoutingRulePage = page_schema(RoutingRuleSchema)


class VocabEntrySchema(BaseSchema):
    """One code of a vocabulary with its labels."""

    code = fields.String()
    zh = fields.String()
    en = fields.String()


class VocabSchema(BaseSchema):
    """All code lists the clients show (kinds, categories, statuses, roles)."""

    zone_kinds = fields.List(fields.Nested(VocabEntrySchema))
    checkpoint_kinds = fields.List(fields.Nested(VocabEntrySchema))
    categories = fields.List(fields.Nested(VocabEntrySchema))
    unit_statuses = fields.List(fields.Nested(VocabEntrySchema))
    roles = fields.List(fields.Nested(VocabEntrySchema))
    answer_types = fields.List(fields.Nested(VocabEntrySchema))
    severities = fields.List(fields.Nested(VocabEntrySchema))
    ticket_kinds = fields.List(fields.Nested(VocabEntrySchema))
    ticket_statuses = fields.List(fields.Nested(VocabEntrySchema))
    ticket_actions = fields.List(fields.Nested(VocabEntrySchema))
    priorities = fields.List(fields.Nested(VocabEntrySchema))
    sources = fields.List(fields.Nested(VocabEntrySchema))
    outcomes = fields.List(fields.Nested(VocabEntrySchema))
    permit_statuses = fields.List(fields.Nested(VocabEntrySchema))
    audit_entities = fields.List(fields.Nested(VocabEntrySchema))
    audit_actions = fields.List(fields.Nested(VocabEntrySchema))
    audiences = fields.List(fields.Nested(VocabEntrySchema))
    channel_kinds = fields.List(fields.Nested(VocabEntrySchema))
    delivery_statuses = fields.List(fields.Nested(VocabEntrySchema))
