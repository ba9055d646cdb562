"""Rules for photos: store each upload once per client_uuid, scope reads, vet cited photos."""

from __future__ import annotations

from datetime import datetime
from typing import IO
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.auth.service import current_user, get_property, get_scoped, granted_property_ids
from app.common.db import end_read_transaction
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.photos.models import Photo
from app.photos.pipeline import ProcessedPhoto, process_upload
from app.photos.storage import Storage, get_storage, new_keys
from app.places.models import Property
from app.presence.photos import record_print


def upload_photo(
    stream: IO[bytes],
    client_uuid: UUID,
    property_id: int | None = None,
    *,
    file_modified_at: datetime | None = None,
) -> tuple[Photo, bool]:
    """Store an uploaded photo once per client_uuid; return it and whether it is new."""
    user = current_user()
    uuid = str(client_uuid)
    existing = _find_upload(uuid, user)
    if existing is not None:
        return existing, False
    prop = _upload_property(user, property_id)
    tz = _property_zone(prop)
    # Nothing is written yet: end the transaction so SQLite's write lock is not held while
    # the image is decoded and re-encoded (~200 ms); the insert takes it again briefly.
    end_read_transaction()
    processed = process_upload(
        stream,
        max_bytes=current_app.config["PHOTO_MAX_BYTES"],
        max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
        tz=tz,
    )
    return _save(processed, uuid, prop, user, file_modified_at)


def _find_upload(client_uuid: str, user: User) -> Photo | None:
    """Return the caller's earlier upload with this client_uuid; another user's is a 409."""
    photo = db.session.scalar(select(Photo).where(Photo.client_uuid == client_uuid))
    if photo is None:
        return None
    if photo.uploaded_by_id != user.id:
        raise Conflict(
            "该 client_uuid 已被其他用户使用",
            "This client_uuid was already used by another user.",
            field="client_uuid",
        )
    if photo.property_id not in granted_property_ids():
        raise NotFound()
    return photo


def _upload_property(user: User, property_id: int | None) -> Property:
    """Pick the photo's property: the one given, or the caller's only one."""
    if property_id is not None:
        return get_property(property_id)
    ids = user.property_ids
    if len(ids) != 1:
        raise Invalid(
            "请选择照片所属的项目", "Say which property the photo belongs to.", field="property_id"
        )
    return get_property(ids[0])


def _property_zone(prop: Property) -> ZoneInfo:
    """Return the property's time zone (the configured default if its name is unknown)."""
    try:
        return ZoneInfo(prop.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])


def _save(
    processed: ProcessedPhoto,
    client_uuid: str,
    prop: Property,
    user: User,
    file_modified_at: datetime | None = None,
) -> tuple[Photo, bool]:
    """Write the copies, then the row; when the row cannot be written, remove the copies."""
    storage = get_storage()
    display_key, thumb_key = new_keys()
    photo = Photo(
        client_uuid=client_uuid,
        property_id=prop.id,
        uploaded_by_id=user.id,
        content_type=processed.content_type,
        original_bytes=processed.original_bytes,
        width=processed.width,
        height=processed.height,
        sha256=processed.sha256,
        taken_at=processed.taken_at,
        display_key=display_key,
        display_width=processed.display.width,
        display_height=processed.display.height,
        display_bytes=len(processed.display.data),
        thumb_key=thumb_key,
        thumb_bytes=len(processed.thumb.data),
    )
    try:
        storage.put(display_key, processed.display.data, "image/jpeg")
        storage.put(thumb_key, processed.thumb.data, "image/jpeg")
        # A savepoint: a concurrent upload of the same client_uuid must not undo the request.
        with db.session.begin_nested():
            db.session.add(photo)
            db.session.flush()
            record_print(photo, processed.dhash, processed.qr_texts, file_modified_at)
    except IntegrityError:
        _discard(storage, display_key, thumb_key)
        winner = _find_upload(client_uuid, user)
        if winner is None:
            raise
        return winner, False
    except BaseException:
        _discard(storage, display_key, thumb_key)
        raise
    return photo, True


def _discard(storage: Storage, *keys: str) -> None:
    """Remove files written for a photo whose row was not stored."""
    for key in keys:
        try:
            storage.delete(key)
        except OSError:
            current_app.logger.warning("could not remove orphan photo file %s", key)


def get_photo(photo_id: int) -> Photo:
    """Return a photo of one of the caller's properties, else raise NotFound."""
    return get_scoped(Photo, photo_id)


def photo_file(photo: Photo, variant: str) -> bytes:
    """Return the bytes of a photo's display copy or thumbnail."""
    key = photo.display_key if variant == "display" else photo.thumb_key
    try:
        return get_storage().get(key)
    except FileNotFoundError:
        current_app.logger.error("photo %s: %s file %s is missing", photo.id, variant, key)
        raise NotFound("照片文件缺失", "The photo file is missing.") from None


def get_owned_photos(photo_ids: list[int], user: User, property_id: int, field: str) -> list[Photo]:
    """Return the user's own photos of the property in the order given, else raise 422."""
    if len(set(photo_ids)) != len(photo_ids):
        raise Invalid("同一张照片重复出现", "The same photo is listed twice.", field=field)
    if not photo_ids:
        return []
    found = {
        p.id: p
        for p in db.session.scalars(
            select(Photo).where(
                Photo.id.in_(photo_ids),
                Photo.uploaded_by_id == user.id,
                Photo.property_id == property_id,
            )
        )
    }
    if len(found) != len(photo_ids):
        raise Invalid(
            "照片不存在，或不是你在本项目上传的",
            "A photo does not exist or was not uploaded by you at this property.",
            field=field,
        )
    return [found[i] for i in photo_ids]
