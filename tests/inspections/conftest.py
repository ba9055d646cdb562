"""Helpers for driving a patrol over HTTP: upload a photo, build a submission."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image


def jpeg_bytes(colour: tuple[int, int, int] = (200, 30, 30), size=(640, 480)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def upload(client, colour=(200, 30, 30)) -> int:
    resp = client.post(
        "/api/v1/photos",
        data={
            "file": (io.BytesIO(jpeg_bytes(colour)), "fail.jpg"),
            "client_uuid": str(uuid.uuid4()),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def scanned_now(minutes_ago: int = 2) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def checklist(world, login):
    """The assistant's view of world A's stairwell: code and items as the phone gets them."""
    client = login(world.a.users["assistant"])
    body = client.get(f"/api/v1/checkpoints/by-code/{world.a.checkpoint.code}").get_json()
    return body["checklist"]["items"]


def submission(
    code: str, items: list[dict], fail: dict[int, list[int]] | None = None, **extra
) -> dict:
    """Answer every item pass, except the failed ones (item index → photo ids)."""
    fail = fail or {}
    results = []
    for n, item in enumerate(items):
        result = {"item_id": item["id"], "outcome": "fail" if n in fail else "pass"}
        if n in fail:
            result["photo_ids"] = fail[n]
            result["note"] = "灯不亮"
        results.append(result)
    return {
        "client_uuid": str(uuid.uuid4()),
        "checkpoint_code": code,
        "scanned_at": scanned_now(),
        "results": results,
        **extra,
    }
