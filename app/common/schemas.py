"""Base schemas, pagination and vocabulary validation."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import EXCLUDE, RAISE, Schema, validate
from sqlalchemy import Select, func, or_, select

from app.common import fields
from app.extensions import db


class BaseSchema(Schema):
    """Strict schema: unknown fields are an error naming the field."""

    class Meta:
        unknown = RAISE


class QuerySchema(Schema):
    """Query-string arguments: unknown parameters (cache busters) are ignored."""

    class Meta:
        unknown = EXCLUDE


class PageArgs(QuerySchema):
    """Page number and size."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))


def one_of(vocabulary: dict[str, Any]) -> validate.OneOf:
    """Validate a code against a vocabulary dict."""
    return validate.OneOf(list(vocabulary))


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """Build the envelope schema of a page of items."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
    )


def paginate(query: Select, args: dict[str, Any]) -> dict[str, Any]:
    """Run a select one page at a time and report the total."""
    page = args.get("page") or 1
    per_page = args.get("per_page") or current_app.config["PAGE_SIZE_DEFAULT"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "total": total or 0, "page": page, "per_page": per_page}


class Text(fields.String):
    """A string with surrounding white space removed; blank counts as missing when required.

    `blank=False` refuses a blank value for an optional field too, e.g. a name that a PATCH may
    leave out but never empty.
    """

    def __init__(
        self,
        max_length: int = 200,
        *,
        required: bool = False,
        blank: bool | None = None,
        **kwargs: Any,
    ) -> None:
        blank = not required if blank is None else blank
        length = validate.Length(min=0 if blank else 1, max=max_length)
        extra = kwargs.pop("validate", None)
        validators = [length, *(extra if isinstance(extra, list) else [extra] if extra else [])]
        if not blank and not any(isinstance(v, validate.Regexp) for v in validators):
            # The document says what the strip does: minLength alone would let " " through.
            kwargs["metadata"] = {"pattern": r"\S", **kwargs.get("metadata", {})}
        super().__init__(required=required, validate=validators, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        return result.strip() if isinstance(result, str) else result


class Code(fields.String):
    """An upper-cased identifier such as a checkpoint or property code."""

    def __init__(self, pattern: str, **kwargs: Any) -> None:
        super().__init__(validate=validate.Regexp(pattern), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        return result.strip().upper()


def schema_name_resolver(schema: Any) -> str:
    """Name OpenAPI components, giving PATCH variants (partial schemas) their own name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if isinstance(schema, Schema) and (schema.partial or schema.exclude or schema.only):
        name += "Patch"
    return name


# Residents' and owners' phone numbers are shown in full to the dispatch centre only.
SEES_CONTACTS = frozenset({"frontdesk", "supervisor"})


def mask_phone(phone: str | None) -> str | None:
    """Hide the middle of a phone number: 13812345678 → 138****5678."""
    if not phone:
        return phone
    return phone[:3] + "*" * max(len(phone) - 7, 1) + phone[-4:] if len(phone) > 7 else "****"


def contact_field(attr: str) -> fields.Function:
    """Dump a phone number in full for the dispatch centre and masked for everyone else."""
    from flask import g

    return fields.Function(
        lambda obj: (
            getattr(obj, attr) if g.user.role in SEES_CONTACTS else mask_phone(getattr(obj, attr))
        ),
        allow_none=True,
    )


def sort_field(*columns: str) -> fields.String:
    """A `sort` query argument: one of these columns, `-` in front for descending."""
    allowed = [*columns, *(f"-{c}" for c in columns)]
    return fields.String(validate=validate.OneOf(allowed))


def search_field() -> fields.String:
    """A `q` query argument: text searched case-insensitively in a list's columns."""
    return fields.String(validate=validate.Length(max=100))


def sorted_by(query: Select, model: Any, args: dict[str, Any]) -> Select:
    """Order a list by the `sort` argument when given (ties broken by id)."""
    sort = args.get("sort")
    if not sort:
        return query
    column = getattr(model, sort.lstrip("-"))
    return query.order_by(None).order_by(
        column.desc() if sort.startswith("-") else column.asc(), model.id
    )


def searched(query: Select, args: dict[str, Any], *columns: Any) -> Select:
    """Keep rows where any of the columns contains the `q` text (case-insensitive)."""
    text = (args.get("q") or "").strip()
    if not text:
        return query
    like = f"%{text}%"
    return query.where(or_(*(column.ilike(like) for column in columns)))
