"""Photo integrity: store each photo's fingerprint, find earlier near-copies, label sightings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, union_all

from app.extensions import db
from app.inspections.models import ItemResult, result_photo
from app.photos.models import Photo
from app.presence import hashing
from app.presence.models import PhotoBand, PhotoPrint


def record_print(
    photo: Photo, dhash: int, qr_texts: Iterable[str], file_modified_at: datetime | None
) -> None:
    """Store a just-flushed photo's hash, its bands (the lookup prefilter) and its QR codes."""
    db.session.add(
        PhotoPrint(
            photo_id=photo.id,
            property_id=photo.property_id,
            dhash=hashing.to_signed(dhash),
            qr_texts=list(qr_texts),
            file_modified_at=file_modified_at,
        )
    )
    for n, value in enumerate(hashing.bands(dhash)):
        db.session.add(
            PhotoBand(photo_id=photo.id, band=n, value=value, property_id=photo.property_id)
        )
    db.session.flush()


def find_matches(
    photos: Sequence[Photo], property_id: int, inspection_id: int
) -> list[dict[str, Any]]:
    """Return, for each photo, the earlier photo of the property it copies (same bytes or hash)."""
    if not photos:
        return []
    own = {p.id for p in photos}
    prints = _prints(own)
    matches = []
    for photo in photos:
        earlier, distance, identical = _identical(photo, property_id, own), 0, True
        if earlier is None and photo.id in prints:
            earlier, distance = _near(prints[photo.id], photo.id, property_id, own)
            identical = False
        if earlier is not None:
            matches.append(
                {
                    "photo_id": photo.id,
                    "earlier_photo_id": earlier,
                    "earlier_inspection_id": _inspection_of(earlier),
                    "distance": distance,
                    "identical": identical,
                }
            )
    return matches


def _prints(photo_ids: set[int]) -> dict[int, PhotoPrint]:
    rows = db.session.scalars(select(PhotoPrint).where(PhotoPrint.photo_id.in_(photo_ids)))
    return {p.photo_id: p for p in rows}


def _identical(photo: Photo, property_id: int, own: set[int]) -> int | None:
    """Return the first other photo of the property with the same bytes (SHA-256, indexed)."""
    return db.session.scalar(
        select(Photo.id)
        .where(
            Photo.sha256 == photo.sha256,
            Photo.property_id == property_id,
            Photo.id.not_in(own),
            Photo.id < photo.id,
        )
        .order_by(Photo.id)
        .limit(1)
    )


def _near(
    fingerprint: PhotoPrint, photo_id: int, property_id: int, own: set[int]
) -> tuple[int | None, int]:
    """Return the closest earlier photo within MAX_DISTANCE, looked up through shared bands."""
    value = hashing.to_unsigned(fingerprint.dhash)
    # One indexed equality lookup per band, united: an OR of the eight would scan the table.
    shared = union_all(
        *(
            select(PhotoBand.photo_id).where(
                PhotoBand.property_id == property_id,
                PhotoBand.band == n,
                PhotoBand.value == band,
                PhotoBand.photo_id < photo_id,
            )
            for n, band in enumerate(hashing.bands(value))
        )
    ).subquery()
    # Within MAX_DISTANCE (6) bits, at most six of the eight bands differ: a near copy shares
    # at least two. Asking for two keeps every match and drops most chance neighbours.
    candidates = (
        select(shared.c.photo_id)
        .group_by(shared.c.photo_id)
        .having(func.count() >= hashing.BANDS - hashing.MAX_DISTANCE)
    )
    rows = db.session.execute(
        select(PhotoPrint.photo_id, PhotoPrint.dhash).where(
            PhotoPrint.photo_id.in_(candidates),
            PhotoPrint.photo_id.not_in(own),
        )
    )
    best: tuple[int | None, int] = (None, hashing.MAX_DISTANCE + 1)
    for other_id, other_hash in rows:
        d = hashing.distance(value, hashing.to_unsigned(other_hash))
        if d < best[1] or (d == best[1] and best[0] is not None and other_id < best[0]):
            best = (other_id, d)
    return best if best[0] is not None else (None, 0)


def _inspection_of(photo_id: int) -> int | None:
    return db.session.scalar(
        select(ItemResult.inspection_id)
        .join(result_photo, result_photo.c.result_id == ItemResult.id)
        .where(result_photo.c.photo_id == photo_id)
    )


def codes_in(photos: Sequence[Photo]) -> set[str]:
    """Return the checkpoint codes named by the label URLs decoded in these photos."""
    codes = set()
    for fingerprint in _prints({p.id for p in photos}).values():
        for text in fingerprint.qr_texts:
            code = code_of_url(text)
            if code:
                codes.add(code)
    return codes


def code_of_url(text: str) -> str | None:
    """Return the checkpoint code a label URL (…/c/<code>[?…]) names, else None."""
    path = urlsplit(text.strip()).path
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[-2] == "c":
        return parts[-1].upper()
    return None
