"""Marshmallow schemas for photo uploads and the photo as the API shows it."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from app.common import fields
from app.common.schemas import BaseSchema


class ImageFile(Upload):
    """A file part of a multipart body (what it holds is checked by decoding, later)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Not a file; send the photo as a multipart file part.")
        return value


class PhotoUploadSchema(BaseSchema):
    """The multipart form of an upload: the file, the phone's UUID for it, the property."""

    file = ImageFile(required=True, metadata={"description": "JPEG, PNG, WebP or HEIC"})
    client_uuid = fields.UUID(
        required=True, metadata={"description": "Made on the phone; a retry sends it again"}
    )
    property_id = fields.Integer(
        metadata={"description": "Required when the caller has more than one property"}
    )
    file_modified_at = fields.AwareDateTime(
        load_default=None,
        metadata={
            "description": "The file's timestamp on the phone (its clock): proof of presence"
        },
    )


class PhotoSchema(BaseSchema):
    """A stored photo: what was uploaded and where its served copies are."""

    id = fields.Integer()
    client_uuid = fields.String()
    property_id = fields.Integer()
    width = fields.Integer(metadata={"description": "Upright width of the original"})
    height = fields.Integer(metadata={"description": "Upright height of the original"})
    display_width = fields.Integer()
    display_height = fields.Integer()
    sha256 = fields.String(metadata={"description": "SHA-256 of the uploaded bytes"})
    taken_at = fields.DateTime(allow_none=True, metadata={"description": "EXIF capture time"})
    content_type = fields.String(metadata={"description": "Type of the uploaded original"})
    original_bytes = fields.Integer()
    display_bytes = fields.Integer()
    thumb_bytes = fields.Integer()
    created_at = fields.DateTime()
    display_url = fields.Method("_display_url")
    thumb_url = fields.Method("_thumb_url")

    def _display_url(self, obj: Any) -> str:
        return url_for("photos.get_photo_display", photo_id=obj.id)

    def _thumb_url(self, obj: Any) -> str:
        return url_for("photos.get_photo_thumb", photo_id=obj.id)
