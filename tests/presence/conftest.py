"""A property with two zones and fire equipment; photos with texture and printed labels."""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import qrcode
from PIL import Image, ImageDraw, ImageFilter

from app.extensions import db
from app.presence.signing import sign, signed_url
from tests import factories


def textured(seed: int, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """Draw a busy, photo-like picture (shapes in many colours), different for each seed."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(40, 400), rng.randrange(40, 400)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour)
    return img.filter(ImageFilter.GaussianBlur(2))


def jpeg(img: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def recompressed(data: bytes) -> bytes:
    """A copy as a messenger app would make it: scaled to 85 % and saved at quality 60."""
    img = Image.open(io.BytesIO(data))
    img = img.resize((int(img.width * 0.85), int(img.height * 0.85)), Image.Resampling.LANCZOS)
    return jpeg(img, 60)


def with_label(url: str, seed: int = 7) -> bytes:
    """A photo of a checkpoint with its printed QR label in view."""
    img = textured(seed)
    qr = qrcode.make(url, box_size=8, border=4).convert("RGB")
    img.paste(qr.resize((360, 360)), (420, 260))
    return jpeg(img, 88)


def upload(client, data: bytes, **form: Any) -> int:
    resp = client.post(
        "/api/v1/photos",
        data={"file": (io.BytesIO(data), "p.jpg"), "client_uuid": str(uuid.uuid4()), **form},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def iso(moment: datetime) -> str:
    return moment.isoformat()


@dataclass
class Scene:
    """World A plus a second zone, a fire hydrant and the assistant's phone."""

    world: Any
    far: Any  # a checkpoint in another zone
    near: Any  # another checkpoint of the first zone
    fire: Any
    client: Any

    def items(self, checkpoint) -> list[dict]:
        body = self.client.get(f"/api/v1/checkpoints/by-code/{checkpoint.code}").get_json()
        return body["checklist"]["items"]

    def body(
        self,
        checkpoint,
        scanned_at: datetime | None = None,
        *,
        signed: bool = True,
        photo_ids: list[int] | None = None,
        **extra: Any,
    ) -> dict:
        """A submission as the phone sends it: every item pass, the first failed with photos."""
        scanned_at = scanned_at or datetime.now(UTC) - timedelta(minutes=3)
        results = []
        for n, item in enumerate(self.items(checkpoint)):
            result: dict[str, Any] = {"item_id": item["id"], "outcome": "pass"}
            if n == 0 and photo_ids:
                result.update(outcome="fail", photo_ids=photo_ids, note="坏了")
            results.append(result)
        body: dict[str, Any] = {
            "client_uuid": str(uuid.uuid4()),
            "checkpoint_code": checkpoint.code,
            "scanned_at": iso(scanned_at),
            "submitted_at": iso(scanned_at + timedelta(seconds=90)),
            "results": results,
        }
        if signed:
            body["label_version"] = checkpoint.label_version
            body["label_sig"] = sign(checkpoint.code, checkpoint.label_version)
        body.update(extra)
        return body

    def submit(self, checkpoint, scanned_at: datetime | None = None, **kw: Any) -> dict:
        resp = self.client.post("/api/v1/inspections", json=self.body(checkpoint, scanned_at, **kw))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()


@pytest.fixture
def scene(world, login) -> Scene:
    a = world.a
    other_zone = factories.zone(a.prop, name_zh="B幢")
    far = factories.checkpoint(other_zone, name_zh="B幢3楼楼梯间")
    near = factories.checkpoint(a.zone, name_zh="2楼楼梯间")
    factories.template(a.prop, kind="fire_equipment")
    fire = factories.checkpoint(a.zone, kind="fire_equipment", name_zh="5楼消防栓")
    db.session.commit()
    return Scene(world=world, far=far, near=near, fire=fire, client=login(a.users["assistant"]))


__all__ = ["recompressed", "signed_url", "textured", "with_label"]
