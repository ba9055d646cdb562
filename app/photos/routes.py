"""HTTP routes for uploading and fetching photos."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from app.auth import service as auth
from app.extensions import db
from app.photos import schemas as s
from app.photos import service
from app.photos.models import Photo
from app.photos.pipeline import TooLarge

# Room for the multipart envelope and the small form fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024
# The copies behind a photo id never change, so phones may keep them for a year.
CACHE_CONTROL = "private, max-age=31536000, immutable"
JPEG_RESPONSE = {"type": "string", "format": "binary"}


class MultipartParser(FlaskParser):
    """Read a multipart body's form fields and files together as location "files"."""

    def load_files(self, req: Any, schema: Any) -> Any:
        """Return the files and form fields as one MultiDictProxy."""
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class PhotoBlueprint(Blueprint):
    """A blueprint whose "files" arguments also see the form fields of the same body."""

    ARGUMENTS_PARSER = MultipartParser()


blp = PhotoBlueprint("photos", __name__, description="Photos (照片)")


@blp.before_request
def limit_upload_size() -> None:
    """Refuse an upload body too large to hold a photo before any of it is read."""
    if request.method != "POST":
        return
    limit = current_app.config["PHOTO_MAX_BYTES"] + FORM_OVERHEAD_BYTES
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        mb = current_app.config["PHOTO_MAX_BYTES"] / (1024 * 1024)
        raise TooLarge(
            f"照片文件过大（最多 {mb:g} MB）",
            f"The photo file is too large (at most {mb:g} MB).",
            field="file",
        )


@blp.post("/photos")
@auth.login_required
@blp.arguments(s.PhotoUploadSchema, location="files")
@blp.response(201, s.PhotoSchema)
@blp.alt_response(200, schema=s.PhotoSchema, description="Already uploaded with this client_uuid")
def upload_photo(data):
    """Upload a photo (上传照片); sending the same client_uuid again returns the stored one."""
    photo, created = service.upload_photo(
        data["file"].stream,
        data["client_uuid"],
        data.get("property_id"),
        file_modified_at=data.get("file_modified_at"),
    )
    db.session.commit()
    return photo, 201 if created else 200


@blp.get("/photos/<int:photo_id>")
@auth.login_required
@blp.response(200, s.PhotoSchema)
def get_photo(photo_id):
    """Show one photo's details."""
    return service.get_photo(photo_id)


@blp.get("/photos/<int:photo_id>/display")
@auth.login_required
@blp.response(200, JPEG_RESPONSE, content_type="image/jpeg")
def get_photo_display(photo_id):
    """Fetch a photo's display copy (JPEG, long side at most 1600 px)."""
    return _jpeg(service.get_photo(photo_id), "display")


@blp.get("/photos/<int:photo_id>/thumb")
@auth.login_required
@blp.response(200, JPEG_RESPONSE, content_type="image/jpeg")
def get_photo_thumb(photo_id):
    """Fetch a photo's thumbnail (JPEG, long side at most 320 px)."""
    return _jpeg(service.get_photo(photo_id), "thumb")


def _jpeg(photo: Photo, variant: str) -> Response:
    """Answer with a stored JPEG copy, cacheable by the caller and revalidated by ETag."""
    response = Response(service.photo_file(photo, variant), mimetype="image/jpeg")
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(f"{photo.sha256}-{variant}")
    response.make_conditional(request)
    return response
