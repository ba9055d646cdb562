"""Marshmallow schemas for permits, the deposit ledger and notices."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validate, validates_schema

from app.common import fields
from app.common.schemas import BaseSchema, PageArgs, Text, contact_field, one_of, page_schema
from app.renovation.models import LEDGER_KINDS, PERMIT_STATUSES

PHONE = validate.Regexp(r"^\+?[0-9 -]{5,20}$")


class PermitSchema(BaseSchema):
    """A renovation permit."""

    id = fields.Integer(dump_only=True)
    property_id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    unit_id = fields.Integer(required=True)
    owner_name = Text(100, required=True)
    owner_phone: fields.Field = fields.String(validate=PHONE, allow_none=True)
    contractor = Text(200, required=True)
    contractor_contact = Text(100, allow_none=True)
    contractor_phone = fields.String(validate=PHONE, allow_none=True)
    workers = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))
    planned_start = fields.Date(required=True)
    planned_end = fields.Date(required=True)
    scope = Text(4000, required=True)
    deposit_cents = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))
    decided_at = fields.DateTime(dump_only=True, allow_none=True)
    decision_note = fields.String(dump_only=True, allow_none=True)
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    completed_at = fields.DateTime(dump_only=True, allow_none=True)
    completion_note = fields.String(dump_only=True, allow_none=True)
    balance_cents = fields.Method("_balance", dump_only=True)

    def _balance(self, permit: Any) -> int:
        from app.renovation.service import balance

        return balance(permit.id)


class PermitOutSchema(PermitSchema):
    """A permit with the owner's phone masked unless the caller is the dispatch centre."""

    owner_phone = contact_field("owner_phone")


class PermitStepSchema(BaseSchema):
    """One step of a permit: approve, reject, start, request_completion, complete."""

    action = fields.String(
        required=True,
        validate=validate.OneOf(["approve", "reject", "start", "request_completion", "complete"]),
    )
    note = Text(2000, allow_none=True)
    passed = fields.Boolean()

    @validates_schema
    def _passed_only_on_complete(self, data: dict[str, Any], **_: Any) -> None:
        if data["action"] == "complete" and "passed" not in data:
            raise ValidationError("Say whether the completion inspection passed.", "passed")


class PermitArgs(PageArgs):
    """Filters for the permit list."""

    property_id = fields.Integer()
    unit_id = fields.Integer()
    status = fields.String(validate=one_of(PERMIT_STATUSES))


class LedgerEntrySchema(BaseSchema):
    """A deduction or refund (deposits are booked when a permit is approved)."""

    id = fields.Integer(dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(["deduction", "refund"]))
    amount_cents = fields.Integer(required=True, validate=validate.Range(min=1, max=10**9))
    reason = Text(1000, required=True)
    notice_ticket_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)


class LedgerEntryOutSchema(LedgerEntrySchema):
    """A booked entry: the deposit itself too, which only approving a permit books."""

    kind = fields.String(validate=one_of(LEDGER_KINDS))


class LedgerSchema(BaseSchema):
    """A permit's deposit account."""

    permit_id = fields.Integer()
    balance_cents = fields.Integer()
    entries = fields.List(fields.Nested(LedgerEntryOutSchema))


class ViolationSchema(BaseSchema):
    """A violation an inspector records at a unit, e.g. building without a permit."""

    rule = Text(500, required=True)
    description = Text(4000, required=True)
    photo_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=10))


PermitPage = page_schema(PermitOutSchema)
