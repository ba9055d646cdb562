"""A supervisor reviews a doubtful inspection on the phone: evidence side by side, a decision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.phone import camera_jpeg, log_in, screenshot, show_label


def _answers(items: list[dict], photo_id: int) -> list[dict]:
    """Fail the first pass/fail item with the photo; everything else passes (or is n/a)."""
    out, failed = [], False
    for item in items:
        if item["answer_type"] == "pass_fail" and not failed:
            out.append({"item_id": item["id"], "outcome": "fail", "photo_ids": [photo_id]})
            failed = True
        elif item["answer_type"] == "pass_fail":
            out.append({"item_id": item["id"], "outcome": "pass"})
        else:
            out.append({"item_id": item["id"], "outcome": "na"})
    return out


def _submit_typed(api, code: str, photo: bytes, hours_ago: float) -> dict:
    """Submit as a phone whose camera was refused: the code typed, a photo attached."""
    stored = api.post(
        "/api/v1/photos",
        multipart={
            "file": {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": photo},
            "client_uuid": str(uuid.uuid4()),
        },
    ).json()
    items = api.get(f"/api/v1/checkpoints/by-code/{code}").json()["checklist"]["items"]
    scanned = datetime.now(UTC) - timedelta(hours=hours_ago)
    resp = api.post(
        "/api/v1/inspections",
        data={
            "client_uuid": str(uuid.uuid4()),
            "checkpoint_code": code,
            "scanned_at": scanned.isoformat(),
            "submitted_at": (scanned + timedelta(minutes=2)).isoformat(),
            "results": _answers(items, stored["id"]),
        },
    )
    assert resp.status == 201, resp.text()
    return resp.json()


def test_a_reused_photo_is_reviewed_and_rejected_on_the_phone(phone, api_as):
    assistant = api_as("assistant2")
    codes = [
        c["code"]
        for c in assistant.get(
            "/api/v1/checkpoints", params={"kind": "meter_box", "per_page": 5}
        ).json()["items"]
    ]
    photo = camera_jpeg(orientation=1)
    first = _submit_typed(assistant, codes[0], photo, hours_ago=3)
    second = _submit_typed(assistant, codes[1], photo, hours_ago=1)  # the same photo again
    assert first["presence"]["status"] == "ok"
    assert second["presence"]["status"] == "doubtful"

    page = phone.new_page()
    log_in(page, "supervisor")
    page.get_by_test_id("review-entry").click()
    row = page.get_by_test_id("review-row").filter(has_text=second["checkpoint"]["name_zh"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text("照片与此前的照片完全相同")
    row.click()
    case = page.get_by_test_id("review-case")
    expect(case).to_contain_text("手动输入编号，未扫描标签")
    expect(case.get_by_test_id("earlier-photos").locator("img")).to_have_count(1)
    page.wait_for_timeout(300)  # the popup's slide-in
    screenshot(page, "review")
    case.get_by_test_id("review-note").locator("textarea").fill("同一张照片用于两个点位")
    case.get_by_test_id("review-reject").click()
    expect(
        page.get_by_test_id("review-row").filter(has_text=second["checkpoint"]["name_zh"])
    ).to_have_count(0)

    supervisor = api_as("supervisor")
    decided = supervisor.get(f"/api/v1/presence/review/{second['id']}").json()
    assert decided["inspection"]["presence"]["status"] == "rejected"
    [audit] = decided["reviews"]
    assert audit["decision"] == "reject" and audit["note"] == "同一张照片用于两个点位"


def test_an_old_copy_of_a_reprinted_label_is_refused_at_the_scan(
    phone, api_as, server, camera_file
):
    admin = api_as("admin")
    spot = admin.get("/api/v1/checkpoints", params={"kind": "water_meter", "per_page": 1}).json()
    checkpoint = spot["items"][0]
    reprinted = admin.post(f"/api/v1/checkpoints/{checkpoint['id']}/reprint").json()
    assert reprinted["label_version"] == checkpoint["label_version"] + 1

    page = phone.new_page()
    log_in(page, "assistant")
    show_label(camera_file, server.label_url(checkpoint["code"], checkpoint["label_version"]))
    page.get_by_test_id("scan").click()
    expect(page.get_by_test_id("scan-error")).to_contain_text("已重新打印", timeout=20000)
