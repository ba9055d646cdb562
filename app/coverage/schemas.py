"""Marshmallow schemas for coverage and ticket SLA figures."""

from __future__ import annotations

from marshmallow import validate

from app.common import fields
from app.common.schemas import BaseSchema, PageArgs, QuerySchema
from app.coverage.service import GROUPS


class RangeArgs(QuerySchema):
    """A property and a range of its local days (both included)."""

    property_id = fields.Integer(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    zone_id = fields.Integer()


class CoverageArgs(RangeArgs):
    """What to group coverage by."""

    group_by = fields.String(load_default="zone", validate=validate.OneOf(GROUPS))


class MissedArgs(RangeArgs, PageArgs):
    """The missed slots of a range, a page at a time."""


class CountsSchema(BaseSchema):
    """Expected slots and what became of them, with the percentages."""

    expected = fields.Integer()
    done = fields.Integer()
    done_on_time = fields.Integer()
    done_late = fields.Integer()
    done_doubtful = fields.Integer(metadata={"description": "Visited, presence doubtful"})
    missed = fields.Integer()
    excused = fields.Integer()
    pending = fields.Integer()
    extra = fields.Integer()
    coverage_pct = fields.Float(allow_none=True)
    on_time_pct = fields.Float(allow_none=True)


class CoverageRowSchema(CountsSchema):
    """One group: a zone, checkpoint, person (or role), shift or day."""

    key = fields.Raw(allow_none=True)
    label_zh = fields.String()
    label_en = fields.String()


class CoverageSchema(BaseSchema):
    """Coverage figures of a property and range."""

    property_id = fields.Integer()
    property_name = fields.String()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    group_by = fields.String()
    rows = fields.List(fields.Nested(CoverageRowSchema))
    total = fields.Nested(CountsSchema)


class GridCellSchema(CountsSchema):
    """One zone on one day."""

    zone_id = fields.Integer(allow_none=True)
    day = fields.Date()


class GridSchema(BaseSchema):
    """Zone × day coverage of a property and range (the heatmap), with each zone's total."""

    property_id = fields.Integer()
    property_name = fields.String()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    days = fields.List(fields.Date())
    zones = fields.List(fields.Nested(CoverageRowSchema))
    cells = fields.List(fields.Nested(GridCellSchema))


class SlaSchema(BaseSchema):
    """Ticket figures: opened, closed, on-time close % and medians."""

    opened = fields.Integer()
    closed = fields.Integer()
    closed_on_time = fields.Integer()
    on_time_close_pct = fields.Float(allow_none=True)
    median_accept_minutes = fields.Float(allow_none=True)
    median_close_hours = fields.Float(allow_none=True)


class DepartmentSlaSchema(SlaSchema):
    """The figures of one department (None: not dispatched)."""

    department_id = fields.Integer(allow_none=True)
    name_zh = fields.String()
    name_en = fields.String()


class FailedItemSchema(BaseSchema):
    """A checklist item that failed often."""

    item_key = fields.String()
    text_zh = fields.String()
    text_en = fields.String(allow_none=True)
    failures = fields.Integer()


class FailedCheckpointSchema(BaseSchema):
    """A checkpoint with many failed items."""

    checkpoint_id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)
    failures = fields.Integer()


class SatisfactionRowSchema(BaseSchema):
    """One department's or person's 回访: how many, how many satisfied, the mean rating."""

    id = fields.Integer(allow_none=True)
    name_zh = fields.String()
    name_en = fields.String()
    callbacks = fields.Integer()
    satisfied = fields.Integer()
    satisfied_pct = fields.Integer()
    mean_rating = fields.Float(allow_none=True)


class SatisfactionSchema(BaseSchema):
    """回访 satisfaction per department and per person who did the work."""

    departments = fields.List(fields.Nested(SatisfactionRowSchema))
    people = fields.List(fields.Nested(SatisfactionRowSchema))


class TicketFiguresSchema(SlaSchema):
    """Ticket SLA of a property and range, per department, and the failure hotspots."""

    property_id = fields.Integer()
    property_name = fields.String()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    departments = fields.List(fields.Nested(DepartmentSlaSchema))
    failed_items = fields.List(fields.Nested(FailedItemSchema))
    failed_checkpoints = fields.List(fields.Nested(FailedCheckpointSchema))
    satisfaction = fields.Nested(SatisfactionSchema)
