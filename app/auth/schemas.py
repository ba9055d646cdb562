"""Marshmallow schemas for login, tokens and users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from marshmallow import post_dump, validate

from app.auth.models import ROLES
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


class LoginSchema(BaseSchema):
    """Username and password."""

    username = Text(64, required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    # A phone that keeps an offline login asks for a key to reopen the session later.
    offline = fields.Boolean(load_default=False)


class ResumeSchema(BaseSchema):
    """The key a phone kept from an online login, to have an offline login checked."""

    key = fields.String(required=True, load_only=True, validate=validate.Length(min=20, max=100))


class PropertyRefSchema(BaseSchema):
    """A granted property in short form."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    timezone = fields.String()


class UserRefSchema(BaseSchema):
    """A user in short form: who did, owns or was handed something."""

    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()


class DepartmentRefSchema(BaseSchema):
    """A department in short form."""

    id = fields.Integer()
    property_id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String(allow_none=True)


def _account_editable(user: Any) -> bool:
    from flask import g

    from app.auth.users import has_authority

    return g.get("user") is not None and has_authority(user)


class UserSchema(BaseSchema):
    """A user as the API shows and takes it."""

    id = fields.Integer(dump_only=True)
    username = Text(64, required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{2,64}$"))
    display_name = Text(100, required=True)
    phone = Text(32, allow_none=True)
    role = fields.String(required=True, validate=one_of(ROLES))
    roles = fields.Function(lambda u: [u.role], dump_only=True)
    department_id = fields.Integer(allow_none=True)
    department = fields.Nested(DepartmentRefSchema, dump_only=True, allow_none=True)
    property_ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, max=100)
    )
    properties = fields.List(fields.Nested(PropertyRefSchema), dump_only=True)
    active = fields.Boolean()
    created_at = fields.DateTime(dump_only=True)
    password = fields.String(load_only=True, required=True, validate=validate.Length(max=200))
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)
    # False when the user also holds properties the caller does not administer.
    account_editable = fields.Function(_account_editable, dump_only=True)

    @post_dump(pass_original=True)
    def _only_shared_properties(self, data: dict[str, Any], user: Any, **_: Any) -> dict[str, Any]:
        """Show another user only the grants (and department) of properties the caller holds."""
        from app.auth.users import seen_property_ids

        seen = seen_property_ids(user)
        if seen is None:
            return data
        if "property_ids" in data:
            data["property_ids"] = [i for i in data["property_ids"] if i in seen]
        if "properties" in data:
            data["properties"] = [p for p in data["properties"] if p["id"] in seen]
        if user.department is not None and user.department.property_id not in seen:
            data.update({k: None for k in ("department_id", "department") if k in data})
        return data


def _offline_login_until(_user: Any) -> str | None:
    """Until when this phone may let the user log in again offline (none when switched off)."""
    from flask import current_app

    from app.common.models import utcnow

    hours = current_app.config["OFFLINE_LOGIN_HOURS"]
    if hours <= 0:
        return None
    return (utcnow() + timedelta(hours=hours)).isoformat()


class MeSchema(UserSchema):
    """The logged-in user, with what the phone needs to let them log in again offline."""

    # Goes up whenever the password changes or access ends: a phone seeing a higher number
    # forgets what it kept for an offline login.
    session_version = fields.Integer(dump_only=True)
    offline_login_until = fields.Function(_offline_login_until, dump_only=True)
    # Only in the answer to a login that asked for it (offline: true); shown once.
    offline_key = fields.String(dump_only=True)

    @post_dump(pass_original=True)
    def _issued_key(self, data: dict[str, Any], user: Any, **_: Any) -> dict[str, Any]:
        """Add the offline key issued by this request to this user, if any."""
        from flask import g

        issued = g.pop("offline_key", None)  # shown once, in this answer
        if issued and issued[0] == user.id:
            data["offline_key"] = issued[1]
        return data


class UserArgs(PageArgs):
    """Filters for the user list."""

    property_id = fields.Integer()
    role = fields.String(validate=one_of(ROLES))
    department_id = fields.Integer()
    active = fields.Boolean()
    q = search_field()
    sort = sort_field("id", "username", "display_name", "role", "created_at", "last_login_at")


class PasswordResetSchema(BaseSchema):
    """An admin's new password for a user."""

    password = fields.String(required=True, validate=validate.Length(max=200))


class PasswordChangeSchema(BaseSchema):
    """A user's own password change."""

    current_password = fields.String(required=True, validate=validate.Length(max=200))
    new_password = fields.String(required=True, validate=validate.Length(max=200))


class TokenRequestSchema(BaseSchema):
    """What a script asks for when it wants a bearer token."""

    name = Text(100, load_default="script")
    # At most TOKEN_LIFETIME_DAYS, checked by the service against the config.
    days = fields.Integer(load_default=None, validate=validate.Range(min=1))
    username = Text(64)
    password = fields.String(load_only=True, validate=validate.Length(max=200))


class TokenSchema(BaseSchema):
    """An issued token; `token` is only shown once."""

    id = fields.Integer()
    name = fields.String()
    token = fields.String()
    token_type = fields.Constant("Bearer")
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)


class TokenInfoSchema(BaseSchema):
    """One of my tokens as listed: never its secret."""

    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


UserPage = page_schema(UserSchema)
